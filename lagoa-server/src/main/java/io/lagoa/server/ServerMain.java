package io.lagoa.server;

import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.LagoaException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the server without the CLI, e.g. as a container's entry point: {@code java -cp ...
 * io.lagoa.server.ServerMain [lagoa.yaml]}. Stops cleanly on SIGTERM, and when its standard input
 * closes if started with {@code --stop-on-stdin-close} (a parent process that dies takes it along).
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    boolean stopOnStdinClose = false;
    Path file = null;
    for (String arg : args) {
      if (arg.equals("--stop-on-stdin-close")) {
        stopOnStdinClose = true;
      } else {
        file = Path.of(arg);
      }
    }
    LagoaServer server;
    try {
      LagoaConfig config = ConfigLoader.forProcess().load(file);
      server = LagoaServer.start(config);
    } catch (LagoaException e) {
      System.err.println("lagoa server: " + e.getMessage());
      System.exit(e.code().exitCode());
      return;
    }
    System.out.println("listening on " + server.uri());
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "lagoa-server-stop"));
    if (stopOnStdinClose) {
      Thread watcher =
          new Thread(
              () -> {
                try {
                  while (System.in.read() >= 0) {
                    // wait for the parent to close the pipe
                  }
                } catch (java.io.IOException ignored) {
                  // the pipe broke: the parent is gone
                }
                System.exit(0);
              },
              "lagoa-server-stdin");
      watcher.setDaemon(true);
      watcher.start();
    }
    stopped.await();
  }
}

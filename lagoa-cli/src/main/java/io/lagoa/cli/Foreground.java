package io.lagoa.cli;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Keeps a local development server ({@code lagoa dev kafka}, {@code lagoa dev postgres}) in the
 * foreground until Ctrl-C, SIGTERM or an in-process interrupt, stopping it cleanly so its next
 * start needs no recovery; a server that stops by itself is an error with its log's last lines.
 */
final class Foreground {
  /** The server's side: how to stop it, wait for it and read its log's end. */
  interface Server {
    void stop();

    int waitFor() throws InterruptedException;

    String logTail();
  }

  private Foreground() {}

  /**
   * Waits for the server to stop.
   *
   * @param name names the shutdown thread, e.g. {@code kafka}
   * @param description the server in the error, e.g. {@code the Kafka broker}
   * @param stopped says the server stopped (and cleans up); its result is the exit code
   */
  static int run(Server server, String name, String description, IntSupplier stopped) {
    // Ctrl-C and SIGTERM end this JVM through its shutdown hooks: stop the server there
    CountDownLatch reported = new CountDownLatch(1);
    Thread stopper =
        new Thread(
            () -> {
              server.stop();
              // let the command say it stopped before the JVM ends
              try {
                reported.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "lagoa-dev-" + name + "-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      int exitCode = server.waitFor();
      if (stopper.isAlive() || stopper.getState() == Thread.State.TERMINATED) {
        return stopped.getAsInt();
      }
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          description
              + " stopped by itself (exit code "
              + exitCode
              + "); its last lines:\n"
              + server.logTail());
    } catch (InterruptedException e) {
      // what an in-process caller (a test) does to stop it
      server.stop();
      Thread.currentThread().interrupt();
      return stopped.getAsInt();
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is running
      }
    }
  }
}

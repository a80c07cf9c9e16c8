package io.lagoa.cli;

import io.lagoa.cli.logging.ServerLogging;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.ServerConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.server.LagoaServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "server",
    description = {
      "Serves the configured catalog as an Iceberg REST catalog that Trino, Spark and any",
      "Iceberg client can use, in the foreground until Ctrl-C or SIGTERM (requests in flight",
      "finish first). Clients authenticate with OAuth2 client credentials: create them with",
      "'lagoa admin principal create'. See docs/server.md."
    },
    mixinStandardHelpOptions = true)
final class ServerCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default: server.port, 8181; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: server.host, 0.0.0.0).")
  String host;

  ServerCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (port != null && (port < 0 || port > 65535)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use --port " + port + ": a port is a number from 0 to 65535");
    }
    LagoaConfig config = cli.config();
    ServerConfig settings = config.server();
    config =
        config.withServer(
            settings.listeningOn(
                host == null ? settings.host() : host, port == null ? settings.port() : port));
    PrintWriter out = cli.out();
    ServerLogging.enable();
    LagoaServer server = LagoaServer.start(config);
    out.println("Lagoa server is running: Iceberg REST catalog at " + server.uri());
    out.println(
        "  catalog:   "
            + config.catalog().type().configName()
            + " "
            + config.catalog().displayUri());
    out.println("  warehouse: " + config.warehouse());
    out.println(
        "  access:    "
            + config
                .server()
                .anonymousRole()
                .map(role -> "tokens, or anonymous requests as role '" + role + "'")
                .orElse("bearer tokens only (POST /v1/oauth/tokens with client credentials)"));
    out.println("Stop it with Ctrl-C (or: kill " + ProcessHandle.current().pid() + ").");
    out.flush();

    // The JVM halts as soon as its shutdown hooks end, so the hook itself says "stopped": the
    // main thread may never run again after a SIGTERM.
    Runnable stop =
        () -> {
          try {
            server.close();
          } finally {
            out.println("Lagoa server stopped.");
            out.flush();
          }
        };
    CountDownLatch stopped = new CountDownLatch(1);
    Thread stopper =
        new Thread(
            () -> {
              try {
                stop.run();
              } finally {
                stopped.countDown();
              }
            },
            "lagoa-server-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // what an in-process caller (a test) does to stop it
      Runtime.getRuntime().removeShutdownHook(stopper);
      stop.run();
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}

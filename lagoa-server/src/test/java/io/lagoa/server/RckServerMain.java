package io.lagoa.server;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.server.rest.TableConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server Iceberg's REST Compatibility Kit (lagoa-rck) runs against, in a JVM of its own on this
 * module's test class path: the configuration comes from the process's environment and current
 * folder as for {@code lagoa server} (the kit passes {@code LAGOA_WAREHOUSE}, {@code
 * LAGOA_SERVER_HOST} and {@code LAGOA_SERVER_PORT}), and every request is let in ({@link
 * AllowAllGuard}) until the production main with real access control replaces this one. It stops
 * cleanly on SIGTERM and when its standard input closes, so it never outlives the JVM that started
 * it.
 */
public final class RckServerMain {
  private static final Logger LOG = LoggerFactory.getLogger(RckServerMain.class);

  private RckServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    LagoaConfig config = ConfigLoader.forProcess().load(null);
    Catalog catalog = LagoaCatalogs.open(config);
    LagoaServer server =
        LagoaServer.start(
            config,
            new ServerComponents(
                catalog,
                new AllowAllGuard(),
                new TableConfig(Map.of()),
                (ctx, principal, action, resource) -> {},
                Optional.empty(),
                List.of((AutoCloseable) catalog)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "rck-server-shutdown"));
    watchParent();
    LOG.info("Serving the REST Compatibility Kit on {}", server.uri());
    stopped.await();
  }

  /** Exits (through the shutdown hook) when standard input closes: the parent closed it or died. */
  private static void watchParent() {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() != -1) {
                  // nothing is ever sent; read until the parent closes the pipe
                }
              } catch (IOException e) {
                // a broken pipe means the same: the parent is gone
              }
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}

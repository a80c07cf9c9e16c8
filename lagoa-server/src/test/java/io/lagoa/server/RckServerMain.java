package io.lagoa.server;

import io.lagoa.access.AccessStore;
import io.lagoa.access.ClientCredentials;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server Iceberg's REST Compatibility Kit (lagoa-rck) runs against, in a JVM of its own on this
 * module's test class path: the production server ({@link LagoaServer#start(LagoaConfig)}, with
 * access control and audit), configured from the process's environment and current folder as for
 * {@code lagoa server} (the kit passes {@code LAGOA_WAREHOUSE}, {@code LAGOA_SERVER_HOST} and
 * {@code LAGOA_SERVER_PORT}). Before starting it creates a principal holding every privilege on the
 * catalog and writes its {@code client_id:client_secret} to {@code rck.credential} in the current
 * folder, for the kit's client. It stops cleanly on SIGTERM and when its standard input closes, so
 * it never outlives the JVM that started it.
 */
public final class RckServerMain {
  private static final Logger LOG = LoggerFactory.getLogger(RckServerMain.class);

  private RckServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    LagoaConfig config = ConfigLoader.forProcess().load(null);
    writeCredential(config, Path.of("rck.credential"));
    LagoaServer server = LagoaServer.start(config);
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

  private static void writeCredential(LagoaConfig config, Path file) {
    try (AccessStore access = AccessStore.open(config)) {
      ClientCredentials kit = access.createPrincipal("rck");
      access.createRole("rck");
      access.grantRole("rck", "rck");
      for (Privilege privilege : Privilege.values()) {
        access.grant(privilege, Securable.catalog(), "rck");
      }
      Files.writeString(file, kit.credential().value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

package io.lagoa.server;

import io.lagoa.access.AccessStore;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server Iceberg's REST Compatibility Kit (lagoa-rck) runs against, in a JVM of its own on this
 * module's test class path: the production {@link ServerMain}, configured from the process's
 * environment and current folder as for {@code lagoa server} (the kit passes {@code
 * LAGOA_WAREHOUSE}, {@code LAGOA_SERVER_HOST} and {@code LAGOA_SERVER_PORT}), stopping on SIGTERM
 * and when its standard input closes, so it never outlives the JVM that started it. Before that it
 * creates a principal holding every privilege on the catalog and writes its {@code
 * client_id:client_secret} to {@code rck.credential} in the current folder, for the kit's client.
 */
public final class RckServerMain {
  private RckServerMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    LagoaConfig config = ConfigLoader.forProcess().load(null);
    try (AccessStore access = AccessStore.open(config)) {
      Files.writeString(
          Path.of("rck.credential"), access.createCatalogAdmin("rck").credential().value());
    }
    ServerMain.main(new String[] {"--stop-on-stdin-close"});
  }
}

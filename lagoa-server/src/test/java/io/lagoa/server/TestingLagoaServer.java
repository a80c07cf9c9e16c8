package io.lagoa.server;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.server.rest.TableConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.catalog.Catalog;

/**
 * A real {@code lagoa server} on a free port of 127.0.0.1, serving the catalog of a configuration
 * (SQLite or PostgreSQL), for tests in any module (lagoa-server's test jar). {@link
 * #clientEnvironment()} gives the environment a Lagoa client needs to use it as its REST catalog.
 */
public final class TestingLagoaServer implements AutoCloseable {
  private final LagoaServer server;

  private TestingLagoaServer(LagoaServer server) {
    this.server = server;
  }

  /** Starts a server on the catalog {@code config} names; the server's own settings are ignored. */
  public static TestingLagoaServer start(LagoaConfig config) {
    LagoaConfig onFreePort =
        new LagoaConfig(
            config.source(),
            config.warehouse(),
            config.localWarehouse(),
            config.storage(),
            config.catalog(),
            config.spark(),
            config.lineage(),
            new io.lagoa.config.ServerConfig(
                "127.0.0.1",
                0,
                config.server().maxBodyBytes(),
                java.time.Duration.ofSeconds(5),
                Optional.empty(),
                config.server().tokenLifetime(),
                Optional.empty()),
            config.origins());
    Catalog catalog = LagoaCatalogs.open(onFreePort);
    return new TestingLagoaServer(
        LagoaServer.start(
            onFreePort,
            new ServerComponents(
                catalog,
                new AllowAllGuard(),
                new TableConfig(Map.of()),
                io.lagoa.server.rest.Audit.NONE,
                Optional.empty(),
                List.of((AutoCloseable) catalog))));
  }

  public URI uri() {
    return server.uri();
  }

  /** LAGOA_* variables that make a client's catalog this server. */
  public Map<String, String> clientEnvironment() {
    return Map.of("LAGOA_CATALOG_TYPE", "rest", "LAGOA_CATALOG_URI", uri().toString());
  }

  @Override
  public void close() {
    server.close();
  }
}

package io.lagoa.server;

import io.lagoa.access.AccessStore;
import io.lagoa.access.ClientCredentials;
import io.lagoa.config.LagoaConfig;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@code lagoa server} on a free port of 127.0.0.1, with production access control, serving
 * the catalog of a configuration (SQLite or PostgreSQL), for tests in any module (lagoa-server's
 * test jar). It creates a principal holding every privilege on the catalog; {@link
 * #clientEnvironment()} gives the environment a Lagoa client needs to use the server as its REST
 * catalog with that principal's client credentials (so clients go through the token endpoint).
 */
public final class TestingLagoaServer implements AutoCloseable {
  private static final AtomicInteger ADMINS = new AtomicInteger();

  private final LagoaServer server;
  private final ClientCredentials admin;

  private TestingLagoaServer(LagoaServer server, ClientCredentials admin) {
    this.server = server;
    this.admin = admin;
  }

  /** Starts a server on the catalog {@code config} names; the server's own settings are ignored. */
  public static TestingLagoaServer start(LagoaConfig config) {
    LagoaConfig onFreePort = config.withServer(config.server().onFreeLoopbackPort());
    ClientCredentials admin;
    try (AccessStore access = AccessStore.open(onFreePort)) {
      admin =
          access.createCatalogAdmin(
              "test-admin-" + ProcessHandle.current().pid() + "-" + ADMINS.incrementAndGet());
    }
    return new TestingLagoaServer(LagoaServer.start(onFreePort), admin);
  }

  public URI uri() {
    return server.uri();
  }

  /** The client id and secret of the principal that may do everything. */
  public ClientCredentials admin() {
    return admin;
  }

  /** LAGOA_* variables that make a client's catalog this server, as the all-powerful principal. */
  public Map<String, String> clientEnvironment() {
    return Map.of(
        "LAGOA_CATALOG_TYPE",
        "rest",
        "LAGOA_CATALOG_URI",
        uri().toString(),
        "LAGOA_CATALOG_CREDENTIAL",
        admin.credential().value());
  }

  /** Iceberg REST client properties for this server, as the all-powerful principal. */
  public Map<String, String> clientProperties() {
    return clientProperties(admin);
  }

  /** Iceberg REST client properties for this server, as the principal of these credentials. */
  public Map<String, String> clientProperties(ClientCredentials credentials) {
    return server.clientProperties(credentials);
  }

  @Override
  public void close() {
    server.close();
  }
}

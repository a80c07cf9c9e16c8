package io.lagoa.bench.catalog;

import io.lagoa.access.AccessStore;
import io.lagoa.access.ClientCredentials;
import io.lagoa.config.LagoaConfig;
import io.lagoa.server.LagoaServer;
import io.lagoa.server.ServerComponents;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;

/**
 * The server {@code lagoa bench catalog} measures when it is given no {@code --uri}: the production
 * {@link LagoaServer} (access control, audit) in this JVM, listening on a free port of 127.0.0.1,
 * serving the configured catalog. The bench's clients act as a principal made for the run (every
 * privilege on the catalog), removed again at the end; they go through the token endpoint like any
 * client. The bench's direct reference calls the very catalog object the server serves.
 */
final class InProcessServer implements AutoCloseable {
  private final LagoaConfig config;
  private final LagoaServer server;
  private final Catalog catalog;
  private final ClientCredentials principal;

  private InProcessServer(
      LagoaConfig config, LagoaServer server, Catalog catalog, ClientCredentials principal) {
    this.config = config;
    this.server = server;
    this.catalog = catalog;
    this.principal = principal;
  }

  /** Starts the production server on the configured catalog, with a principal for the bench. */
  static InProcessServer start(LagoaConfig config) {
    LagoaConfig local = config.withServer(config.server().onFreeLoopbackPort());
    ClientCredentials principal = createPrincipal(local);
    try {
      ServerComponents components = ServerComponents.open(local);
      return new InProcessServer(
          local, LagoaServer.start(local, components), components.catalog(), principal);
    } catch (RuntimeException e) {
      deletePrincipal(local, principal.clientId());
      throw e;
    }
  }

  private static ClientCredentials createPrincipal(LagoaConfig config) {
    try (AccessStore access = AccessStore.open(config)) {
      return access.createCatalogAdmin(
          "lagoa-bench-" + UUID.randomUUID().toString().substring(0, 8));
    }
  }

  private static void deletePrincipal(LagoaConfig config, String name) {
    try (AccessStore access = AccessStore.open(config)) {
      access.deletePrincipal(name);
      access.dropRole(name);
    }
  }

  URI uri() {
    return server.uri();
  }

  /** What a client needs: the URI and the bench principal's client credentials. */
  Map<String, String> clientProperties() {
    return server.clientProperties(principal);
  }

  /** The catalog the server serves. */
  Catalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    server.close();
    deletePrincipal(config, principal.clientId());
  }
}

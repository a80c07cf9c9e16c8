package io.lagoa.bench.catalog;

import io.javalin.http.Context;
import io.lagoa.access.Principal;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.ServerConfig;
import io.lagoa.server.LagoaServer;
import io.lagoa.server.ServerComponents;
import io.lagoa.server.rest.Guard;
import io.lagoa.server.rest.TableConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;

/**
 * The server {@code lagoa bench catalog} measures when it is given no {@code --uri}: a real {@link
 * LagoaServer} in this JVM, listening on a free port of 127.0.0.1, serving the configured catalog.
 * The bench's direct reference calls the very catalog object the server serves.
 */
final class InProcessServer implements AutoCloseable {
  private final LagoaServer server;
  private final Catalog catalog;

  private InProcessServer(LagoaServer server, Catalog catalog) {
    this.server = server;
    this.catalog = catalog;
  }

  /** Starts a server on the configured catalog with {@link #benchComponents}. */
  static InProcessServer start(LagoaConfig config) {
    LagoaConfig local = onLoopback(config);
    return start(local, benchComponents(local));
  }

  /**
   * Starts a server on components already opened; {@code ServerComponents.open(config)} (the
   * production components) fits here unchanged once it is wired.
   */
  static InProcessServer start(LagoaConfig config, ServerComponents components) {
    return new InProcessServer(LagoaServer.start(config, components), components.catalog());
  }

  /**
   * The components the bench serves with until {@code ServerComponents.open(config)} builds the
   * production ones (access control from the catalog database): the configured catalog, a guard
   * that lets every request in, no audit. That is what the server does minus the guard's and the
   * audit's work, so swap this for {@code ServerComponents.open(config)} when it exists; the server
   * listens on 127.0.0.1 only and lives as long as the run.
   */
  static ServerComponents benchComponents(LagoaConfig config) {
    Catalog catalog = LagoaCatalogs.open(config);
    return new ServerComponents(
        catalog,
        new OpenGuard(),
        new TableConfig(Map.of()),
        (ctx, principal, action, resource) -> {},
        Optional.empty(),
        List.of((AutoCloseable) catalog));
  }

  /**
   * The configuration with the server on a free port of 127.0.0.1, plain HTTP, no anonymous role.
   */
  static LagoaConfig onLoopback(LagoaConfig config) {
    ServerConfig server = config.server();
    return new LagoaConfig(
        config.source(),
        config.warehouse(),
        config.localWarehouse(),
        config.storage(),
        config.catalog(),
        config.spark(),
        config.lineage(),
        new ServerConfig(
            "127.0.0.1",
            0,
            server.maxBodyBytes(),
            Duration.ofSeconds(5),
            Optional.empty(),
            server.tokenLifetime(),
            Optional.empty()),
        config.origins());
  }

  URI uri() {
    return server.uri();
  }

  /** The catalog the server serves. */
  Catalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    server.close();
  }

  /** Lets every request in as one principal: only for the bench's own loopback server. */
  private static final class OpenGuard implements Guard {
    private static final Principal BENCH = new Principal("lagoa-bench", Set.of(), false);

    @Override
    public Principal authenticate(Context ctx) {
      return BENCH;
    }

    @Override
    public void require(Principal principal, Privilege privilege, Securable securable) {}

    @Override
    public boolean canSee(Principal principal, Securable securable) {
      return true;
    }
  }
}

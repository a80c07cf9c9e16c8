package io.lagoa.server;

import io.lagoa.server.rest.Audit;
import io.lagoa.server.rest.Guard;
import io.lagoa.server.rest.TableConfig;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.Catalog;

/**
 * What a server serves and with which checks: the catalog, the guard that authenticates and
 * authorizes, the storage settings handed to clients, the audit trail, the token endpoint, and what
 * to close when the server stops.
 */
public record ServerComponents(
    Catalog catalog,
    Guard guard,
    TableConfig tableConfig,
    Audit audit,
    Optional<TokenEndpoint> tokenEndpoint,
    List<AutoCloseable> resources) {

  public ServerComponents {
    resources = List.copyOf(resources);
  }

  /** The production components for a configuration. */
  public static ServerComponents open(io.lagoa.config.LagoaConfig config) {
    throw new UnsupportedOperationException("wired in the next step");
  }
}

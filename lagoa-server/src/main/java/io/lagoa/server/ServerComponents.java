package io.lagoa.server;

import io.lagoa.access.AccessControl;
import io.lagoa.audit.AuditPublisher;
import io.lagoa.audit.CatalogAuditLog;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.ConfigKeys;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.ServerConfig;
import io.lagoa.server.rest.Audit;
import io.lagoa.server.rest.Guard;
import io.lagoa.server.rest.TableConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Iceberg's JDBC catalog keeps 2 connections by default; a server answering many clients at once
   * needs more. Set catalog.properties.clients to choose.
   */
  static final String CONNECTIONS = "8";

  /**
   * The production components for a configuration: its catalog database (SQLite or PostgreSQL)
   * served as it is, bearer tokens and grants from the same database, and the audit trail.
   */
  public static ServerComponents open(LagoaConfig config) {
    if (config.catalog().type() == CatalogType.REST) {
      throw new ServerStartException(
          "lagoa server serves a catalog database, but catalog.type is rest ("
              + config.origin(ConfigKeys.CATALOG_TYPE)
              + "): point the server's lagoa.yaml at the sqlite or postgres catalog it should"
              + " serve",
          null);
    }
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      Catalog catalog = LagoaCatalogs.open(withConnections(config));
      opened.add(catalog instanceof AutoCloseable closeable ? closeable : () -> {});
      Clock clock = Clock.systemUTC();
      AccessControl access = AccessControl.open(config, clock);
      opened.add(access);
      CatalogAuditLog log = CatalogAuditLog.open(config);
      opened.add(log);
      AuditPublisher publisher = AuditPublisher.open(config);
      opened.add(publisher);
      publisher.start();
      RequestAudit audit = new RequestAudit(log, clock);
      ServerConfig server = config.server();
      return new ServerComponents(
          catalog,
          new AccessGuard(access, server.anonymousRole()),
          TableConfig.forClients(config),
          audit,
          Optional.of(new OAuthTokenEndpoint(access, server.tokenLifetime(), audit)),
          opened);
    } catch (RuntimeException e) {
      for (AutoCloseable resource : opened) {
        try {
          resource.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static LagoaConfig withConnections(LagoaConfig config) {
    CatalogConfig catalog = config.catalog();
    if (catalog.properties().containsKey("clients")) {
      return config;
    }
    Map<String, String> properties = new LinkedHashMap<>(catalog.properties());
    properties.put("clients", CONNECTIONS);
    return config.withCatalog(catalog.withProperties(properties));
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.catalog.LagoaRestCatalog;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.testing.CatalogContract;
import io.lagoa.testing.TestingWarehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog contract through {@code lagoa server}: a client configured {@code catalog.type: rest}
 * against a real server on the warehouse's SQLite catalog, the way a team shares one catalog over
 * HTTP. The server runs the commit check; the client recognises its refusal.
 */
class TestRestCatalogContract extends CatalogContract {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static LagoaConfig config;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    config = warehouse.config(server.clientEnvironment());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
  }

  @Override
  protected LagoaConfig config() {
    return config;
  }

  @Override
  protected SqlSession newSqlSession() {
    SparkSql sql = new SparkSql(LagoaSpark.session(config));
    return statement -> sql.execute(statement, 10_000);
  }

  /** Leases live in the catalog database, which a REST client never sees. */
  @Override
  protected boolean supportsPipelineLeases() {
    return false;
  }

  @Test
  void theClientIsLagoasRestCatalogAndKeepsNoLeases() {
    assertThat(config.catalog().type()).isEqualTo(CatalogType.REST);
    assertThat(openCatalog()).isInstanceOf(LagoaRestCatalog.class);
    assertThat(PipelineLeases.of(config, java.time.Clock.systemUTC())).isEmpty();
  }

  /** Sessions for other lakehouses in this JVM leave nothing behind in this one's catalog. */
  @Test
  void aSessionCarriesOnlyThisCatalogsSettings() {
    CatalogSessions.assertCatalogSettingsAreExactly(LagoaSpark.session(config), config);
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.CatalogContract;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog contract on PostgreSQL, configured the way a team would: LAGOA_CATALOG_TYPE,
 * LAGOA_CATALOG_URI, LAGOA_CATALOG_USER and LAGOA_CATALOG_PASSWORD.
 */
class TestPostgresCatalogContract extends CatalogContract {
  private static final String DATABASE = "lagoa_catalog";
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;
  private static LagoaConfig config;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
    postgres.createDatabase(DATABASE);
    warehouse = TestingWarehouse.create();
    config = warehouse.config(postgres.catalogEnvironment(DATABASE));
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
    if (postgres != null) {
      postgres.close();
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

  /** Sessions for other lakehouses in this JVM leave nothing behind in this one's catalog. */
  @Test
  void aSessionCarriesOnlyThisCatalogsSettings() {
    CatalogSessions.assertCatalogSettingsAreExactly(LagoaSpark.session(config), config);
  }

  @Test
  void keepsTheCatalogInPostgres() throws SQLException {
    assertThat(config.catalog().type()).isEqualTo(CatalogType.POSTGRES);
    String namespace = uniqueName("pg");
    SqlSession sql = newSqlSession();
    sql.execute("CREATE NAMESPACE " + namespace);
    sql.execute("CREATE TABLE " + namespace + ".t (id BIGINT) USING iceberg");

    try (Connection connection = postgres.connect(DATABASE);
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT table_name, metadata_location FROM iceberg_tables"
                    + " WHERE table_namespace = '"
                    + namespace
                    + "'")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getString(1)).isEqualTo("t");
      assertThat(Path.of(URI.create(result.getString(2))))
          .startsWith(warehouse.warehouse().resolve(namespace).resolve("t"));
      assertThat(result.next()).isFalse();
    }
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.CatalogContract;
import io.lagoa.testing.TestingWarehouse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog contract on the embedded default: SQLite at {@code <warehouse>/catalog.db}. */
class TestSqliteCatalogContract extends CatalogContract {
  private static TestingWarehouse warehouse;
  private static LagoaConfig config;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    config = warehouse.config();
  }

  @AfterAll
  static void stop() {
    warehouse.close();
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

  @Test
  void keepsTheCatalogInTheWarehouseInWriteAheadLogMode() throws SQLException {
    assertThat(config.catalog().type()).isEqualTo(CatalogType.SQLITE);
    Catalog catalog = openCatalog();
    Namespace namespace = Namespace.of(uniqueName("wal"));
    ((SupportsNamespaces) catalog).createNamespace(namespace);
    catalog.createTable(TableIdentifier.of(namespace, "t"), schema());

    assertThat(config.catalog().uri())
        .isEqualTo("jdbc:sqlite:" + warehouse.warehouse().resolve("catalog.db"));
    try (Connection connection = DriverManager.getConnection(config.catalog().uri());
        Statement statement = connection.createStatement()) {
      assertThat(single(statement, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(
              single(
                  statement,
                  "SELECT table_name FROM iceberg_tables WHERE table_namespace = '"
                      + namespace
                      + "'"))
          .isEqualTo("t");
    }
  }

  /**
   * SQLite has one writer at a time. A commit that meets another writer's lock must wait for it
   * (catalog busy_timeout) rather than fail with "database is locked"; the lock here is held longer
   * than sqlite-jdbc's own 3 second default.
   */
  /** Sessions for other lakehouses in this JVM leave nothing behind in this one's catalog. */
  @Test
  void aSessionCarriesOnlyThisCatalogsSettings() {
    CatalogSessions.assertCatalogSettingsAreExactly(LagoaSpark.session(config), config);
  }

  @Test
  void aCommitWaitsForAnotherWritersLockInsteadOfFailing() throws Exception {
    Catalog catalog = openCatalog();
    Namespace namespace = Namespace.of(uniqueName("lock"));
    ((SupportsNamespaces) catalog).createNamespace(namespace);
    Table table = catalog.createTable(TableIdentifier.of(namespace, "t"), schema());

    CompletableFuture<Long> commit;
    try (Connection other = DriverManager.getConnection(config.catalog().uri());
        Statement statement = other.createStatement()) {
      other.setAutoCommit(false);
      statement.executeUpdate("UPDATE iceberg_tables SET table_name = table_name");
      commit =
          CompletableFuture.supplyAsync(
              () -> {
                long started = System.nanoTime();
                table.updateProperties().set("owner", "contract").commit();
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
              });
      Thread.sleep(4_000);
      assertThat(commit).isNotDone();
      other.rollback();
    }
    assertThat(commit.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(3_500L);
    assertThat(catalog.loadTable(TableIdentifier.of(namespace, "t")).properties())
        .containsEntry("owner", "contract");
  }

  private static org.apache.iceberg.Schema schema() {
    return new org.apache.iceberg.Schema(Types.NestedField.optional(1, "id", Types.LongType.get()));
  }

  private static String single(Statement statement, String query) throws SQLException {
    try (ResultSet result = statement.executeQuery(query)) {
      assertThat(result.next()).as(query).isTrue();
      return result.getString(1);
    }
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.testing.TestingWarehouse;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A plain Spark session with the stock iceberg-spark-runtime REST catalog (SparkCatalog, {@code
 * type=rest}, the server's URI; none of Lagoa's catalog code) against {@code lagoa server}: it
 * creates, writes, reads and time-travels a table, and Lagoa reads what it wrote (and the other way
 * round). The JVM has one SparkContext, so the stock catalog is set at run time on a session of its
 * own.
 */
class TestStockSparkInterop {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static LagoaConfig lagoa;
  private static SparkSession stock;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    lagoa = warehouse.config(server.clientEnvironment());
    // A session of its own; only the stock catalog's settings are used below.
    stock = LagoaSpark.session(lagoa);
    stock.conf().set("spark.sql.catalog.stock", "org.apache.iceberg.spark.SparkCatalog");
    stock.conf().set("spark.sql.catalog.stock.type", "rest");
    stock.conf().set("spark.sql.catalog.stock.uri", server.uri().toString());
    // client credentials for the server's token endpoint, as a team's Spark job would have
    stock.conf().set("spark.sql.catalog.stock.credential", server.admin().credential().value());
    stock
        .conf()
        .set(
            "spark.sql.catalog.stock.oauth2-server-uri",
            server.uri().resolve("/v1/oauth/tokens").toString());
    // Iceberg's Spark catalog caches a loaded table for 30 s by default, so a session would not
    // see another client's commit meanwhile; docs/server.md recommends turning it off.
    stock.conf().set("spark.sql.catalog.stock.cache-enabled", "false");
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

  @Test
  void stockSparkWritesReadsAndTimeTravelsAndLagoaReadsIt() throws Exception {
    sql("CREATE NAMESPACE stock.interop");
    sql("CREATE TABLE stock.interop.orders (id BIGINT, customer STRING) USING iceberg");
    sql("INSERT INTO stock.interop.orders VALUES (1, 'ana'), (2, 'bruno')");
    sql("INSERT INTO stock.interop.orders VALUES (3, 'carla')");

    assertThat(rows("SELECT id, customer FROM stock.interop.orders ORDER BY id"))
        .containsExactly(List.of(1L, "ana"), List.of(2L, "bruno"), List.of(3L, "carla"));
    List<Row> snapshots =
        sql("SELECT snapshot_id, committed_at FROM stock.interop.orders.snapshots"
                + " ORDER BY committed_at")
            .collectAsList();
    assertThat(snapshots).hasSize(2);
    long firstSnapshot = snapshots.get(0).getLong(0);
    assertThat(
            rows(
                "SELECT id FROM stock.interop.orders VERSION AS OF "
                    + firstSnapshot
                    + " ORDER BY id"))
        .containsExactly(List.of(1L), List.of(2L));
    long firstCommitMillis = ((java.time.Instant) snapshots.get(0).get(1)).toEpochMilli();
    long secondCommitMillis = ((java.time.Instant) snapshots.get(1).get(1)).toEpochMilli();
    assertThat(secondCommitMillis).isGreaterThan(firstCommitMillis);
    assertThat(
            rows(
                "SELECT count(*) FROM stock.interop.orders TIMESTAMP AS OF timestamp_millis("
                    + firstCommitMillis
                    + ")"))
        .containsExactly(List.of(2L));

    // Lagoa (catalog.type rest) reads what stock Spark wrote, through SQL and the Iceberg API.
    SparkSql lagoaSql = new SparkSql(LagoaSpark.session(lagoa));
    assertThat(lagoaSql.execute("SELECT count(*) FROM interop.orders", 10).rows())
        .containsExactly(List.of(3L));
    Catalog catalog = LagoaCatalogs.open(lagoa);
    try {
      Table table = catalog.loadTable(TableIdentifier.of("interop", "orders"));
      List<Long> ids = new ArrayList<>();
      for (Snapshot snapshot : table.snapshots()) {
        ids.add(snapshot.snapshotId());
      }
      assertThat(ids).containsExactly(firstSnapshot, snapshots.get(1).getLong(0));
    } finally {
      ((AutoCloseable) catalog).close();
    }

    // and stock Spark reads what Lagoa wrote
    lagoaSql.execute("INSERT INTO interop.orders VALUES (4, 'duda')", 10);
    assertThat(rows("SELECT customer FROM stock.interop.orders WHERE id = 4"))
        .containsExactly(List.of("duda"));
  }

  private static org.apache.spark.sql.Dataset<Row> sql(String statement) {
    SparkSession.setActiveSession(stock);
    return stock.sql(statement);
  }

  private static List<List<Object>> rows(String query) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row row : sql(query).collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        values.add(row.get(i));
      }
      rows.add(values);
    }
    return rows;
  }
}

package io.lagoa.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.config.LagoaConfig;
import io.lagoa.result.QueryResult;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.ChildProcessMain;
import io.lagoa.testing.TestingTrino;
import io.lagoa.testing.TestingWarehouse;
import io.lagoa.testing.TrinoQueryException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Trino 476 (the one Trino of the build) with its Iceberg connector on {@code lagoa server}:
 * Trino reads a table Lagoa wrote, inserts into it, and Lagoa reads Trino's rows. Trino
 * authenticates with OAuth2 client credentials like any team's Trino would.
 */
class TestTrinoInterop {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static TestingTrino trino;
  private static SparkSql lagoa;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    LagoaConfig client = warehouse.config(server.clientEnvironment());
    lagoa = new SparkSql(LagoaSpark.session(client));
    trino =
        TestingTrino.start(
            Map.of(
                "iceberg.catalog.type", "rest",
                "iceberg.rest-catalog.uri", server.uri().toString(),
                "iceberg.rest-catalog.security", "OAUTH2",
                "iceberg.rest-catalog.oauth2.credential", server.admin().credential().value(),
                "iceberg.rest-catalog.oauth2.server-uri",
                    server.uri().resolve("/v1/oauth/tokens").toString(),
                "fs.native-local.enabled", "true",
                "local.location", "/"));
  }

  @AfterAll
  static void stop() {
    long pid = trino == null ? -1 : trino.pid();
    Path directory = trino == null ? null : trino.directory();
    if (trino != null) {
      trino.close();
    }
    if (server != null) {
      server.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    if (directory != null) {
      assertThat(directory).doesNotExist();
    }
  }

  @Test
  void trinoReadsAndWritesWhatLagoaServes() {
    lagoa.execute("CREATE NAMESPACE IF NOT EXISTS lagoa.shop", 10);
    lagoa.execute(
        "CREATE TABLE lagoa.shop.orders (id BIGINT, customer STRING, amount DECIMAL(10,2))"
            + " USING iceberg",
        10);
    lagoa.execute("INSERT INTO lagoa.shop.orders VALUES (1, 'ana', 10.50), (2, 'rui', 20.00)", 10);

    assertThat(trino.query("SELECT id, customer, amount FROM lagoa.shop.orders ORDER BY id"))
        .containsExactly(
            List.of(1L, "ana", new BigDecimal("10.50")),
            List.of(2L, "rui", new BigDecimal("20.00")));
    assertThat(trino.query("SHOW TABLES FROM lagoa.shop")).containsExactly(List.of("orders"));

    trino.execute("INSERT INTO lagoa.shop.orders VALUES (3, 'eva', DECIMAL '5.25')");

    QueryResult rows = lagoa.execute("SELECT id, customer FROM lagoa.shop.orders ORDER BY id", 10);
    assertThat(rows.rows())
        .extracting(row -> row.get(0) + ":" + row.get(1))
        .containsExactly("1:ana", "2:rui", "3:eva");
    // Trino's commit is the table's newest snapshot, on top of Lagoa's
    assertThat(trino.query("SELECT count(*) FROM lagoa.shop.\"orders$snapshots\""))
        .containsExactly(List.of(2L));
  }

  @Test
  void trinoTablesAreLagoaTables() {
    trino.execute("CREATE SCHEMA lagoa.made_by_trino");
    trino.execute(
        "CREATE TABLE lagoa.made_by_trino.events AS SELECT x AS id FROM UNNEST(sequence(1, 100))"
            + " AS t(x)");
    assertThat(
            lagoa
                .execute("SELECT count(*), sum(id) FROM lagoa.made_by_trino.events", 10)
                .rows()
                .get(0))
        .extracting(String::valueOf)
        .containsExactly("100", "5050");
  }

  @Test
  void theFixtureTypesValuesAndReportsTrinosErrors() {
    assertThat(ProcessHandle.of(trino.pid()).flatMap(p -> p.info().commandLine()).orElse(""))
        .contains(ChildProcessMain.class.getName(), "io.trino.server.TrinoServer");
    assertThat(trino.version()).isEqualTo("476");
    assertThat(
            trino.query(
                "SELECT BIGINT '7', 'a', CAST(NULL AS varchar), DECIMAL '1.50', DATE '2024-01-31',"
                    + " true, ARRAY[1, 2]"))
        .containsExactly(
            Arrays.asList(
                7L, "a", null, new BigDecimal("1.50"), "2024-01-31", true, List.of(1, 2)));
    assertThatThrownBy(() -> trino.query("SELEC 1"))
        .isInstanceOfSatisfying(
            TrinoQueryException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("SYNTAX_ERROR");
              assertThat(e.errorType()).isEqualTo("USER_ERROR");
            })
        .hasMessageContaining("mismatched input 'SELEC'");
    assertThatThrownBy(() -> trino.query("SELECT * FROM lagoa.nowhere.missing"))
        .isInstanceOf(TrinoQueryException.class)
        .hasMessageContaining("nowhere");
    assertThatThrownBy(
            () ->
                trino.createCatalog(
                    "interop_bad",
                    Map.of("iceberg.catalog.type", "rest", "iceberg.no-such-property", "1")))
        .isInstanceOf(TrinoQueryException.class)
        .hasMessageContaining("iceberg.no-such-property");
  }
}

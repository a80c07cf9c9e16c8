package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.result.QueryResult;
import io.lagoa.testing.TestingWarehouse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestSparkSql {
  private static TestingWarehouse warehouse;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void returnsPlainJavaValues() {
    QueryResult result =
        sql.execute(
            "SELECT 1 AS i, 'x' AS s, CAST(2.50 AS DECIMAL(5,2)) AS d, DATE'2026-01-02' AS day,"
                + " array(1, 2) AS a, map('k', 1) AS m, named_struct('f', 1) AS st",
            10);
    assertThat(result.columns())
        .extracting("name")
        .containsExactly("i", "s", "d", "day", "a", "m", "st");
    assertThat(result.rows())
        .containsExactly(
            List.of(
                1,
                "x",
                new BigDecimal("2.50"),
                LocalDate.of(2026, 1, 2),
                List.of(1, 2),
                Map.of("k", 1),
                Map.of("f", 1)));
  }

  @Test
  void writesIcebergTablesInTheLagoaCatalog() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS bronze");
    sql.run("CREATE TABLE bronze.t (id BIGINT, name STRING) USING iceberg");
    sql.run("INSERT INTO bronze.t VALUES (1, 'a'), (2, 'b')");
    QueryResult result = sql.execute("SELECT count(*) FROM lagoa.bronze.t", 10);
    assertThat(result.rows()).containsExactly(List.of(2L));
    QueryResult provider = sql.execute("SHOW TBLPROPERTIES bronze.t ('format-version')", 10);
    assertThat(provider.rows().get(0).get(1)).isEqualTo("2");
  }

  @Test
  void truncatesAtMaxRows() {
    QueryResult result = sql.execute("SELECT id FROM range(10)", 3);
    assertThat(result.rows()).hasSize(3);
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void reportsSyntaxErrorsWithPosition() {
    assertThatThrownBy(() -> sql.execute("SELECT 1,\nFROM x WHERE", 10))
        .isInstanceOfSatisfying(
            SqlException.class,
            e -> {
              assertThat(e.getMessage()).contains("PARSE_SYNTAX_ERROR");
              assertThat(e.line()).hasValue(2);
            });
  }

  @Test
  void reportsMissingTablesWithoutThePlan() {
    assertThatThrownBy(() -> sql.execute("SELECT * FROM silver.nope", 10))
        .isInstanceOfSatisfying(
            SqlException.class,
            e -> {
              assertThat(e.getMessage()).contains("TABLE_OR_VIEW_NOT_FOUND").contains("silver");
              assertThat(e.getMessage()).doesNotContain("UnresolvedRelation");
              assertThat(e.line()).hasValue(1);
              assertThat(e.column()).hasValue(14);
            });
  }

  @Test
  void reportsRuntimeErrors() {
    assertThatThrownBy(() -> sql.execute("SELECT CAST('abc' AS INT)", 10))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("CAST_INVALID_INPUT");
  }

  @Test
  void cancelStopsTheTaggedStatementOnly() throws Exception {
    // Listening before the statement starts: a stage submitted earlier is never counted.
    JobProgress progress = sql.progress();
    CompletableFuture<Throwable> failure =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                sql.execute("SELECT max(id) FROM range(0, 1000000000000, 1, 2)", 10, "stmt-1");
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    while (progress.snapshot().runningStages() == 0) {
      assertThat(failure).isNotDone();
      sql.cancel("some-other-statement");
      Thread.sleep(20);
    }
    assertThat(failure).isNotDone();
    sql.cancel("stmt-1");
    assertThat(failure.get(60, TimeUnit.SECONDS))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("SPARK_JOB_CANCELLED");
    // The tag is gone with the statement: cancelling it again stops nothing new.
    sql.cancel("stmt-1");
    assertThat(sql.execute("SELECT 1 AS one", 10, "stmt-2").rows()).containsExactly(List.of(1));
  }
}

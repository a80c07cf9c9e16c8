package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.result.QueryResult;
import io.lagoa.testing.TestingWarehouse;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LocalTableScanExec;
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
  void fetchesWhatSparksOwnCollectGivesForEveryType() {
    String query =
        "SELECT true AS b, CAST(1 AS TINYINT) AS t, CAST(2 AS SMALLINT) AS sm, 3 AS i,"
            + " 4000000000L AS l, CAST(1.5 AS FLOAT) AS f, 2.25D AS db,"
            + " CAST('12345678901234567890.1234567890' AS DECIMAL(38,10)) AS big,"
            + " CAST(0.01 AS DECIMAL(3,2)) AS small, 'é' AS s, X'CAFE' AS bin,"
            + " DATE'1969-12-31' AS day, TIMESTAMP'2026-03-29 01:30:00 UTC' AS ts,"
            + " TIMESTAMP_NTZ'2026-03-29 02:30:00' AS ntz, NULL AS n,"
            + " array(named_struct('k', 1, 'v', array(DATE'2026-01-02', NULL))) AS nested,"
            + " map('a', TIMESTAMP'2026-01-01 00:00:00 UTC') AS m,"
            + " INTERVAL '2' DAY AS days, CAST(NULL AS STRING) AS none"
            + " FROM range(3)";
    Dataset<Row> all = sql.session().sql(query);
    // an interval column has no interpreted conversion here: Spark's encoder fetches those rows
    assertThat(PlanRows.converted(all.schema())).isFalse();
    assertThat(PlanRows.collect(all, "collect")).usingRecursiveComparison().isEqualTo(encoded(all));
    Dataset<Row> frame = all.drop("days");
    assertThat(PlanRows.converted(frame.schema())).isTrue();
    List<List<Object>> fetched = PlanRows.collect(sql.session().sql(query).drop("days"), "collect");
    assertThat(fetched).hasSize(3).usingRecursiveComparison().isEqualTo(encoded(frame));
    assertThat(fetched.get(0).get(12)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    assertThat(fetched.get(0).get(13)).isEqualTo(LocalDateTime.parse("2026-03-29T02:30"));
    assertThat(fetched.get(0).get(10)).isEqualTo(new byte[] {(byte) 0xCA, (byte) 0xFE});
    assertThat(PlanRows.take(sql.session().sql(query), 2)).hasSize(2);

    // rows Spark already holds (an inline table folded with its projection) are read as they are
    String inline = query.replace("FROM range(3)", "FROM VALUES (1), (2), (3) AS r(x)");
    Dataset<Row> local = sql.session().sql(inline).drop("days");
    List<List<Object>> expected = encoded(sql.session().sql(inline).drop("days"));
    assertThat(local.queryExecution().executedPlan()).isInstanceOf(LocalTableScanExec.class);
    assertThat(PlanRows.collect(local, "collect"))
        .hasSize(3)
        .usingRecursiveComparison()
        .isEqualTo(expected);
    assertThat(local.queryExecution().executedPlan().metrics().apply("numOutputRows").value())
        .isEqualTo(3);
  }

  /** Spark's own collect: its Row encoder, then the same conversion to plain Java values. */
  private static List<List<Object>> encoded(Dataset<Row> frame) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row row : frame.collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        values.add(SparkValues.toJava(row.get(i), frame.schema().fields()[i].dataType()));
      }
      rows.add(values);
    }
    return rows;
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

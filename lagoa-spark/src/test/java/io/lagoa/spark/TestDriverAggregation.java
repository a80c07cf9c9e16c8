package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import org.apache.iceberg.spark.SparkSQLProperties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aggregations over rows the driver already holds (Iceberg's answers from metadata, VALUES) are
 * computed while planning, and give Spark's own answers.
 */
class TestDriverAggregation {
  /** Iceberg's switch for answers from metadata; off, Spark aggregates the rows it scans. */
  private static final String PUSH_DOWN = SparkSQLProperties.AGGREGATE_PUSH_DOWN_ENABLED;

  private static TestingWarehouse warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    spark.sql("CREATE NAMESPACE IF NOT EXISTS agg");
    spark.sql(
        "CREATE TABLE agg.t (id BIGINT, amount DECIMAL(12,2), note STRING, day DATE)"
            + " USING iceberg PARTITIONED BY (day)");
    spark.sql(
        "INSERT INTO agg.t SELECT id, CAST(id * 1.25 AS DECIMAL(12,2)),"
            + " CASE WHEN id % 3 = 0 THEN NULL ELSE concat('n', id) END,"
            + " DATE'2026-01-01' + CAST(id % 4 AS INT) FROM range(0, 50) AS r(id)");
    spark.sql("INSERT INTO agg.t VALUES (1000, NULL, 'last', DATE'2026-02-01')");
    spark.sql("CREATE TABLE agg.empty (id BIGINT, amount DECIMAL(12,2)) USING iceberg");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void answersAggregatesFromMetadataWithoutAJob() {
    String query =
        "SELECT count(*), count(note), min(id), max(id), min(amount), max(day) FROM agg.t";
    String plan = executedPlan(query);
    assertThat(plan).contains("LocalTableScan").doesNotContain("Exchange", "Aggregate");
    assertThat(rows(query)).isEqualTo(scanned(query)).hasSize(1);
    assertThat(rows(query).get(0).getLong(0)).isEqualTo(51);
  }

  @Test
  void answersAnEmptyTableAsSparkDoes() {
    for (String query :
        List.of(
            "SELECT count(*) FROM agg.empty",
            "SELECT count(*), min(amount), max(id) FROM agg.empty")) {
      assertThat(rows(query)).as(query).isEqualTo(scanned(query)).hasSize(1);
    }
  }

  @Test
  void computesAggregatesOverValuesAsSparkDoes() {
    // range() is not on the driver, so Spark plans it as always: the reference
    String values =
        "SELECT sum(x), avg(x), count(*) FILTER (WHERE x > 1), max(x) - min(x),"
            + " sum(CAST(x AS DECIMAL(12,2)) / 3) FROM VALUES (0), (1), (2), (3) AS v(x)";
    String range =
        "SELECT sum(x), avg(x), count(*) FILTER (WHERE x > 1), max(x) - min(x),"
            + " sum(CAST(x AS DECIMAL(12,2)) / 3) FROM (SELECT CAST(id AS INT) AS x"
            + " FROM range(0, 4))";
    assertThat(executedPlan(values)).doesNotContain("Exchange", "Aggregate");
    assertThat(executedPlan(range)).contains("Exchange");
    assertThat(rows(values)).isEqualTo(rows(range));
  }

  @Test
  void leavesGroupsAndDistinctToSpark() {
    assertThat(executedPlan("SELECT x, count(*) FROM VALUES (1), (1), (2) AS v(x) GROUP BY x"))
        .contains("Aggregate");
    assertThat(executedPlan("SELECT count(DISTINCT x) FROM VALUES (1), (1), (2) AS v(x)"))
        .contains("Aggregate");
  }

  @Test
  void anOverflowFailsWhenTheQueryRunsNotWhenItIsExplained() {
    String query = "SELECT sum(x) FROM VALUES (9223372036854775807L), (1L) AS v(x)";
    assertThat(spark.sql(query).queryExecution().executedPlan().toString()).contains("Aggregate");
    assertThat(catchThrowable(() -> rows(query))).hasStackTraceContaining("ARITHMETIC_OVERFLOW");
  }

  private static List<Row> rows(String query) {
    SparkSession.setActiveSession(spark);
    return spark.sql(query).collectAsList();
  }

  /** The same query with Iceberg's aggregate push-down off: Spark aggregates what it scans. */
  private static List<Row> scanned(String query) {
    spark.conf().set(PUSH_DOWN, "false");
    try {
      assertThat(executedPlan(query)).doesNotContain("LocalTableScan");
      return rows(query);
    } finally {
      spark.conf().unset(PUSH_DOWN);
    }
  }

  private static String executedPlan(String query) {
    SparkSession.setActiveSession(spark);
    Dataset<Row> frame = spark.sql(query);
    frame.collectAsList();
    return frame.queryExecution().executedPlan().toString();
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same queries with Comet on and off must give the same rows. Runs in its own test JVM (see the
 * comet execution in this module's pom), so Spark starts with Comet's plugin; the plain session is
 * a second session of the same Spark with the accelerator off.
 */
class TestCometAccelerator {
  private static TestingWarehouse warehouse;
  private static SparkSession comet;
  private static SparkSession plain;

  @BeforeAll
  static void start() {
    stopSpark();
    warehouse = TestingWarehouse.create();
    comet =
        LagoaSpark.session(
            warehouse.config(
                Map.of("LAGOA_SPARK_ACCELERATOR", "comet", "LAGOA_SPARK_DUCKDB_READS", "false")));
    plain =
        LagoaSpark.session(
            warehouse.config(
                Map.of("LAGOA_SPARK_ACCELERATOR", "none", "LAGOA_SPARK_DUCKDB_READS", "false")));
    plain.sql("CREATE NAMESPACE IF NOT EXISTS t");
    plain.sql(
        "CREATE TABLE t.sales (id BIGINT, store INT, amount DECIMAL(12,2), big DECIMAL(38,10),"
            + " ratio DOUBLE, sold_at TIMESTAMP, local_at TIMESTAMP_NTZ, day DATE, note STRING,"
            + " tags ARRAY<STRING>) USING iceberg PARTITIONED BY (days(sold_at))");
    plain.sql(
        "INSERT INTO t.sales SELECT id, CAST(id % 7 AS INT),"
            + " CAST(id * 1.25 AS DECIMAL(12,2)),"
            + " CAST(id AS DECIMAL(38,10)) * 1234567890.0123456789 / 7,"
            + " CASE WHEN id % 11 = 0 THEN NULL ELSE id / 3.0 END,"
            + " TIMESTAMP'2026-03-29 00:30:00' + make_interval(0, 0, 0, 0, id % 5, id % 60, 0),"
            + " TIMESTAMP_NTZ'1899-12-31 23:59:59' + make_interval(0, 0, 0, id, 0, 0, 0.000001),"
            + " DATE'2026-01-01' + CAST(id % 90 AS INT),"
            + " CASE WHEN id % 5 = 0 THEN NULL ELSE concat('n', id) END,"
            + " CASE WHEN id % 3 = 0 THEN NULL ELSE array('a', CAST(id AS STRING)) END"
            + " FROM range(0, 2000) AS r(id)");
    plain.sql("CREATE TABLE t.stores (store INT, name STRING) USING iceberg");
    plain.sql("INSERT INTO t.stores VALUES (0, 'zero'), (1, 'one'), (2, NULL), (3, 'three')");
  }

  @AfterAll
  static void stop() {
    stopSpark(); // the next class starts the Spark its own configuration asks for
    warehouse.close();
  }

  private static void stopSpark() {
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession.getDefaultSession().get().stop();
    }
    SparkSession.clearDefaultSession();
    SparkSession.clearActiveSession();
  }

  @Test
  void startsSparkWithCometAndTurnsItOffPerSession() {
    assertThat(comet.conf().get(CometAccelerator.ENABLED)).isEqualTo("true");
    assertThat(plain.conf().get(CometAccelerator.ENABLED)).isEqualTo("false");
    assertThat(comet.sparkContext().getConf().get("spark.shuffle.manager"))
        .isEqualTo(CometAccelerator.SHUFFLE_MANAGER);
  }

  @Test
  void runsIcebergScansAggregationsAndJoinsNatively() {
    String plan = explain(comet, "SELECT store, sum(amount) FROM t.sales GROUP BY store");
    assertThat(plan).contains("CometIcebergNativeScan").contains("CometHashAggregate");
    assertThat(explain(plain, "SELECT store, sum(amount) FROM t.sales GROUP BY store"))
        .doesNotContain("Comet");
  }

  @Test
  void leavesPlansThatReadNoDataFileToSpark() {
    // Iceberg answers COUNT(*) from its manifests; Lagoa computes the rest on the driver, so
    // there is no job for the accelerator to take over (no native shuffle of one row).
    String metadataOnly = "SELECT count(*), min(id) FROM t.sales";
    assertThat(explain(comet, metadataOnly))
        .contains("LocalTableScan")
        .doesNotContain("Comet", "Exchange");
    assertSameRows(metadataOnly);
    // SELECT without FROM: computed on the driver too, not a native projection of one row.
    String noTable = "SELECT 1 + 1 AS x, CAST(7.5 AS DECIMAL(12,2)) / 3, 'a' || 'b'";
    assertThat(explain(comet, noTable)).startsWith("LocalTableScan").doesNotContain("Comet");
    assertSameRows(noTable);
    assertThat(explain(comet, "SELECT count(*) FROM t.sales WHERE note IS NULL"))
        .contains("CometIcebergNativeScan");
  }

  @Test
  void explainSaysWhichOperatorsRunNatively() {
    String query = "SELECT store, sum(amount) FROM t.sales WHERE id > 10 GROUP BY store";
    PlanExplanation accelerated = new SparkSql(comet).explain(query);
    assertThat(accelerated.nativeOperators())
        .contains("CometIcebergNativeScan", "CometHashAggregate");
    assertThat(accelerated.plan()).contains("CometIcebergNativeScan");
    PlanExplanation sparkOnly = new SparkSql(plain).explain(query);
    assertThat(sparkOnly.nativeOperators()).isEmpty();
    assertThat(sparkOnly.sparkOperators()).contains("BatchScan", "HashAggregate");
  }

  @Test
  void shufflesThroughCometsNativeShuffleNotItsColumnarOne() {
    // Comet's default (auto) picks its native shuffle: faster than its JVM columnar shuffle
    // (spark.comet.shuffle.mode jvm, Lagoa's setting until session 11) on every TPC-H query.
    String aggregate =
        "SELECT store, count(*), sum(amount), sum(big) FROM t.sales GROUP BY store ORDER BY store";
    String join =
        "SELECT /*+ MERGE(s) */ s.name, count(*), sum(x.amount) FROM t.sales x JOIN t.stores s"
            + " ON x.store = s.store GROUP BY s.name ORDER BY s.name NULLS FIRST";
    for (String query : List.of(aggregate, join)) {
      assertThat(explain(comet, query))
          .as(query)
          .contains("CometNativeShuffle")
          .doesNotContain("CometColumnarShuffle");
      assertSameRows(query);
    }
  }

  @Test
  void leavesSortMergeJoinsWithAJoinFilterToSpark() {
    // TPC-H q21's EXISTS / NOT EXISTS with a second condition: Comet's native sort-merge join with
    // a join filter was slower than Spark's. The hint asks for a sort-merge join (small tables
    // would otherwise be broadcast).
    String semi =
        "SELECT /*+ MERGE(b) */ a.store, count(*) FROM t.sales a LEFT SEMI JOIN t.sales b"
            + " ON a.store = b.store AND b.id > a.id + 1900 GROUP BY a.store ORDER BY a.store";
    String anti =
        "SELECT /*+ MERGE(b) */ a.store, a.id FROM t.sales a LEFT ANTI JOIN t.sales b"
            + " ON a.store = b.store AND b.id > a.id ORDER BY a.store";
    for (String query : List.of(semi, anti)) {
      assertThat(explain(comet, query))
          .as(query)
          .contains("SortMergeJoin", "CometSort")
          .doesNotContain("CometSortMergeJoin");
      assertSameRows(query);
    }
    String keysOnly =
        "SELECT /*+ MERGE(b) */ count(*) FROM t.sales a LEFT SEMI JOIN t.sales b"
            + " ON a.store = b.store";
    assertThat(explain(comet, keysOnly)).contains("CometSortMergeJoin");
  }

  @Test
  void aggregatesDecimalsTimestampsAndNullsAlike() {
    assertSameRows(
        "SELECT store, count(*), count(note), sum(amount), avg(amount), sum(big), min(sold_at),"
            + " max(local_at), min(day), sum(ratio), count(DISTINCT note)"
            + " FROM t.sales GROUP BY store ORDER BY store");
    assertSameRows(
        "SELECT date_trunc('HOUR', sold_at) AS h, hour(sold_at), CAST(local_at AS STRING),"
            + " CAST(sold_at AS DATE), unix_micros(sold_at) FROM t.sales WHERE id % 97 = 1"
            + " ORDER BY h, 2, 3");
  }

  @Test
  void readsHoursOfArgumentsConstantOverAFileAlike() {
    // Comet's native hour/minute/second/unix_timestamp fail on an argument that is constant over
    // a batch (apache/datafusion-comet#3336): here the CASE over the first file (no id > 150)
    // and the coalesce over the second (nothing but nulls)
    plain.sql("CREATE TABLE t.shifts (id BIGINT, start TIMESTAMP) USING iceberg");
    plain.sql(
        "INSERT INTO t.shifts SELECT id, TIMESTAMP'2026-03-29 00:30:00'"
            + " + make_interval(0, 0, 0, 0, 0, id, id % 7) FROM range(0, 100) AS r(id)");
    plain.sql("INSERT INTO t.shifts SELECT id, NULL FROM range(200, 210) AS r(id)");
    for (String function : List.of("hour", "minute", "second", "unix_timestamp")) {
      assertSameRows(
          "SELECT "
              + function
              + "(CASE WHEN id > 150 THEN start END) AS a, "
              + function
              + "(coalesce(start, TIMESTAMP'2026-01-01 01:02:03')) AS b, count(*)"
              + " FROM t.shifts GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2");
    }
  }

  @Test
  void joinsFiltersAndPointLookupsAlike() {
    assertSameRows(
        "SELECT s.name, count(*), sum(x.amount) FROM t.sales x LEFT JOIN t.stores s"
            + " ON x.store = s.store GROUP BY s.name ORDER BY s.name NULLS FIRST");
    assertSameRows("SELECT * FROM t.sales WHERE id = 1234");
    assertSameRows(
        "SELECT id, note, tags FROM t.sales WHERE note IS NULL AND amount BETWEEN 10 AND 200"
            + " AND sold_at >= TIMESTAMP'2026-03-29 00:30:30' ORDER BY id");
  }

  @Test
  void readsMergeOnReadDeletesAndUpdatesAlike() {
    plain.sql(
        "CREATE TABLE t.mor TBLPROPERTIES ('write.delete.mode'='merge-on-read',"
            + " 'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')"
            + " AS SELECT id, note, amount FROM t.sales");
    plain.sql("DELETE FROM t.mor WHERE id % 4 = 0");
    plain.sql("UPDATE t.mor SET note = 'updated' WHERE id % 9 = 0");
    assertThat(plain.sql("SELECT * FROM t.mor.delete_files").count()).isPositive();
    assertSameRows("SELECT count(*), count(note), sum(amount) FROM t.mor");
    assertSameRows("SELECT * FROM t.mor WHERE id < 100 ORDER BY id");
  }

  @Test
  void readsEvolvedSchemasAlike() {
    plain.sql("CREATE TABLE t.evolve USING iceberg AS SELECT id, amount, note FROM t.sales");
    plain.sql("ALTER TABLE t.evolve ADD COLUMN extra STRING");
    plain.sql("ALTER TABLE t.evolve RENAME COLUMN note TO remark");
    plain.sql("ALTER TABLE t.evolve ALTER COLUMN amount TYPE DECIMAL(20,2)");
    plain.sql("ALTER TABLE t.evolve DROP COLUMN id");
    plain.sql("INSERT INTO t.evolve VALUES (1.50, 'new', 'x'), (NULL, NULL, NULL)");
    assertSameRows("SELECT * FROM t.evolve ORDER BY remark NULLS FIRST, amount NULLS FIRST");
    assertSameRows("SELECT count(extra), count(remark), sum(amount) FROM t.evolve");
  }

  @Test
  void castsPaddedTextToTimestampsAlike() {
    // Comet's list of known differences: Spark trims the ASCII control bytes 0x00-0x20 around a
    // timestamp, Comet trims Unicode whitespace.
    plain.sql("CREATE TABLE t.texts (s STRING) USING iceberg");
    plain.sql(
        "INSERT INTO t.texts VALUES ('2026-03-29 01:30:00'), ('2026-03-29 01:30:00\u0001'),"
            + " ('\u00012026-01-01'), ('2026-01-01\u3000'), (NULL)");
    assertSameRows(
        "SELECT s, try_cast(s AS TIMESTAMP), try_cast(s AS TIMESTAMP_NTZ) FROM t.texts"
            + " ORDER BY s NULLS FIRST");
  }

  @Test
  void failsOnDecimalDivisionByZeroAlike() {
    String query = "SELECT amount / CAST(store - store AS DECIMAL(12,2)) FROM t.sales";
    Throwable expected = catchThrowable(() -> rows(plain, query));
    Throwable actual = catchThrowable(() -> rows(comet, query));
    assertThat(expected).isNotNull();
    assertThat(SparkSql.translate(query, actual).getMessage())
        .isEqualTo(SparkSql.translate(query, expected).getMessage());
  }

  @Test
  void mergesAlike() {
    for (SparkSession session : List.of(comet, plain)) {
      String table = session == comet ? "t.merged_comet" : "t.merged_plain";
      session.sql(
          "CREATE TABLE "
              + table
              + " USING iceberg AS SELECT id, amount, note FROM t.sales"
              + " WHERE id < 500");
      session.sql(
          "MERGE INTO "
              + table
              + " AS m USING (SELECT id, amount * 2 AS amount, note FROM t.sales"
              + " WHERE id % 3 = 0) AS s ON m.id = s.id"
              + " WHEN MATCHED AND s.note IS NULL THEN DELETE"
              + " WHEN MATCHED THEN UPDATE SET amount = s.amount"
              + " WHEN NOT MATCHED THEN INSERT *");
    }
    assertThat(rows(plain, "SELECT * FROM t.merged_comet ORDER BY id"))
        .isEqualTo(rows(plain, "SELECT * FROM t.merged_plain ORDER BY id"))
        .hasSizeGreaterThan(500);
  }

  private static void assertSameRows(String query) {
    List<Row> expected = rows(plain, query);
    assertThat(rows(comet, query)).as(query).isEqualTo(expected);
    assertThat(expected).as(query).isNotEmpty();
  }

  private static List<Row> rows(SparkSession session, String query) {
    SparkSession.setActiveSession(session);
    return session.sql(query).collectAsList();
  }

  /** The plan as run: with adaptive execution, the final plan is known once it has run. */
  private static String explain(SparkSession session, String query) {
    SparkSession.setActiveSession(session);
    Dataset<Row> frame = session.sql(query);
    frame.collectAsList();
    return frame.queryExecution().executedPlan().toString();
  }
}

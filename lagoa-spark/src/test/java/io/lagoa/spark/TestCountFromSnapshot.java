package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import org.apache.iceberg.spark.SparkSQLProperties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole Iceberg table's {@code COUNT(*)} is answered from its snapshot's summary, with the count
 * a scan gives, through the table's life: appends, copy-on-write and merge-on-read deletes, a
 * compaction, a rollback, time travel; and everything that is not such a count is left to Spark.
 */
class TestCountFromSnapshot {
  /** Iceberg's switch for answers from metadata; off, Spark aggregates the rows it scans. */
  private static final String PUSH_DOWN = SparkSQLProperties.AGGREGATE_PUSH_DOWN_ENABLED;

  private static TestingWarehouse warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    spark.sql("CREATE NAMESPACE IF NOT EXISTS cnt");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void countsAWholeTableFromItsSummaryThroughItsLife() {
    spark.sql(
        "CREATE TABLE cnt.t (id BIGINT, day DATE) USING iceberg PARTITIONED BY (day)"
            + " TBLPROPERTIES ('write.delete.mode' = 'copy-on-write')");
    String count = "SELECT count(*) AS n FROM cnt.t";
    assertAnswered(count, 0);

    spark.sql(
        "INSERT INTO cnt.t SELECT id, DATE'2026-01-01' + CAST(id % 3 AS INT) FROM range(0, 40)"
            + " AS r(id)");
    spark.sql("INSERT INTO cnt.t VALUES (100, DATE'2026-02-01'), (101, DATE'2026-02-01')");
    assertAnswered(count, 42);
    long two = snapshot("cnt.t");

    spark.sql("DELETE FROM cnt.t WHERE id % 5 = 0"); // copy-on-write: files rewritten; 9 rows
    assertAnswered(count, 33);

    spark.sql(
        "CALL lagoa.system.rewrite_data_files(table => 'cnt.t', options => map("
            + "'rewrite-all', 'true'))");
    assertAnswered(count, 33);
    assertAnswered("SELECT count(*), count(1) AS ones FROM cnt.t", 33);

    assertAnswered("SELECT count(*) FROM cnt.t VERSION AS OF " + two, 42);
    spark.sql("CALL lagoa.system.rollback_to_snapshot('cnt.t', " + two + ")");
    assertAnswered(count, 42);
  }

  @Test
  void leavesATableWithDeleteFilesToIcebergAndSpark() {
    spark.sql(
        "CREATE TABLE cnt.mor (id BIGINT) USING iceberg TBLPROPERTIES ("
            + "'format-version' = '2', 'write.delete.mode' = 'merge-on-read')");
    spark.sql("INSERT INTO cnt.mor SELECT id FROM range(0, 30) AS r(id)");
    spark.sql("DELETE FROM cnt.mor WHERE id < 7");
    String count = "SELECT count(*) FROM cnt.mor";
    assertThat(optimized(count)).isNotInstanceOf(LocalRelation.class);
    assertThat(rows(count)).isEqualTo(scanned(count)).containsExactly(List.of(23L));
  }

  @Test
  void leavesEverythingButAWholeTablesCountToSpark() {
    spark.sql("CREATE TABLE cnt.other (id BIGINT, note STRING) USING iceberg");
    spark.sql("INSERT INTO cnt.other VALUES (1, 'a'), (2, NULL), (3, 'c')");
    for (String query :
        List.of(
            "SELECT count(*) FROM cnt.other WHERE id > 1",
            "SELECT count(note) FROM cnt.other",
            "SELECT count(DISTINCT id) FROM cnt.other",
            "SELECT count(*) FILTER (WHERE id > 1) FROM cnt.other",
            "SELECT count(*), max(id) FROM cnt.other",
            "SELECT count(*) + 1 FROM cnt.other",
            "SELECT note, count(*) FROM cnt.other GROUP BY note",
            "SELECT count(*) FROM cnt.other.snapshots")) {
      assertThat(optimized(query)).as(query).isNotInstanceOf(LocalRelation.class);
      assertThat(rows(query)).as(query).containsExactlyInAnyOrderElementsOf(scanned(query));
    }
    // off with Iceberg's own answers from metadata
    spark.conf().set(PUSH_DOWN, "false");
    try {
      assertThat(optimized("SELECT count(*) FROM cnt.other")).isNotInstanceOf(LocalRelation.class);
    } finally {
      spark.conf().unset(PUSH_DOWN);
    }
    // inside a larger query, the count is still answered where it stands
    assertThat(rows("SELECT (SELECT count(*) FROM cnt.other) * 2")).containsExactly(List.of(6L));
    assertThat(rows("SELECT n FROM (SELECT count(*) AS n FROM cnt.other) WHERE n > 2"))
        .containsExactly(List.of(3L));
  }

  /** Spark with Iceberg's push-down answers the number of rows; a scan answers 1 (or 0). */
  @Test
  void countsADistinctLiteralAsAScanDoes() {
    spark.sql("CREATE TABLE cnt.few (id BIGINT, kind STRING) USING iceberg");
    spark.sql("INSERT INTO cnt.few VALUES (1, 'a'), (2, 'a'), (3, 'b')");
    spark.sql("CREATE TABLE cnt.none (id BIGINT) USING iceberg");
    assertThat(rows("SELECT count(DISTINCT 1) FROM cnt.few")).containsExactly(List.of(1L));
    for (String query :
        List.of(
            "SELECT count(DISTINCT 1) FROM cnt.few",
            "SELECT count(DISTINCT 1), count(*) FROM cnt.few",
            "SELECT count(DISTINCT 'x', 2) FROM cnt.few",
            "SELECT count(DISTINCT 1) FROM cnt.few WHERE id > 5",
            "SELECT count(DISTINCT 1) FROM cnt.none",
            "SELECT count(DISTINCT NULL) FROM cnt.few",
            "SELECT count(DISTINCT 1) FILTER (WHERE id > 1) FROM cnt.few",
            "SELECT kind, count(DISTINCT 1), count(DISTINCT id) FROM cnt.few GROUP BY kind")) {
      assertThat(rows(query)).as(query).containsExactlyInAnyOrderElementsOf(scanned(query));
    }
  }

  /** Answered from the summary (one row of VALUES, no scan), and equal to a scan's count. */
  private static void assertAnswered(String query, long expected) {
    assertThat(optimized(query)).as(query).isInstanceOf(LocalRelation.class);
    assertThat(rows(query)).as(query).isEqualTo(scanned(query));
    assertThat(rows(query).get(0)).as(query).allMatch(value -> value.equals(expected));
  }

  private static long snapshot(String table) {
    return io.lagoa.spark.pipeline.PipelineRunner.icebergCatalog(spark)
        .loadTable(org.apache.iceberg.catalog.TableIdentifier.parse(table))
        .currentSnapshot()
        .snapshotId();
  }

  private static LogicalPlan optimized(String query) {
    return spark.sql(query).queryExecution().optimizedPlan();
  }

  private static List<List<Object>> rows(String query) {
    Dataset<Row> result = spark.sql(query);
    return result.collectAsList().stream()
        .map(row -> scala.jdk.javaapi.CollectionConverters.asJava(row.toSeq()))
        .map(values -> (List<Object>) new java.util.ArrayList<Object>(values))
        .toList();
  }

  /** Spark's answer by scanning the rows: no answers from metadata. */
  private static List<List<Object>> scanned(String query) {
    spark.conf().set(PUSH_DOWN, "false");
    try {
      return rows(query);
    } finally {
      spark.conf().unset(PUSH_DOWN);
    }
  }
}

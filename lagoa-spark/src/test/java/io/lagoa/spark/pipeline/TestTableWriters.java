package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each write mode's writer on its own, against real Spark and Iceberg: what it commits, with which
 * summary properties, and how a commit another run got in first is refused.
 */
class TestTableWriters {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;
  private static PipelineFixture fixture;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
    fixture = new PipelineFixture(spark, warehouse, "w");
    catalog = PipelineRunner.icebergCatalog(spark);
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void theModeFollowsTheTableKindKeysAndFullRefresh() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS wm_raw");
    sql.run("CREATE TABLE IF NOT EXISTS wm_raw.src (id INT, ts INT) USING iceberg");
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline(
                "wm",
                "view.sql",
                "CREATE MATERIALIZED VIEW mv AS SELECT id FROM wm_raw.src",
                "append.sql",
                "CREATE STREAMING TABLE appended AS SELECT id FROM STREAM(wm_raw.src)",
                "merge.sql",
                "CREATE STREAMING TABLE merged KEYS (id) SEQUENCE BY ts\n"
                    + "AS SELECT id, ts FROM STREAM(wm_raw.src)"));
    Dataset view = dataset(pipeline, "wm.mv");
    Dataset appended = dataset(pipeline, "wm.appended");
    Dataset merged = dataset(pipeline, "wm.merged");

    assertThat(WriteMode.of(view, false, false)).isEqualTo(new WriteMode.Create());
    assertThat(WriteMode.of(merged, false, true)).isEqualTo(new WriteMode.Create());
    assertThat(WriteMode.of(view, true, false)).isEqualTo(new WriteMode.Replace(false));
    assertThat(WriteMode.of(view, true, true)).isEqualTo(new WriteMode.Replace(false));
    assertThat(WriteMode.of(appended, true, true)).isEqualTo(new WriteMode.Replace(true));
    assertThat(WriteMode.of(appended, true, false)).isEqualTo(new WriteMode.Append());
    assertThat(WriteMode.of(merged, true, false))
        .isEqualTo(new WriteMode.Merge(List.of("id"), Optional.of("ts")));

    assertThat(
            List.of(
                new WriteMode.Create(),
                new WriteMode.Replace(false),
                new WriteMode.Replace(true),
                new WriteMode.Append(),
                new WriteMode.Merge(List.of("id"), Optional.empty())))
        .extracting(WriteMode::label, WriteMode::incremental)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("create", false),
            org.assertj.core.groups.Tuple.tuple("replace", false),
            org.assertj.core.groups.Tuple.tuple("full refresh", false),
            org.assertj.core.groups.Tuple.tuple("append", true),
            org.assertj.core.groups.Tuple.tuple("merge", true));
    assertThatThrownBy(() -> new WriteMode.Merge(List.of(), Optional.empty()))
        .hasMessageContaining("Cannot merge: no KEYS");

    DatasetPlan plan = pipeline.plan(view);
    TableCommitter committer = new TableCommitter(spark, catalog, "run-modes");
    assertThat(TableWriter.of(new WriteMode.Create(), plan, committer))
        .isInstanceOf(CreateWriter.class);
    assertThat(TableWriter.of(new WriteMode.Replace(true), plan, committer))
        .isInstanceOf(ReplaceWriter.class);
    assertThat(TableWriter.of(new WriteMode.Append(), plan, committer))
        .isInstanceOf(AppendWriter.class);
    assertThat(
            TableWriter.of(new WriteMode.Merge(List.of("id"), Optional.empty()), plan, committer))
        .isInstanceOf(MergeWriter.class);
  }

  @Test
  void createMakesTheTableOfThePlanAndNeverReplacesOne() {
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline(
                "wc",
                "t.sql",
                "CREATE MATERIALIZED VIEW t COMMENT 'the t'\nPARTITIONED BY (k)\n"
                    + "TBLPROPERTIES ('team' = 'finance')\nAS SELECT 1 AS id, 'a' AS k"));
    Dataset dataset = dataset(pipeline, "wc.t");
    sql.run("CREATE NAMESPACE IF NOT EXISTS wc");
    Map<String, List<Long>> written = new HashMap<>();
    TableWriter writer =
        new CreateWriter(pipeline.plan(dataset), new TableCommitter(spark, catalog, "run-create"));

    OptionalLong after =
        writer.write(
            dataset,
            rows("SELECT 1 AS id, 'a' AS k"),
            properties("run-create", Map.of("lagoa.test", "yes")),
            written,
            false);

    Table table = catalog.loadTable(FlowExecutor.identifier("wc.t"));
    assertThat(after).hasValue(table.currentSnapshot().snapshotId());
    assertThat(written).containsEntry("wc.t", List.of(after.getAsLong()));
    assertThat(table.currentSnapshot().summary())
        .containsEntry(PipelineCommits.RUN_ID, "run-create")
        .containsEntry("lagoa.test", "yes");
    assertThat(table.spec().fields()).extracting(field -> field.name()).containsExactly("k");
    assertThat(table.properties())
        .containsEntry("team", "finance")
        .containsEntry("comment", "the t");
    assertThat(fixture.rows("SELECT id, k FROM wc.t")).containsExactly(List.of(1, "a"));

    // another run created the table first: a conflict the runner plans again, nothing replaced
    assertThatThrownBy(
            () ->
                new CreateWriter(
                        pipeline.plan(dataset), new TableCommitter(spark, catalog, "run-late"))
                    .write(
                        dataset,
                        rows("SELECT 2 AS id, 'b' AS k"),
                        properties("run-late", Map.of()),
                        new HashMap<>(),
                        false))
        .isInstanceOf(ConcurrentRunConflict.class)
        .hasMessageContaining("another run created the table first")
        .satisfies(e -> assertThat(((FlowException) e).code()).isEqualTo(ErrorCode.TABLE_CONFLICT));
    assertThat(fixture.rows("SELECT id, k FROM wc.t")).containsExactly(List.of(1, "a"));
  }

  @Test
  void replaceSwapsContentsAndSchemaInOneCommitAndKeepsTheHistory() {
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline("wr", "t.sql", "CREATE MATERIALIZED VIEW t AS SELECT 1 AS id"));
    Dataset dataset = dataset(pipeline, "wr.t");
    sql.run("CREATE NAMESPACE IF NOT EXISTS wr");
    sql.run("CREATE TABLE wr.t (id INT) USING iceberg");
    sql.run("INSERT INTO wr.t VALUES (1), (2)");
    long before = snapshot("wr.t").snapshotId();
    Map<String, List<Long>> written = new HashMap<>();

    OptionalLong after =
        new ReplaceWriter(pipeline.plan(dataset), new TableCommitter(spark, catalog, "run-replace"))
            .write(
                dataset,
                rows("SELECT 7 AS id, 'x' AS name"),
                properties("run-replace", Map.of()),
                written,
                false);

    assertThat(fixture.rows("SELECT id, name FROM wr.t")).containsExactly(List.of(7, "x"));
    Table table = catalog.loadTable(FlowExecutor.identifier("wr.t"));
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(after.getAsLong());
    assertThat(table.snapshot(before)).isNotNull();
    assertThat(written).containsEntry("wr.t", List.of(after.getAsLong()));
  }

  @Test
  void appendAddsTheRowsAndFirstTheColumnsASourceFound() {
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline("wa", "t.sql", "CREATE MATERIALIZED VIEW t AS SELECT 1 AS id"));
    Dataset dataset = dataset(pipeline, "wa.t");
    sql.run("CREATE NAMESPACE IF NOT EXISTS wa");
    sql.run("CREATE TABLE wa.t (id INT) USING iceberg");
    sql.run("INSERT INTO wa.t VALUES (1)");
    TableCommitter committer = new TableCommitter(spark, catalog, "run-append");
    Map<String, List<Long>> written = new HashMap<>();

    new AppendWriter(committer)
        .write(dataset, rows("SELECT 2 AS id"), properties("run-append", Map.of()), written, false);
    new AppendWriter(committer)
        .write(
            dataset,
            rows("SELECT 'new' AS note, 3 AS id"),
            properties("run-append", Map.of()),
            written,
            true);

    assertThat(fixture.rows("SELECT id, note FROM wa.t ORDER BY id"))
        .containsExactly(Arrays.asList(1, null), Arrays.asList(2, null), List.of(3, "new"));
    // the ADD COLUMNS is a commit of this run too, so a failed run puts the schema back
    assertThat(written.get("wa.t")).hasSize(2);
    Snapshot last = snapshot("wa.t");
    assertThat(last.summary()).containsEntry(PipelineCommits.RUN_ID, "run-append");
    assertThat(new NewColumns(committer).missing("wa.t", rows("SELECT 1 AS id, 'x' AS note")))
        .isEmpty();
  }

  /**
   * Two runners may both find a column missing; the second ALTER is refused (by Spark's analysis of
   * the fresh table, or by Iceberg if the column came in between) and must count as "added
   * meanwhile", so that the schema is read again instead of failing the batch.
   */
  @Test
  void addingAColumnAnotherWriterAddedFirstIsRecognised() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS wn");
    sql.run("CREATE TABLE wn.t (id INT, note STRING) USING iceberg");
    TableCommitter committer = new TableCommitter(spark, catalog, "run-columns");
    Map<String, String> run = Map.of(FlowExecutor.RUN_ID_PROPERTY, "run-columns");

    assertThatThrownBy(() -> committer.commit("ALTER TABLE wn.t ADD COLUMNS (note STRING)", run))
        .satisfies(error -> assertThat(NewColumns.addedMeanwhile(error)).isTrue());
    assertThatThrownBy(() -> committer.commit("ALTER TABLE wn.t ADD COLUMNS (bad STRING", run))
        .satisfies(error -> assertThat(NewColumns.addedMeanwhile(error)).isFalse());
    new NewColumns(committer).add("wn.t", rows("SELECT 1 AS id, 'x' AS note, 2L AS extra"));
    assertThat(spark.table("wn.t").columns()).containsExactly("id", "note", "extra");
  }

  @Test
  void mergeUpsertsOnTheKeysAndKeepsTheLatestBySequence() {
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline("wg", "t.sql", "CREATE MATERIALIZED VIEW t AS SELECT 1 AS id"));
    Dataset dataset = dataset(pipeline, "wg.t");
    sql.run("CREATE NAMESPACE IF NOT EXISTS wg");
    sql.run("CREATE TABLE wg.t (id INT, ts INT, v STRING) USING iceberg");
    sql.run("INSERT INTO wg.t VALUES (1, 5, 'old'), (2, 5, 'old'), (NULL, 1, 'null key')");
    MergeWriter writer =
        new MergeWriter(
            new WriteMode.Merge(List.of("id"), Optional.of("ts")),
            new TableCommitter(spark, catalog, "run-merge"));

    writer.write(
        dataset,
        rows(
            "SELECT * FROM VALUES (1, 6, 'new'), (2, 4, 'late'), (3, 1, 'new'),"
                + " (NULL, 2, 'null key, newer') AS s(id, ts, v)"),
        properties("run-merge", Map.of()),
        new HashMap<>(),
        false);

    assertThat(fixture.rows("SELECT id, ts, v FROM wg.t ORDER BY id NULLS FIRST"))
        .containsExactly(
            Arrays.asList(null, 2, "null key, newer"),
            List.of(1, 6, "new"),
            List.of(2, 5, "old"),
            List.of(3, 1, "new"));
    assertThat(writer.statement("lagoa.wg.t", "v"))
        .isEqualTo(
            "MERGE INTO lagoa.wg.t t USING v s ON t.`id` <=> s.`id` WHEN MATCHED"
                + " AND s.`ts` >= t.`ts` THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
  }

  @Test
  void aMergeWithoutSequenceRefusesTwoRowsForOneKey() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS wk_raw");
    sql.run("CREATE TABLE IF NOT EXISTS wk_raw.src (id INT, v STRING) USING iceberg");
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline(
                "wk",
                "t.sql",
                "CREATE STREAMING TABLE t KEYS (id) AS SELECT id, v FROM STREAM(wk_raw.src)"));
    Dataset dataset = dataset(pipeline, "wk.t");
    assertThatThrownBy(
            () ->
                MergeWriter.latestPerKey(
                    dataset, rows("SELECT * FROM VALUES (1, 'a'), (1, 'b') AS s(id, v)")))
        .isInstanceOf(FlowException.class)
        .hasMessageContaining(
            "merges on KEYS (id), but the new data has several rows for the" + " same key");
  }

  /** The expected-base protocol: a batch whose table moved since it started is refused. */
  @Test
  void aCommitFromAStaleBaseIsAConflict() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS wb");
    sql.run("CREATE TABLE wb.t (id INT) USING iceberg");
    CompiledPipeline pipeline =
        fixture.compile(
            fixture.pipeline("wb", "t.sql", "CREATE MATERIALIZED VIEW t AS SELECT 1 AS id"));
    Dataset dataset = dataset(pipeline, "wb.t");
    TableCommitter committer = new TableCommitter(spark, catalog, "run-one");
    new AppendWriter(committer)
        .write(
            dataset,
            rows("SELECT 1 AS id"),
            expecting("run-one", "wb.t", PipelineCommits.NONE),
            new HashMap<>(),
            false);
    long first = snapshot("wb.t").snapshotId();
    new AppendWriter(new TableCommitter(spark, catalog, "run-two"))
        .write(
            dataset,
            rows("SELECT 2 AS id"),
            expecting("run-two", "wb.t", Long.toString(first)),
            new HashMap<>(),
            false);

    Map<String, List<Long>> written = new HashMap<>();
    assertThatThrownBy(
            () ->
                new AppendWriter(new TableCommitter(spark, catalog, "run-three"))
                    .write(
                        dataset,
                        rows("SELECT 3 AS id"),
                        expecting("run-three", "wb.t", Long.toString(first)),
                        written,
                        false))
        .isInstanceOf(ConcurrentRunConflict.class);
    assertThat(written).isEmpty();
    assertThat(fixture.rows("SELECT id FROM wb.t ORDER BY id"))
        .containsExactly(List.of(1), List.of(2));
  }

  private static Map<String, String> expecting(String runId, String table, String base) {
    return properties(runId, Map.of(PipelineCommits.expectedBaseKey(table), base));
  }

  private static Map<String, String> properties(String runId, Map<String, String> more) {
    Map<String, String> properties = new HashMap<>(more);
    properties.put(PipelineCommits.RUN_ID, runId);
    return properties;
  }

  private static org.apache.spark.sql.Dataset<Row> rows(String query) {
    return spark.sql(query);
  }

  private static Snapshot snapshot(String name) {
    Table table = catalog.loadTable(FlowExecutor.identifier(name));
    table.refresh();
    return table.currentSnapshot();
  }

  private static Dataset dataset(CompiledPipeline pipeline, String name) {
    return pipeline.graph().dataset(name).orElseThrow();
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The state protocol of streaming tables, commit by commit: what each batch stores in the snapshot
 * summary, how a batch that lost its commit to another run is planned again from that run's state,
 * and how the quarantine markers let a batch cut short between its quarantine and target commits be
 * replayed without quarantining its rows twice.
 */
class TestStreamState {
  private static final AtomicBoolean INTERFERE = new AtomicBoolean();
  private static final AtomicBoolean OVERTAKE = new AtomicBoolean();
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
    fixture = new PipelineFixture(spark, warehouse, "s");
    catalog = PipelineRunner.icebergCatalog(spark);
    // Commits to ss2.events, as another runner of the pipeline would, while a batch is computed.
    spark
        .udf()
        .register(
            "ss_interfere",
            (UDF1<Integer, Integer>)
                id -> {
                  if (INTERFERE.compareAndSet(true, false)) {
                    commitAsAnotherRun("ss2.events");
                  }
                  return id;
                },
            DataTypes.IntegerType);
    // While the batch's rows are written (after its quarantine commit): another run commits to
    // ss4.landed, and a third run commits to its quarantine on top of this batch's commit.
    spark
        .udf()
        .register(
            "ss_overtake",
            (UDF1<Long, Long>)
                id -> {
                  if (OVERTAKE.compareAndSet(true, false)) {
                    commitAsAnotherRun("ss4.landed");
                    commitAsAnotherRun("ss4.landed_source_quarantine");
                  }
                  return id;
                },
            DataTypes.LongType);
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void eachBatchStoresItsSourcePositionRunAndExpectedBase() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS ss1_raw");
    sql.run("CREATE TABLE ss1_raw.events (id INT) USING iceberg");
    sql.run("INSERT INTO ss1_raw.events VALUES (1), (2)");
    Path folder =
        fixture.pipeline(
            "ss1",
            "events.sql",
            "CREATE STREAMING TABLE events AS SELECT id FROM STREAM(ss1_raw.events)");

    RunResult first = fixture.run(folder);
    Snapshot firstCommit = snapshot("ss1.events");
    assertThat(firstCommit.summary())
        .containsEntry(PipelineCommits.RUN_ID, first.runId())
        .containsEntry(
            FlowExecutor.STREAM_STATE_PREFIX + "ss1_raw.events",
            Long.toString(snapshot("ss1_raw.events").snapshotId()))
        .containsEntry(PipelineCommits.expectedBaseKey("ss1.events"), PipelineCommits.NONE)
        .containsEntry(
            PipelineCommits.expectedBaseKey("ss1.events_quarantine"), PipelineCommits.NONE);

    // a commit that is not a pipeline's (a compaction, a manual fix) does not move the state
    sql.run("INSERT INTO ss1.events VALUES (100)");
    sql.run("INSERT INTO ss1_raw.events VALUES (3)");
    RunResult second = fixture.run(folder);
    Snapshot secondCommit = snapshot("ss1.events");
    assertThat(secondCommit.summary())
        .containsEntry(PipelineCommits.RUN_ID, second.runId())
        .containsEntry(
            FlowExecutor.STREAM_STATE_PREFIX + "ss1_raw.events",
            Long.toString(snapshot("ss1_raw.events").snapshotId()))
        .containsEntry(
            PipelineCommits.expectedBaseKey("ss1.events"), Long.toString(firstCommit.snapshotId()));
    assertThat(new StreamBatchState(catalog).lastPipelineCommit("ss1.events"))
        .map(Snapshot::snapshotId)
        .hasValue(secondCommit.snapshotId());
    assertThat(fixture.rows("SELECT id FROM ss1.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(2), List.of(3), List.of(100));

    // nothing new: no commit at all
    RunResult idle = fixture.run(folder);
    assertThat(PipelineFixture.flow(idle, "ss1.events").status()).isEqualTo(FlowStatus.UP_TO_DATE);
    assertThat(snapshot("ss1.events").snapshotId()).isEqualTo(secondCommit.snapshotId());
  }

  @Test
  void aBatchThatLostItsCommitIsPlannedAgainFromTheOtherRunsState() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS ss2_raw");
    sql.run("CREATE TABLE ss2_raw.events (id INT) USING iceberg");
    sql.run("INSERT INTO ss2_raw.events VALUES (1), (2)");
    Path folder =
        fixture.pipeline(
            "ss2",
            "events.sql",
            "CREATE STREAMING TABLE events AS SELECT ss_interfere(id) AS id FROM STREAM(ss2_raw.events)");
    fixture.run(folder);
    sql.run("INSERT INTO ss2_raw.events VALUES (3)");

    List<String> replanned = new CopyOnWriteArrayList<>();
    INTERFERE.set(true);
    RunResult result = runNotingReplans(folder, replanned);

    assertThat(result.error()).isEmpty();
    assertThat(INTERFERE).isFalse();
    assertThat(replanned)
        .singleElement()
        .asString()
        .startsWith("ss2.events: ")
        .contains("cannot commit to ss2.events");
    Table table = table("ss2.events");
    Snapshot last = table.currentSnapshot();
    Snapshot other = table.snapshot(last.parentId());
    assertThat(other.summary()).containsEntry(PipelineCommits.RUN_ID, "another-run");
    // planned again on top of the other run's commit, from the position that commit stored
    assertThat(last.summary())
        .containsEntry(PipelineCommits.RUN_ID, result.runId())
        .containsEntry(
            PipelineCommits.expectedBaseKey("ss2.events"), Long.toString(other.snapshotId()));
    assertThat(fixture.rows("SELECT id FROM ss2.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(2), List.of(3));
  }

  @Test
  void aBatchCutShortAfterItsQuarantineCommitIsReplayedWithoutQuarantiningTwice() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS ss3_raw");
    sql.run("CREATE TABLE ss3_raw.events (id INT) USING iceberg");
    sql.run("INSERT INTO ss3_raw.events VALUES (1), (-1)");
    Path folder =
        fixture.pipeline(
            "ss3",
            "events.sql",
            "CREATE STREAMING TABLE events (\n"
                + "  CONSTRAINT positive EXPECT (id > 0) ON VIOLATION QUARANTINE\n"
                + ") AS SELECT id FROM STREAM(ss3_raw.events)");
    fixture.run(folder);
    long targetFirst = snapshot("ss3.events").snapshotId();
    assertThat(snapshot("ss3.events_quarantine").summary())
        .containsEntry(FlowExecutor.TARGET_SNAPSHOT_PROPERTY, PipelineCommits.NONE);

    // batch 2 quarantined -2 and was killed before committing 2 to the target
    sql.run("INSERT INTO ss3_raw.events VALUES (2), (-2)");
    long cutAt = snapshot("ss3_raw.events").snapshotId();
    Map<String, String> crashed = new LinkedHashMap<>();
    crashed.put(PipelineCommits.RUN_ID, "crashed-run");
    crashed.put(FlowExecutor.TARGET_SNAPSHOT_PROPERTY, Long.toString(targetFirst));
    crashed.put(FlowExecutor.STREAM_STATE_PREFIX + "ss3_raw.events", Long.toString(cutAt));
    CommitMetadata.withCommitProperties(
        crashed,
        () -> {
          spark.sql(
              "INSERT INTO ss3.events_quarantine SELECT -2, 'positive', 'failed EXPECT (id > 0)',"
                  + " 'crashed-run', current_timestamp()");
          return null;
        },
        RuntimeException.class);
    long crashedQuarantine = snapshot("ss3.events_quarantine").snapshotId();
    // a later commit of someone else (here empty, as a compaction's keeps no summary of ours)
    // does not hide the mark
    table("ss3.events_quarantine").newAppend().commit();
    sql.run("INSERT INTO ss3_raw.events VALUES (3)");

    CompiledPipeline pipeline = fixture.compile(folder);
    Dataset events = pipeline.graph().dataset("ss3.events").orElseThrow();
    Map<String, String> properties = new LinkedHashMap<>();
    Map<String, String> pending =
        new StreamBatchState(catalog).pendingBatch(events, Long.toString(targetFirst), properties);
    assertThat(pending)
        .containsEntry(FlowExecutor.STREAM_STATE_PREFIX + "ss3_raw.events", Long.toString(cutAt));
    assertThat(properties)
        .containsEntry(
            FlowExecutor.REPLAYS_PREFIX + "ss3.events_quarantine",
            Long.toString(crashedQuarantine));

    // the next run replays batch 2 exactly (up to where it was cut), its quarantine rows kept
    fixture.run(folder);
    Snapshot replay = snapshot("ss3.events");
    assertThat(replay.summary())
        .containsEntry(FlowExecutor.STREAM_STATE_PREFIX + "ss3_raw.events", Long.toString(cutAt))
        .containsEntry(
            FlowExecutor.REPLAYS_PREFIX + "ss3.events_quarantine",
            Long.toString(crashedQuarantine));
    assertThat(lastPipelineCommit("ss3.events_quarantine")).isEqualTo(crashedQuarantine);
    assertThat(fixture.rows("SELECT id FROM ss3.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(2));

    // and the one after goes on from there
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id FROM ss3.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(2), List.of(3));
    assertThat(fixture.rows("SELECT id FROM ss3.events_quarantine ORDER BY id"))
        .containsExactly(List.of(-2), List.of(-1));
    Snapshot quarantine =
        table("ss3.events_quarantine").snapshot(lastPipelineCommit("ss3.events_quarantine"));
    if (quarantine.snapshotId() != crashedQuarantine) {
      // a batch's quarantine commit names the target commit it started from
      assertThat(quarantine.summary())
          .containsEntry(FlowExecutor.TARGET_SNAPSHOT_PROPERTY, Long.toString(replay.snapshotId()));
    }
  }

  /**
   * A batch whose quarantine commit is followed by another run's commit to the target (so the batch
   * loses its own) and a third run's commit to the quarantine on top of its quarantine commit: the
   * lost batch's quarantine rows are withdrawn all the same, and the batch, planned again, reads
   * and quarantines its bad record once (the three-runner race of TestConcurrentRunners, made to
   * happen).
   */
  @Test
  void aBatchThatLostItsCommitWithdrawsItsQuarantineRowsUnderAnotherRunsCommit() throws Exception {
    Path landing = warehouse.root().resolve("landing-ss4");
    java.nio.file.Files.createDirectories(landing);
    java.nio.file.Files.writeString(landing.resolve("a.json"), "{\"id\": 1}\n");
    Path folder =
        fixture.pipeline(
            "ss4",
            "landed.sql",
            "CREATE STREAMING TABLE landed AS SELECT ss_overtake(id) AS id FROM STREAM read_files('"
                + landing
                + "', format => 'json', schema_hints => 'id BIGINT')");
    fixture.run(folder);
    java.nio.file.Files.writeString(landing.resolve("b.json"), "{\"id\": 2}\nnot json\n");

    List<String> replanned = new CopyOnWriteArrayList<>();
    OVERTAKE.set(true);
    RunResult result = runNotingReplans(folder, replanned);

    assertThat(result.error()).isEmpty();
    assertThat(OVERTAKE).isFalse();
    assertThat(replanned).singleElement().asString().startsWith("ss4.landed: ");
    assertThat(fixture.rows("SELECT id FROM ss4.landed ORDER BY id"))
        .containsExactly(List.of(1L), List.of(2L));
    assertThat(fixture.rows("SELECT _raw FROM ss4.landed_source_quarantine"))
        .as("the bad record, once")
        .hasSize(1);
    Table quarantine = table("ss4.landed_source_quarantine");
    Snapshot last = quarantine.currentSnapshot();
    // the batch planned again quarantined it on top of the withdrawal of its first attempt
    assertThat(last.summary()).containsEntry(PipelineCommits.RUN_ID, result.runId());
    Snapshot withdrawal = quarantine.snapshot(last.parentId());
    assertThat(withdrawal.summary()).containsKey(PipelineCommits.WITHDRAWS);
    assertThat(quarantine.snapshot(withdrawal.parentId()).summary())
        .containsEntry(PipelineCommits.RUN_ID, "another-run");
  }

  /** Runs the pipeline once, noting each batch planned again (and why) in {@code replanned}. */
  private static RunResult runNotingReplans(Path folder, List<String> replanned) {
    return new PipelineRunner(
            spark,
            new PipelineListener() {
              @Override
              public void replanned(Dataset dataset, String reason) {
                replanned.add(dataset.name() + ": " + reason);
              }
            },
            Clock.systemUTC())
        .run(fixture.compile(folder), RunOptions.defaults());
  }

  /**
   * An empty pipeline commit to {@code name} that takes over the stream and file positions of its
   * last one, as a run that found nothing new would store them.
   */
  private static void commitAsAnotherRun(String name) {
    Table table = table(name);
    AppendFiles append =
        table
            .newAppend()
            .set(PipelineCommits.RUN_ID, "another-run")
            .set(
                PipelineCommits.expectedBaseKey(name),
                new StreamBatchState(catalog)
                    .lastPipelineCommit(name)
                    .map(snapshot -> Long.toString(snapshot.snapshotId()))
                    .orElse(PipelineCommits.NONE));
    StreamBatchState.pipelineSummary(table)
        .forEach(
            (key, value) -> {
              if (key.startsWith(FlowExecutor.STREAM_STATE_PREFIX)
                  || key.startsWith(PipelineCommits.FILES_POSITION_PREFIX)) {
                append.set(key, value);
              }
            });
    append.commit();
  }

  private static Table table(String name) {
    Table table = catalog.loadTable(FlowExecutor.identifier(name));
    table.refresh();
    return table;
  }

  private static long lastPipelineCommit(String name) {
    return new StreamBatchState(catalog).lastPipelineCommit(name).orElseThrow().snapshotId();
  }

  private static Snapshot snapshot(String name) {
    return table(name).currentSnapshot();
  }
}

package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.MaintenanceAction;
import io.lagoa.maintenance.MaintenanceResult;
import io.lagoa.maintenance.MetricsOccasion;
import io.lagoa.maintenance.MetricsSample;
import io.lagoa.maintenance.PlannedAction;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.lease.PipelineLease;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import io.lagoa.testing.TestingWarehouse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Maintenance on real tables with the real engine: beside a streaming pipeline that keeps
 * committing, no row is lost or doubled and the stream resumes from its stored positions after
 * compaction and expiry; a dry run changes nothing; a table another maintenance holds is refused.
 */
class TestMaintenanceService {
  private static final TableIdentifier SOURCE = TableIdentifier.of("mt_raw", "source");
  private static final TableIdentifier EVENTS = TableIdentifier.of("mt", "events");
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;
  private static PipelineService pipelines;
  private static MaintenanceService maintenance;
  private static PipelineSource pipeline;
  private static int nextId;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    pipelines = new PipelineService(lakehouse);
    maintenance = new MaintenanceService(lakehouse);
    lakehouse.sql().run("CREATE NAMESPACE mt_raw");
    lakehouse.sql().run("CREATE TABLE mt_raw.source (id INT, v INT) USING iceberg");
    warehouse.writeFile("mt/pipeline.yaml", "name: mt\nnamespace: mt\n");
    warehouse.writeFile(
        "mt/events.sql", "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(mt_raw.source)");
    pipeline = PipelineLoader.load(warehouse.root().resolve("mt"), Map.of());
    insertAndRun();
    // a policy that acts on a handful of small files and keeps only what it must
    String policy =
        " SET TBLPROPERTIES ('lagoa.maintenance.compact-min-small-files' = '2',"
            + " 'lagoa.maintenance.snapshot-retention' = '0s',"
            + " 'lagoa.maintenance.min-snapshots' = '1', 'lagoa.maintenance.max-manifests' = '2')";
    lakehouse.sql().run("ALTER TABLE mt_raw.source" + policy);
    lakehouse.sql().run("ALTER TABLE mt.events" + policy);
    lakehouse
        .sql()
        .run(
            "ALTER TABLE mt_raw.source SET TBLPROPERTIES ('lagoa.maintenance.cluster-by' = 'v, id')");
  }

  @AfterAll
  static void stop() {
    lakehouse.close();
    warehouse.close();
  }

  /** Two new rows in the source, then one pipeline run: one commit to each table. */
  private static synchronized void insertAndRun() {
    int a = ++nextId;
    int b = ++nextId;
    lakehouse
        .sql()
        .run("INSERT INTO mt_raw.source VALUES (" + a + ", " + (a % 3) + "), (" + b + ", 1)");
    RunResult result =
        pipelines.run(
            pipeline,
            new RunOptions(List.of(), false, false, 1, false, false),
            new PipelineService.LeaseOptions(false, Duration.ofMinutes(1)),
            new PipelineService.RunEvents() {},
            PipelineListener.NONE);
    assertThat(result.status()).as(result.error().orElse("")).isEqualTo(RunResult.Status.SUCCEEDED);
  }

  private static long count(String query) {
    return (Long) lakehouse.sql().execute(query, 10).rows().get(0).get(0);
  }

  private static Table table(TableIdentifier identifier) {
    return lakehouse.catalog().loadTable(identifier);
  }

  @Test
  void maintenanceBesidePipelineCommitsLosesNoRowAndKeepsTheStreamPositions() throws Exception {
    insertAndRun();
    insertAndRun();
    long before = table(EVENTS).currentSnapshot().snapshotId();
    List<MaintenanceResult> dryRun = maintenance.maintain(List.of(EVENTS), true, line -> {});
    assertThat(table(EVENTS).currentSnapshot().snapshotId()).isEqualTo(before);
    PlannedAction planned = action(dryRun.get(0), MaintenanceAction.COMPACT_DATA);
    assertThat(planned.run()).isTrue();
    assertThat(planned.reason()).containsPattern("^\\d+ of \\d+ data files are under 16MB");
    assertThat(action(dryRun.get(0), MaintenanceAction.EXPIRE_SNAPSHOTS).reason())
        .contains("its last pipeline commit");

    // the pipeline keeps committing while maintenance runs twice over both tables
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 3; i++) {
                insertAndRun();
              }
            });
    List<MaintenanceResult> results = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      results.addAll(maintenance.maintain(List.of(SOURCE, EVENTS), false, line -> {}));
    }
    writer.get(3, TimeUnit.MINUTES);
    for (MaintenanceResult result : results) {
      assertThat(result.error()).as(result.table()).isEmpty();
      for (ActionOutcome outcome : result.outcomes()) {
        // a rewrite may lose to the pipeline's concurrent commit; it then changes nothing
        assertThat(outcome.error().orElse("another writer changed"))
            .as(result.table() + " " + outcome.planned().action())
            .contains("another writer changed");
      }
    }
    assertThat(results)
        .anySatisfy(
            result ->
                assertThat(result.outcomes())
                    .anySatisfy(
                        outcome -> {
                          assertThat(outcome.planned().action())
                              .isEqualTo(MaintenanceAction.COMPACT_DATA);
                          assertThat(outcome.error()).isEmpty();
                          assertThat(outcome.result()).startsWith("rewrote");
                        }));
    assertThat(table(EVENTS).snapshots())
        .anySatisfy(s -> assertThat(s.operation()).isEqualTo(DataOperations.REPLACE));
    assertThat(table(SOURCE).snapshots())
        .anySatisfy(s -> assertThat(s.operation()).isEqualTo(DataOperations.REPLACE));

    // one more maintenance pass after the writer, then the stream carries on from its positions
    maintenance.maintain(List.of(SOURCE, EVENTS), false, line -> {});
    Table events = table(EVENTS);
    Optional<Snapshot> last =
        PipelineCommits.lastPipelineCommit(((HasTableOperations) events).operations().current());
    assertThat(last).isPresent();
    assertThat(last.get().summary()).containsKey(PipelineCommits.streamStateKey("mt_raw.source"));
    // expiry kept the last pipeline commit and what came after it, nothing older
    assertThat(events.snapshots()).hasSizeLessThanOrEqualTo(4);

    insertAndRun();
    long total = nextId;
    assertThat(count("SELECT count(*) FROM mt_raw.source")).isEqualTo(total);
    assertThat(count("SELECT count(*) FROM mt.events")).isEqualTo(total);
    assertThat(count("SELECT count(DISTINCT id) FROM mt.events")).isEqualTo(total);

    List<MetricsSample> history = maintenance.history(EVENTS);
    assertThat(history)
        .extracting(MetricsSample::occasion)
        .contains(MetricsOccasion.BEFORE_MAINTENANCE, MetricsOccasion.AFTER_MAINTENANCE);
    assertThat(history.get(history.size() - 1).metrics().rows()).isPositive();
  }

  @Test
  void aTableAnotherMaintenanceHoldsIsLeftAlone() {
    PipelineLeases other =
        PipelineLeases.of(
                lakehouse.config(),
                Clock.systemUTC(),
                Duration.ofMinutes(1),
                new PipelineLeases.Holder("other-maintainer", "elsewhere", 1))
            .orElseThrow();
    long before = table(EVENTS).currentSnapshot().snapshotId();
    try (PipelineLease held = other.acquire(MaintenanceService.LEASE_PREFIX + EVENTS, false)) {
      MaintenanceResult result = maintenance.maintain(List.of(EVENTS), false, line -> {}).get(0);
      assertThat(result.error().orElseThrow())
          .startsWith("another maintenance of mt.events is running on elsewhere (pid 1)")
          .endsWith("nothing was changed");
      assertThat(result.outcomes()).isEmpty();
    }
    assertThat(table(EVENTS).currentSnapshot().snapshotId()).isEqualTo(before);
  }

  @Test
  void orphanFilesAndFileLogsNoSnapshotReachesAreRemovedAndTheSourceReadsOn() throws Exception {
    java.nio.file.Path landing = warehouse.root().resolve("landing-mf");
    warehouse.writeFile("mf/pipeline.yaml", "name: mf\nnamespace: mf\n");
    warehouse.writeFile(
        "mf/items.sql",
        "CREATE STREAMING TABLE items AS SELECT * FROM STREAM read_files('"
            + landing
            + "', format => 'json', schema => 'id BIGINT')");
    PipelineSource files = PipelineLoader.load(warehouse.root().resolve("mf"), Map.of());
    for (String name : List.of("a", "b")) {
      land(landing, name);
      runOnce(files);
    }
    TableIdentifier items = TableIdentifier.of("mf", "items");
    String log =
        table(items).currentSnapshot().summary().entrySet().stream()
            .filter(e -> e.getKey().startsWith(PipelineCommits.FILES_POSITION_PREFIX))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow();
    java.nio.file.Path folder =
        java.nio.file.Path.of(java.net.URI.create(log.startsWith("/") ? "file:" + log : log))
            .getParent();
    java.nio.file.Path strayLog = folder.resolve(java.util.UUID.randomUUID() + ".json.gz");
    java.nio.file.Files.writeString(strayLog, "a batch that never committed");
    java.nio.file.Path stray =
        java.nio.file.Path.of(java.net.URI.create(table(items).location() + "/data"))
            .resolve("left-by-a-failed-write.parquet");
    java.nio.file.Files.writeString(stray, "not committed");

    // four days on, both are older than the 3-day safety window; what snapshots reach is kept
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(4));
    MaintenanceResult result =
        new MaintenanceService(lakehouse, later).maintain(List.of(items), false, line -> {}).get(0);
    assertThat(result.outcomes())
        .filteredOn(o -> o.planned().action() == MaintenanceAction.REMOVE_ORPHAN_FILES)
        .singleElement()
        .satisfies(o -> assertThat(o.result()).isEqualTo("removed 1 orphan files"));
    assertThat(result.outcomes())
        .filteredOn(o -> o.planned().action() == MaintenanceAction.REMOVE_OLD_FILE_LOGS)
        .singleElement()
        .satisfies(o -> assertThat(o.result()).isEqualTo("removed 1 file logs, kept 2"));
    assertThat(stray).doesNotExist();
    assertThat(strayLog).doesNotExist();

    land(landing, "c");
    runOnce(files);
    assertThat(count("SELECT count(*) FROM mf.items")).isEqualTo(3);
    assertThat(count("SELECT count(DISTINCT id) FROM mf.items")).isEqualTo(3);
  }

  private static int landed;

  /** A JSON file in the landing folder, an hour old so the listing takes it at once. */
  private static void land(java.nio.file.Path landing, String name) throws Exception {
    java.nio.file.Files.createDirectories(landing);
    java.nio.file.Path file = landing.resolve(name + ".json");
    java.nio.file.Files.writeString(file, "{\"id\": " + (++landed) + "}\n");
    java.nio.file.Files.setLastModifiedTime(
        file,
        java.nio.file.attribute.FileTime.fromMillis(
            System.currentTimeMillis() - 3_600_000 + landed * 1000L));
  }

  private static void runOnce(PipelineSource source) {
    RunResult result =
        pipelines.run(
            source,
            new RunOptions(List.of(), false, false, 1, false, false),
            PipelineService.LeaseOptions.DEFAULT,
            new PipelineService.RunEvents() {},
            PipelineListener.NONE);
    assertThat(result.status()).as(result.error().orElse("")).isEqualTo(RunResult.Status.SUCCEEDED);
  }

  private static PlannedAction action(MaintenanceResult result, MaintenanceAction action) {
    return result.plan().orElseThrow().actions().stream()
        .filter(a -> a.action() == action)
        .findFirst()
        .orElseThrow();
  }
}

package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  private static StreamingFeed feed;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    pipelines = new PipelineService(lakehouse);
    maintenance = new MaintenanceService(lakehouse);
    feed = StreamingFeed.start(lakehouse, warehouse, "mt");
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

  private static long count(String query) {
    return (Long) lakehouse.sql().execute(query, 10).rows().get(0).get(0);
  }

  private static Table table(TableIdentifier identifier) {
    return lakehouse.catalog().loadTable(identifier);
  }

  @Test
  void maintenanceBesidePipelineCommitsLosesNoRowAndKeepsTheStreamPositions() throws Exception {
    feed.insertAndRun();
    feed.insertAndRun();
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
                feed.insertAndRun();
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

    feed.insertAndRun();
    long total = feed.rowsInserted();
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

  @Test
  void quarantinedRowsOlderThanTheRetentionAreDeletedAndTheOthersKept() {
    lakehouse.sql().run("CREATE NAMESPACE mq_raw");
    lakehouse.sql().run("CREATE TABLE mq_raw.events (id INT) USING iceberg");
    warehouse.writeFile("mq/pipeline.yaml", "name: mq\nnamespace: mq\n");
    warehouse.writeFile(
        "mq/events.sql",
        "CREATE STREAMING TABLE events (\n"
            + "  CONSTRAINT positive EXPECT (id > 0) ON VIOLATION QUARANTINE\n"
            + ") AS SELECT id FROM STREAM(mq_raw.events)");
    PipelineSource source = PipelineLoader.load(warehouse.root().resolve("mq"), Map.of());
    lakehouse.sql().run("INSERT INTO mq_raw.events VALUES (1), (-1), (-2)");
    runOnce(source);
    // the first batch's bad rows were quarantined 40 days ago
    lakehouse
        .sql()
        .run(
            "UPDATE mq.events_quarantine SET _quarantined_at = _quarantined_at - INTERVAL 40 DAYS");
    lakehouse.sql().run("INSERT INTO mq_raw.events VALUES (2), (-3)");
    runOnce(source); // the quarantine table's last commit is now this batch's, which completed
    TableIdentifier quarantine = TableIdentifier.of("mq", "events_quarantine");
    TableIdentifier events = TableIdentifier.of("mq", "events");

    MaintenanceResult dryRun =
        maintenance.maintain(List.of(quarantine, events), true, line -> {}).get(0);
    PlannedAction planned = action(dryRun, MaintenanceAction.REMOVE_OLD_QUARANTINE);
    assertThat(planned.run()).isTrue();
    assertThat(planned.reason())
        .isEqualTo(
            "1 data files may hold rows quarantined more than 30d ago"
                + " (lagoa.maintenance.quarantine-retention); those rows are deleted");
    assertThat(
            action(
                    maintenance.maintain(List.of(events), true, line -> {}).get(0),
                    MaintenanceAction.REMOVE_OLD_QUARANTINE)
                .reason())
        .isEqualTo("not a quarantine table (no _quarantined_at timestamp column)");
    assertThat(count("SELECT count(*) FROM mq.events_quarantine")).isEqualTo(3);

    MaintenanceResult result = maintenance.maintain(List.of(quarantine), false, line -> {}).get(0);
    assertThat(result.failed()).as("%s", result).isFalse();
    assertThat(result.outcomes())
        .filteredOn(o -> o.planned().action() == MaintenanceAction.REMOVE_OLD_QUARANTINE)
        .singleElement()
        .satisfies(o -> assertThat(o.result()).startsWith("deleted 2 rows quarantined before "));
    assertThat(count("SELECT count(*) FROM mq.events_quarantine WHERE id = -3")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM mq.events_quarantine")).isEqualTo(1);
    // nothing old is left: the next plan says so
    assertThat(
            action(
                    maintenance.maintain(List.of(quarantine), true, line -> {}).get(0),
                    MaintenanceAction.REMOVE_OLD_QUARANTINE)
                .reason())
        .startsWith("no row was quarantined more than 30d ago");

    // the pipeline reads on, quarantining into the same table
    lakehouse.sql().run("INSERT INTO mq_raw.events VALUES (3), (-4)");
    runOnce(source);
    assertThat(count("SELECT count(*) FROM mq.events")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM mq.events_quarantine")).isEqualTo(2);

    // a retention under an hour is refused, and the table keeps its properties
    assertThatThrownBy(
            () ->
                maintenance.setProperties(
                    quarantine, Map.of("lagoa.maintenance.quarantine-retention", "10m")))
        .hasMessage(
            "Cannot set lagoa.maintenance.quarantine-retention on mq.events_quarantine: '10m' is"
                + " not at least 1h");

    // a batch cut short after its quarantine commit: nothing goes on top of that commit
    Table table = table(quarantine);
    String lastEventsCommit =
        PipelineCommits.lastPipelineCommitId(
            ((HasTableOperations) table(events)).operations().current());
    table.newAppend().set(PipelineCommits.TARGET_SNAPSHOT, lastEventsCommit).commit();
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(40));
    MaintenanceResult pending =
        new MaintenanceService(lakehouse, later)
            .maintain(List.of(quarantine), true, line -> {})
            .get(0);
    assertThat(action(pending, MaintenanceAction.REMOVE_OLD_QUARANTINE).reason())
        .isEqualTo(
            "its last commit is a quarantine batch whose table commit may still be pending;"
                + " rewrites wait for the next commit");
  }

  /**
   * Maintenance in a loop over a bronze change table and the two tables a pipeline keeps from it:
   * one by an AUTO CDC flow (SCD type 1, with its change state), one by a streaming table merged on
   * its key. The final tables equal the fold of every change, a late change loses to the newer
   * state, and the last run reads only the new changes (the stored positions survived).
   */
  @Test
  void autoCdcAndMergeFlowsBesideAMaintenanceLoopEndAsTheFoldOfTheirChanges() throws Exception {
    lakehouse.sql().run("CREATE NAMESPACE mc_raw");
    lakehouse
        .sql()
        .run("CREATE TABLE mc_raw.changes (id INT, v INT, op STRING, seq BIGINT) USING iceberg");
    warehouse.writeFile("mc/pipeline.yaml", "name: mc\nnamespace: mc\n");
    warehouse.writeFile(
        "mc/cdc.sql",
        "CREATE OR REFRESH STREAMING TABLE cdc;\n\n"
            + "CREATE FLOW cdc_changes AS AUTO CDC INTO cdc\nFROM STREAM(mc_raw.changes)\n"
            + "KEYS (id)\nAPPLY AS DELETE WHEN op = 'd'\nSEQUENCE BY seq\n"
            + "COLUMNS * EXCEPT (op, seq)\nSTORED AS SCD TYPE 1;\n");
    warehouse.writeFile(
        "mc/merged.sql",
        "CREATE STREAMING TABLE merged KEYS (id) SEQUENCE BY seq\n"
            + "AS SELECT id, v, seq FROM STREAM(mc_raw.changes) WHERE op <> 'd'");
    PipelineSource source = PipelineLoader.load(warehouse.root().resolve("mc"), Map.of());
    java.util.Random random = new java.util.Random(15);
    java.util.function.IntFunction<String> batch =
        number -> {
          StringBuilder values = new StringBuilder();
          for (int i = 0; i < 12; i++) {
            int id = 1 + random.nextInt(10);
            String op = number > 1 && random.nextInt(4) == 0 ? "d" : "u";
            values
                .append(i == 0 ? "" : ", ")
                .append("(" + id + ", " + random.nextInt(1000) + ", '" + op + "', ")
                .append(number * 100L + i)
                .append(")");
          }
          return "INSERT INTO mc_raw.changes VALUES " + values;
        };
    lakehouse.sql().run(batch.apply(1));
    runOnce(source);
    List<TableIdentifier> tables =
        List.of(
            TableIdentifier.of("mc_raw", "changes"),
            TableIdentifier.of("mc", "cdc"),
            TableIdentifier.of("mc", "cdc_cdc_state"),
            TableIdentifier.of("mc", "merged"));
    for (TableIdentifier table : tables) {
      lakehouse
          .sql()
          .run(
              "ALTER TABLE "
                  + table
                  + " SET TBLPROPERTIES ('lagoa.maintenance.compact-min-small-files' = '2',"
                  + " 'lagoa.maintenance.snapshot-retention' = '0s',"
                  + " 'lagoa.maintenance.min-snapshots' = '1',"
                  + " 'lagoa.maintenance.max-manifests' = '2')");
    }

    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int number = 2; number <= 4; number++) {
                  lakehouse.sql().run(batch.apply(number));
                  runOnce(source);
                }
              } finally {
                writing.set(false);
              }
            });
    List<MaintenanceResult> results = new ArrayList<>();
    while (writing.get()) {
      results.addAll(maintenance.maintain(tables, false, line -> {}));
    }
    writer.get(3, TimeUnit.MINUTES);
    results.addAll(maintenance.maintain(tables, false, line -> {}));
    for (MaintenanceResult result : results) {
      assertThat(result.error()).as(result.table()).isEmpty();
      for (ActionOutcome outcome : result.outcomes()) {
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
                        }));

    // a late change of key 1 (older than anything applied) and a last batch
    lakehouse.sql().run("INSERT INTO mc_raw.changes VALUES (1, -1, 'u', 1)");
    lakehouse.sql().run(batch.apply(5));
    RunResult last = runOnce(source);
    assertThat(last.flows())
        .allSatisfy(flow -> assertThat(flow.rowsRead()).as(flow.flow()).isBetween(1L, 13L));

    String cdcFold =
        "SELECT id, v FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS n"
            + " FROM mc_raw.changes) WHERE n = 1 AND op <> 'd' ORDER BY id";
    String mergeFold =
        "SELECT id, v, seq FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq DESC)"
            + " AS n FROM mc_raw.changes WHERE op <> 'd') WHERE n = 1 ORDER BY id";
    assertThat(rows("SELECT id, v FROM mc.cdc ORDER BY id")).isEqualTo(rows(cdcFold)).isNotEmpty();
    assertThat(rows("SELECT id, v, seq FROM mc.merged ORDER BY id")).isEqualTo(rows(mergeFold));
    assertThat(count("SELECT count(*) FROM mc_raw.changes")).isEqualTo(5 * 12 + 1);
  }

  private static List<List<Object>> rows(String query) {
    return lakehouse.sql().execute(query, 1000).rows();
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

  private static RunResult runOnce(PipelineSource source) {
    RunResult result =
        pipelines.run(
            source,
            new RunOptions(List.of(), false, false, 1, false, false),
            PipelineService.LeaseOptions.DEFAULT,
            new PipelineService.RunEvents() {},
            PipelineListener.NONE);
    assertThat(result.status()).as(result.error().orElse("")).isEqualTo(RunResult.Status.SUCCEEDED);
    return result;
  }

  private static PlannedAction action(MaintenanceResult result, MaintenanceAction action) {
    return result.plan().orElseThrow().actions().stream()
        .filter(a -> a.action() == action)
        .findFirst()
        .orElseThrow();
  }
}

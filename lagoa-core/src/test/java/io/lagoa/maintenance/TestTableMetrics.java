package io.lagoa.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.TemporaryCatalog;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.PipelineCommits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table metrics, the maintenance policy and the maintenance properties, on a real SQLite catalog
 * through the Iceberg API. Data files are registered in metadata only: metrics never read them.
 */
class TestTableMetrics {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "region", Types.StringType.get()),
          Types.NestedField.optional(3, "customer_id", Types.LongType.get()));
  private static final long MB = 1L << 20;

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;
  private int fileNumber;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder, "silver");
    catalog = temporary.catalog();
  }

  @AfterEach
  void close() throws Exception {
    temporary.close();
  }

  @Test
  void metricsComeFromMetadata() {
    Table table =
        catalog.createTable(
            TableIdentifier.of("silver", "orders"),
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA).identity("region").build());
    append(table, "eu", 10, 1000);
    append(table, "eu", 20, 2000);
    append(table, "us", 30, 3000);
    append(table, "us", 40, 64 * MB);
    table
        .newRowDelta()
        .addDeletes(
            FileMetadata.deleteFileBuilder(table.spec())
                .ofPositionDeletes()
                .withPath(table.location() + "/data/d" + (fileNumber++) + ".parquet")
                .withFormat(FileFormat.PARQUET)
                .withPartitionPath("region=eu")
                .withRecordCount(1)
                .withFileSizeInBytes(20)
                .build())
        .commit();
    table.refresh();
    Instant lastCommit = Instant.ofEpochMilli(table.currentSnapshot().timestampMillis());
    Instant now = lastCommit.plus(Duration.ofHours(2));

    TableMetrics metrics =
        new TableMetricsCollector(Clock.fixed(now, ZoneOffset.UTC)).collect("silver.orders", table);

    assertThat(metrics.rows()).isEqualTo(100);
    assertThat(metrics.dataFiles()).isEqualTo(4);
    assertThat(metrics.dataBytes()).isEqualTo(6000 + 64 * MB);
    assertThat(metrics.averageFileBytes()).isEqualTo((6000 + 64 * MB) / 4);
    assertThat(metrics.smallFiles()).as("under the default 16MB").isEqualTo(3);
    assertThat(metrics.partitions()).isEqualTo(2);
    assertThat(metrics.positionDeleteFiles()).isEqualTo(1);
    assertThat(metrics.equalityDeleteFiles()).isZero();
    assertThat(metrics.snapshots()).isEqualTo(5);
    assertThat(metrics.dataManifests()).isEqualTo(4);
    assertThat(metrics.deleteManifests()).isEqualTo(1);
    assertThat(metrics.metadataBytes()).isPositive();
    assertThat(metrics.lastCommitAge()).contains(Duration.ofHours(2));
    assertThat(metrics.oldestSnapshotAge().orElseThrow())
        .isGreaterThanOrEqualTo(Duration.ofHours(2));
    assertThat(metrics.bytesAddedLastDay()).isEqualTo(6000 + 64 * MB + 20);
    assertThat(metrics.snapshotId()).hasValue(table.currentSnapshot().snapshotId());

    TableMetrics dayLater =
        new TableMetricsCollector(Clock.fixed(now.plus(Duration.ofDays(1)), ZoneOffset.UTC))
            .collect("silver.orders", table);
    assertThat(dayLater.bytesAddedLastDay()).isZero();

    Table empty = catalog.createTable(TableIdentifier.of("silver", "empty"), SCHEMA);
    TableMetrics none = new TableMetricsCollector(Clock.systemUTC()).collect("silver.empty", empty);
    assertThat(none.dataFiles()).isZero();
    assertThat(none.snapshots()).isZero();
    assertThat(none.lastCommitAge()).isEmpty();
  }

  @Test
  void thePolicyDecidesFromHealthAndSaysWhy() {
    Table table = catalog.createTable(TableIdentifier.of("silver", "events"), SCHEMA);
    for (int i = 0; i < 4; i++) {
      append(table, null, 10, 1000);
    }
    MaintenancePlan plan = plan("silver.events", table, Instant.now());
    PlannedAction compaction = action(plan, MaintenanceAction.COMPACT_DATA);
    assertThat(compaction.run()).isFalse();
    assertThat(compaction.reason())
        .isEqualTo("4 of 4 data files are under 16MB (compaction starts at 5)");

    append(table, null, 10, 1000);
    plan = plan("silver.events", table, Instant.now());
    compaction = action(plan, MaintenanceAction.COMPACT_DATA);
    assertThat(compaction.run()).isTrue();
    assertThat(compaction.strategy()).isEqualTo(CompactionStrategy.BIN_PACK);
    assertThat(compaction.reason())
        .isEqualTo("5 of 5 data files are under 16MB; rewritten bin-packed into files of 128MB");
    assertThat(action(plan, MaintenanceAction.REWRITE_MANIFESTS).reason())
        .isEqualTo("5 data manifests (at most 20)");
    assertThat(action(plan, MaintenanceAction.REMOVE_ORPHAN_FILES).run()).isFalse();
    assertThat(action(plan, MaintenanceAction.REMOVE_ORPHAN_FILES).reason())
        .contains("younger than the 3d safety window");

    table.replaceSortOrder().asc("customer_id").commit();
    assertThat(
            action(plan("silver.events", table, Instant.now()), MaintenanceAction.COMPACT_DATA)
                .strategy())
        .isEqualTo(CompactionStrategy.SORT);

    table
        .updateProperties()
        .set(MaintenanceProperties.CLUSTER_BY.key(), "region, customer_id")
        .commit();
    compaction =
        action(plan("silver.events", table, Instant.now()), MaintenanceAction.COMPACT_DATA);
    assertThat(compaction.strategy()).isEqualTo(CompactionStrategy.ZORDER);
    assertThat(compaction.columns()).containsExactly("region", "customer_id");
    assertThat(compaction.reason()).contains("z-ordered by region, customer_id");

    table.updateProperties().set(MaintenanceProperties.CLUSTER_BY.key(), "regoin").commit();
    assertThatThrownBy(() -> plan("silver.events", table, Instant.now()))
        .isInstanceOf(LagoaException.class)
        .hasMessage(
            "Cannot compact silver.events: lagoa.maintenance.cluster-by names column 'regoin',"
                + " which the table does not have (did you mean region?)");

    table
        .updateProperties()
        .set(MaintenanceProperties.CLUSTER_BY.key(), "")
        .set(MaintenanceProperties.ENABLED.key(), "false")
        .commit();
    plan = plan("silver.events", table, Instant.now());
    assertThat(plan.toRun()).isEmpty();
    assertThat(action(plan, MaintenanceAction.COMPACT_DATA).reason())
        .contains("switched off", "lagoa.maintenance.enabled=false");
  }

  @Test
  void expiryKeepsWhatPipelinesStillNeed() {
    Table source = catalog.createTable(TableIdentifier.of("silver", "source"), SCHEMA);
    Table stream = catalog.createTable(TableIdentifier.of("silver", "stream"), SCHEMA);
    for (Table table : List.of(source, stream)) {
      table
          .updateProperties()
          .set(MaintenanceProperties.SNAPSHOT_RETENTION.key(), "0s")
          .set(MaintenanceProperties.MIN_SNAPSHOTS.key(), "1")
          .commit();
    }
    append(source, null, 1, 100);
    long readUpTo = source.currentSnapshot().snapshotId();
    append(source, null, 1, 100);
    append(source, null, 1, 100);
    // the streaming table's pipeline commit: its own positions, and how far it read source
    stream
        .newAppend()
        .appendFile(dataFile(stream, null, 1, 100))
        .set(PipelineCommits.RUN_ID, "run-1")
        .set(PipelineCommits.streamStateKey("silver.source"), Long.toString(readUpTo))
        .commit();
    afterCommit(stream);
    long pipelineCommit = stream.currentSnapshot().snapshotId();
    append(stream, null, 1, 100); // a later commit without positions (a compaction, an INSERT)
    append(stream, null, 1, 100);
    Instant now = Instant.now().plusSeconds(60);

    PipelinePositions positions =
        PipelinePositions.scan(
            catalog,
            List.of(
                TableIdentifier.of("silver", "source"), TableIdentifier.of("silver", "stream")));

    PlannedAction streamExpiry =
        action(plan("silver.stream", stream, positions, now), MaintenanceAction.EXPIRE_SNAPSHOTS);
    assertThat(streamExpiry.run()).isFalse();
    assertThat(streamExpiry.reason())
        .isEqualTo(
            "no snapshot is older than 0s and not among the newest 1; keeps everything since its"
                + " last pipeline commit "
                + pipelineCommit
                + " (it holds the stream's source positions)");

    PlannedAction sourceExpiry =
        action(plan("silver.source", source, positions, now), MaintenanceAction.EXPIRE_SNAPSHOTS);
    assertThat(sourceExpiry.run()).isFalse();
    assertThat(sourceExpiry.reason())
        .contains(
            "snapshot " + readUpTo + ", where the streaming table silver.stream last stopped");

    // without the reader, everything but the newest snapshot would go
    PlannedAction unprotected =
        action(
            plan("silver.source", source, PipelinePositions.none(), now),
            MaintenanceAction.EXPIRE_SNAPSHOTS);
    assertThat(unprotected.run()).isTrue();
    assertThat(unprotected.reason()).startsWith("2 snapshots are older than 0s");
    assertThat(unprotected.olderThan()).contains(now);
  }

  @Test
  void expiryKeepsTheChangeStateBatchACrashRollsBackTo() {
    Table state = catalog.createTable(TableIdentifier.of("silver", "cdc_state"), SCHEMA);
    state
        .updateProperties()
        .set(MaintenanceProperties.SNAPSHOT_RETENTION.key(), "0s")
        .set(MaintenanceProperties.MIN_SNAPSHOTS.key(), "1")
        .commit();
    append(state, null, 1, 100); // before the flow
    for (int batch = 1; batch <= 2; batch++) {
      state
          .newAppend()
          .appendFile(dataFile(state, null, 1, 100))
          .set(PipelineCommits.RUN_ID, "run-" + batch)
          .set(PipelineCommits.CDC_BATCH, Integer.toString(batch))
          .commit();
      afterCommit(state);
      if (batch == 1) {
        append(state, null, 1, 100); // a compaction between the batches
      }
    }
    long batchOne = -1;
    for (Snapshot snapshot : state.snapshots()) {
      if ("1".equals(snapshot.summary().get(PipelineCommits.CDC_BATCH))) {
        batchOne = snapshot.snapshotId();
      }
    }
    Instant now = Instant.now().plusSeconds(60);

    PlannedAction expiry =
        action(
            plan("silver.cdc_state", state, PipelinePositions.none(), now),
            MaintenanceAction.EXPIRE_SNAPSHOTS);

    // only the snapshot before batch 1 may go; batch 1 is where a crash in batch 2 rolls back to
    assertThat(expiry.run()).isTrue();
    assertThat(expiry.reason())
        .startsWith("1 snapshots are older than 0s")
        .contains("keeps everything since snapshot " + batchOne + " of AUTO CDC batch 1");
  }

  @Test
  void propertiesAreCheckedWhereverTheyAreSet() {
    Table table = catalog.createTable(TableIdentifier.of("silver", "checked"), SCHEMA);
    assertThatThrownBy(
            () ->
                table
                    .updateProperties()
                    .set(MaintenanceProperties.MIN_SNAPSHOTS.key(), "zero")
                    .commit())
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "Cannot set lagoa.maintenance.min-snapshots on silver.checked: 'zero' is not a whole"
                + " number of at least 1");
    assertThatThrownBy(
            () ->
                table.updateProperties().set("lagoa.maintenance.snapshot-retension", "2d").commit())
        .hasMessage(
            "Cannot set lagoa.maintenance.snapshot-retension on silver.checked: no such"
                + " maintenance property (did you mean lagoa.maintenance.snapshot-retention?)");
    assertThatThrownBy(
            () ->
                MaintenanceProperties.validate(
                    "silver.checked",
                    Map.of(MaintenanceProperties.ORPHAN_SAFETY_WINDOW.key(), "10m")))
        .hasMessage(
            "Cannot set lagoa.maintenance.orphan-safety-window on silver.checked: '10m' is not at"
                + " least 1h");
    // each size valid alone, together a loop: compaction's output would count as small again
    assertThatThrownBy(
            () ->
                table
                    .updateProperties()
                    .set(MaintenanceProperties.SMALL_FILE_SIZE.key(), "64MB")
                    .set(MaintenanceProperties.TARGET_FILE_SIZE.key(), "32MB")
                    .commit())
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "Cannot set lagoa.maintenance.small-file-size, lagoa.maintenance.target-file-size on"
                + " silver.checked: lagoa.maintenance.small-file-size (64MB) must be below"
                + " lagoa.maintenance.target-file-size (32MB): a small file must be smaller than"
                + " the files compaction writes, or every pass would rewrite them again (the"
                + " defaults are 16MB for 128MB)");
    assertThatThrownBy(
            () ->
                table
                    .updateProperties()
                    .set(MaintenanceProperties.TARGET_FILE_SIZE.key(), "16MB")
                    .commit())
        .hasMessageContaining("lagoa.maintenance.small-file-size (16MB) must be below");
    table.refresh();
    assertThat(table.properties())
        .doesNotContainKeys(
            MaintenanceProperties.MIN_SNAPSHOTS.key(),
            "lagoa.maintenance.snapshot-retension",
            MaintenanceProperties.SMALL_FILE_SIZE.key(),
            MaintenanceProperties.TARGET_FILE_SIZE.key());

    table
        .updateProperties()
        .set(MaintenanceProperties.TARGET_FILE_SIZE.key(), "256MB")
        .set(MaintenanceProperties.SNAPSHOT_RETENTION.key(), "12h")
        .set("write.format.default", "parquet")
        .commit();
    table.refresh();
    MaintenanceSettings settings =
        MaintenanceProperties.settings("silver.checked", table.properties());
    assertThat(settings.targetFileSizeBytes()).isEqualTo(256 * MB);
    assertThat(settings.snapshotRetention()).isEqualTo(Duration.ofHours(12));
    assertThat(settings.minSnapshots()).isEqualTo(10);
    assertThat(MaintenanceSettings.defaults().smallFileSizeBytes()).isEqualTo(16 * MB);
  }

  @Test
  void docsTableIsTheDeclarations() throws java.io.IOException {
    Path docs = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (java.nio.file.Files.isRegularFile(dir.resolve("docs/maintenance.md"))) {
        docs = dir.resolve("docs/maintenance.md");
        break;
      }
    }
    assertThat(docs).as("docs/maintenance.md above the module").isNotNull();
    String text = java.nio.file.Files.readString(docs);
    String table = text.substring(text.indexOf("| property | default |"));
    table = table.substring(0, table.indexOf("\n\n") + 1);
    assertThat(table)
        .as("the property table in docs/maintenance.md; it must match MaintenanceProperties")
        .isEqualTo(MaintenanceProperties.markdownTable());
  }

  private MaintenancePlan plan(String name, Table table, Instant now) {
    return plan(name, table, PipelinePositions.none(), now);
  }

  private static MaintenancePlan plan(
      String name, Table table, PipelinePositions positions, Instant now) {
    table.refresh();
    TableMetrics metrics =
        new TableMetricsCollector(Clock.fixed(now, ZoneOffset.UTC)).collect(name, table);
    return MaintenancePolicy.plan(name, table, metrics, positions.needed(name, table), now);
  }

  private static PlannedAction action(MaintenancePlan plan, MaintenanceAction action) {
    return plan.actions().stream().filter(a -> a.action() == action).findFirst().orElseThrow();
  }

  private void append(Table table, String region, long rows, long bytes) {
    table.newAppend().appendFile(dataFile(table, region, rows, bytes)).commit();
    afterCommit(table);
  }

  private DataFile dataFile(Table table, String region, long rows, long bytes) {
    DataFiles.Builder builder =
        DataFiles.builder(table.spec())
            .withPath(table.location() + "/data/f" + (fileNumber++) + ".parquet")
            .withFormat(FileFormat.PARQUET)
            .withRecordCount(rows)
            .withFileSizeInBytes(bytes);
    if (region != null) {
      builder.withPartitionPath("region=" + region);
    }
    return builder.build();
  }

  /** Each snapshot gets its own millisecond, so the time-based checks are exact. */
  private static void afterCommit(Table table) {
    table.refresh();
    long committed = table.currentSnapshot().timestampMillis();
    while (System.currentTimeMillis() <= committed) {
      Thread.onSpinWait();
    }
  }
}

package io.lagoa.maintenance;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.text.EditDistance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Decides from a table's health which maintenance actions it needs, and says why for each one that
 * runs and each one that does not. Only metadata is read.
 */
public final class MaintenancePolicy {
  /** The column every quarantine table has: when the row was quarantined. */
  public static final String QUARANTINED_AT = "_quarantined_at";

  private MaintenancePolicy() {}

  /**
   * @param needed the snapshots pipelines still need (see {@link PipelinePositions})
   * @param now the time the plan is made at
   */
  public static MaintenancePlan plan(
      String name, Table table, TableMetrics metrics, List<RetainedPosition> needed, Instant now) {
    return plan(name, table, metrics, needed, true, now);
  }

  /**
   * @param quarantinePending whether the table's last commit, when it is a quarantine batch, may
   *     still be followed by its table's commit (see {@link PipelinePositions#quarantinePending});
   *     true when not known
   */
  public static MaintenancePlan plan(
      String name,
      Table table,
      TableMetrics metrics,
      List<RetainedPosition> needed,
      boolean quarantinePending,
      Instant now) {
    MaintenanceSettings settings = MaintenanceProperties.settings(name, table.properties());
    List<PlannedAction> actions = new ArrayList<>();
    if (!settings.enabled()) {
      for (MaintenanceAction action : MaintenanceAction.values()) {
        actions.add(
            PlannedAction.skip(
                action,
                "maintenance is switched off for this table ("
                    + MaintenanceProperties.ENABLED.key()
                    + "=false)"));
      }
      return new MaintenancePlan(name, metrics, settings, actions);
    }
    Snapshot current = table.currentSnapshot();
    Optional<String> noRewrite = quarantinePending ? rewritesWait(current) : noData(current);
    actions.add(quarantine(table, settings, noRewrite, now));
    PlannedAction compaction = compaction(name, table, metrics, settings, noRewrite);
    actions.add(compaction);
    boolean applyDeletes = compaction.run() && compaction.applyDeletes();
    actions.add(positionDeletes(table, metrics, settings, noRewrite, applyDeletes));
    actions.add(manifests(metrics, settings, noRewrite));
    actions.add(expiry(table, settings, needed, now));
    actions.add(orphans(table, metrics, settings));
    actions.add(fileLogs(table, metrics, settings));
    return new MaintenancePlan(name, metrics, settings, actions);
  }

  /**
   * Why data and manifest rewrites must wait, if they must: a table without data, or one whose last
   * commit is a quarantine batch whose target commit may still follow (the next batch finds such a
   * batch from the quarantine table's current snapshot, which a rewrite would replace).
   */
  private static Optional<String> rewritesWait(Snapshot current) {
    if (current == null) {
      return Optional.of("the table has no data yet");
    }
    if (current.summary() != null
        && current.summary().containsKey(PipelineCommits.TARGET_SNAPSHOT)) {
      return Optional.of(
          "its last commit is a quarantine batch whose table commit may still be pending;"
              + " rewrites wait for the next commit");
    }
    return Optional.empty();
  }

  private static Optional<String> noData(Snapshot current) {
    return current == null ? Optional.of("the table has no data yet") : Optional.empty();
  }

  /**
   * Quarantine retention: a quarantine table's rows whose {@code _quarantined_at} is older than the
   * retention are deleted. Which data files hold such rows is told by the column's bounds in the
   * manifests, so no data file is opened to plan it.
   */
  private static PlannedAction quarantine(
      Table table, MaintenanceSettings settings, Optional<String> noRewrite, Instant now) {
    MaintenanceAction action = MaintenanceAction.REMOVE_OLD_QUARANTINE;
    Types.NestedField column = table.schema().findField(QUARANTINED_AT);
    if (column == null || column.type().typeId() != Type.TypeID.TIMESTAMP) {
      return PlannedAction.skip(
          action, "not a quarantine table (no " + QUARANTINED_AT + " timestamp column)");
    }
    if (noRewrite.isPresent()) {
      return PlannedAction.skip(action, noRewrite.get());
    }
    Instant cutoff = now.minus(settings.quarantineRetention());
    long micros =
        Math.addExact(
            Math.multiplyExact(cutoff.getEpochSecond(), 1_000_000L), cutoff.getNano() / 1000);
    int files = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().filter(Expressions.lessThan(QUARANTINED_AT, micros)).planFiles()) {
      for (FileScanTask ignored : tasks) {
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String retention =
        "quarantined more than "
            + duration(settings.quarantineRetention())
            + " ago ("
            + MaintenanceProperties.QUARANTINE_RETENTION.key()
            + ")";
    if (files == 0) {
      return PlannedAction.skip(action, "no row was " + retention);
    }
    return new PlannedAction(
        action,
        true,
        files + " data files may hold rows " + retention + "; those rows are deleted",
        CompactionStrategy.BIN_PACK,
        List.of(),
        false,
        Optional.of(cutoff),
        0);
  }

  private static PlannedAction compaction(
      String name,
      Table table,
      TableMetrics metrics,
      MaintenanceSettings settings,
      Optional<String> noRewrite) {
    MaintenanceAction action = MaintenanceAction.COMPACT_DATA;
    if (noRewrite.isPresent()) {
      return PlannedAction.skip(action, noRewrite.get());
    }
    CompactionStrategy strategy;
    List<String> columns = List.of();
    String layout;
    if (!settings.clusterBy().isEmpty()) {
      strategy = CompactionStrategy.ZORDER;
      columns = clusterColumns(name, table, settings.clusterBy());
      layout = "z-ordered by " + String.join(", ", columns);
    } else if (!table.sortOrder().isUnsorted()) {
      strategy = CompactionStrategy.SORT;
      layout = "sorted by the table's sort order";
    } else {
      strategy = CompactionStrategy.BIN_PACK;
      layout = "bin-packed";
    }
    boolean tooManyDeletes =
        metrics.deleteFiles() > 0 && metrics.deleteFileRatio() > settings.maxDeleteFileRatio();
    boolean tooManySmall = metrics.smallFiles() >= settings.compactMinSmallFiles();
    String smallText =
        metrics.smallFiles()
            + " of "
            + metrics.dataFiles()
            + " data files are under "
            + size(settings.smallFileSizeBytes());
    String deleteText =
        metrics.deleteFiles()
            + " delete files for "
            + metrics.dataFiles()
            + " data files ("
            + String.format(Locale.ROOT, "%.2f", metrics.deleteFileRatio())
            + " per file, more than "
            + settings.maxDeleteFileRatio()
            + ")";
    if (!tooManyDeletes && !tooManySmall) {
      return PlannedAction.skip(
          action,
          smallText
              + " (compaction starts at "
              + settings.compactMinSmallFiles()
              + ")"
              + (metrics.deleteFiles() > 0
                  ? "; "
                      + metrics.deleteFiles()
                      + " delete files are within "
                      + settings.maxDeleteFileRatio()
                      + " per data file"
                  : ""));
    }
    String reason =
        (tooManySmall ? smallText : "")
            + (tooManySmall && tooManyDeletes ? "; " : "")
            + (tooManyDeletes ? deleteText + ", which compaction applies" : "")
            + "; rewritten "
            + layout
            + " into files of "
            + size(settings.targetFileSizeBytes());
    return new PlannedAction(
        action, true, reason, strategy, columns, tooManyDeletes, Optional.empty(), 0);
  }

  /** The cluster-by columns as the table spells them; an unknown one is a clear error. */
  private static List<String> clusterColumns(String name, Table table, List<String> wanted) {
    List<String> columns = new ArrayList<>();
    List<String> known = table.schema().columns().stream().map(Types.NestedField::name).toList();
    for (String column : wanted) {
      Types.NestedField field = table.schema().caseInsensitiveFindField(column);
      if (field == null) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot compact "
                + name
                + ": "
                + MaintenanceProperties.CLUSTER_BY.key()
                + " names column '"
                + column
                + "', which the table does not have"
                + EditDistance.closest(column, known)
                    .map(closest -> " (did you mean " + closest + "?)")
                    .orElse(" (its columns: " + String.join(", ", known) + ")"));
      }
      columns.add(table.schema().findColumnName(field.fieldId()));
    }
    return List.copyOf(columns);
  }

  private static PlannedAction positionDeletes(
      Table table,
      TableMetrics metrics,
      MaintenanceSettings settings,
      Optional<String> noRewrite,
      boolean compactionApplies) {
    MaintenanceAction action = MaintenanceAction.REWRITE_POSITION_DELETES;
    if (noRewrite.isPresent()) {
      return PlannedAction.skip(action, noRewrite.get());
    }
    if (metrics.positionDeleteFiles() == 0) {
      return PlannedAction.skip(action, "no position-delete files");
    }
    if (compactionApplies) {
      return PlannedAction.skip(action, "compaction applies the delete files and drops them");
    }
    if (formatVersion(table) >= 3) {
      return PlannedAction.skip(
          action, "format v3 keeps one deletion vector per data file; nothing to combine");
    }
    if (metrics.positionDeleteFiles() < settings.compactMinSmallFiles()) {
      return PlannedAction.skip(
          action,
          metrics.positionDeleteFiles()
              + " position-delete files (rewritten from "
              + settings.compactMinSmallFiles()
              + ")");
    }
    return PlannedAction.run(
        action,
        metrics.positionDeleteFiles()
            + " position-delete files are combined per partition (from "
            + settings.compactMinSmallFiles()
            + "), without the deletes of removed files");
  }

  private static PlannedAction manifests(
      TableMetrics metrics, MaintenanceSettings settings, Optional<String> noRewrite) {
    MaintenanceAction action = MaintenanceAction.REWRITE_MANIFESTS;
    if (noRewrite.isPresent()) {
      return PlannedAction.skip(action, noRewrite.get());
    }
    if (metrics.dataManifests() <= settings.maxManifests()) {
      return PlannedAction.skip(
          action,
          metrics.dataManifests() + " data manifests (at most " + settings.maxManifests() + ")");
    }
    return PlannedAction.run(
        action,
        metrics.dataManifests()
            + " data manifests, more than "
            + settings.maxManifests()
            + ": combined so query planning reads fewer");
  }

  private static PlannedAction expiry(
      Table table, MaintenanceSettings settings, List<RetainedPosition> needed, Instant now) {
    MaintenanceAction action = MaintenanceAction.EXPIRE_SNAPSHOTS;
    Instant cutoff = now.minus(settings.snapshotRetention());
    String keptBy = "";
    Optional<RetainedPosition> oldestNeeded = needed.stream().findFirst();
    if (oldestNeeded.isPresent() && oldestNeeded.get().timestampMillis() < cutoff.toEpochMilli()) {
      cutoff = Instant.ofEpochMilli(oldestNeeded.get().timestampMillis());
      keptBy = "; keeps everything since " + oldestNeeded.get().why();
    }
    Set<Long> newest = new HashSet<>();
    if (table.currentSnapshot() != null) {
      for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
        if (newest.size() >= settings.minSnapshots()) {
          break;
        }
        newest.add(snapshot.snapshotId());
      }
    }
    int expiring = 0;
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.timestampMillis() < cutoff.toEpochMilli()
          && !newest.contains(snapshot.snapshotId())) {
        expiring++;
      }
    }
    String retention =
        "older than "
            + duration(settings.snapshotRetention())
            + " and not among the newest "
            + settings.minSnapshots();
    if (expiring == 0) {
      return PlannedAction.skip(action, "no snapshot is " + retention + keptBy);
    }
    return new PlannedAction(
        action,
        true,
        expiring + " snapshots are " + retention + keptBy,
        CompactionStrategy.BIN_PACK,
        List.of(),
        false,
        Optional.of(cutoff),
        settings.minSnapshots());
  }

  private static PlannedAction orphans(
      Table table, TableMetrics metrics, MaintenanceSettings settings) {
    MaintenanceAction action = MaintenanceAction.REMOVE_ORPHAN_FILES;
    if (!settings.removeOrphanFiles()) {
      return PlannedAction.skip(
          action, "switched off (" + MaintenanceProperties.REMOVE_ORPHANS.key() + "=false)");
    }
    Duration window = settings.orphanSafetyWindow();
    Duration age = metrics.oldestSnapshotAge().orElse(Duration.ZERO);
    if (age.compareTo(window) <= 0) {
      return PlannedAction.skip(
          action,
          "the table's history is younger than the "
              + duration(window)
              + " safety window, so no file can be old enough to remove");
    }
    return new PlannedAction(
        action,
        true,
        "files under "
            + table.location()
            + " that no snapshot references and that are older than "
            + duration(window)
            + " (left by failed writes)",
        CompactionStrategy.BIN_PACK,
        List.of(),
        false,
        Optional.of(metrics.collectedAt().minus(window)),
        0);
  }

  /**
   * The logs of ingested files of a table's {@code read_files} sources live outside the table (see
   * {@link PipelineCommits#FILES_POSITION_PREFIX}); once no kept snapshot's log chain reaches one,
   * it is garbage. Left by expiry, by the full log written every so many batches, and by batches
   * that never committed.
   */
  private static PlannedAction fileLogs(
      Table table, TableMetrics metrics, MaintenanceSettings settings) {
    MaintenanceAction action = MaintenanceAction.REMOVE_OLD_FILE_LOGS;
    boolean hasLogs = false;
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.summary() != null
          && snapshot.summary().keySet().stream()
              .anyMatch(key -> key.startsWith(PipelineCommits.FILES_POSITION_PREFIX))) {
        hasLogs = true;
        break;
      }
    }
    if (!hasLogs) {
      return PlannedAction.skip(action, "the table reads no files source");
    }
    Duration window = settings.orphanSafetyWindow();
    if (metrics.oldestSnapshotAge().orElse(Duration.ZERO).compareTo(window) <= 0) {
      return PlannedAction.skip(
          action,
          "the table's history is younger than the "
              + duration(window)
              + " safety window, so no file log can be old enough to remove");
    }
    return new PlannedAction(
        action,
        true,
        "logs of ingested files that no kept snapshot's log chain reaches and that are older"
            + " than "
            + duration(window),
        CompactionStrategy.BIN_PACK,
        List.of(),
        false,
        Optional.of(metrics.collectedAt().minus(window)),
        0);
  }

  private static int formatVersion(Table table) {
    if (table instanceof HasTableOperations operations) {
      return operations.operations().current().formatVersion();
    }
    return 2;
  }

  /** 134217728 as 128MB, 1536 as 1.5KB, 1000 as 1000B. */
  public static String size(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    int unit = 0;
    double value = bytes;
    while (unit < units.length - 1 && value >= 1024) {
      value /= 1024;
      unit++;
    }
    return value == Math.rint(value)
        ? (long) value + units[unit]
        : String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
  }

  /** 5 days as 5d, 90 minutes as 90m. */
  public static String duration(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds != 0 && seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds != 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds != 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}

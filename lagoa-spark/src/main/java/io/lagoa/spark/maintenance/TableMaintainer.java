package io.lagoa.spark.maintenance;

import io.lagoa.error.LagoaException;
import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.ConflictRetry;
import io.lagoa.maintenance.MaintenancePlan;
import io.lagoa.maintenance.MaintenancePolicy;
import io.lagoa.maintenance.PlannedAction;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.pipeline.source.FileLogs;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteManifests;
import org.apache.iceberg.actions.RewritePositionDeleteFiles;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a plan's actions on one table with Iceberg's Spark actions. Each rewrite is one Iceberg
 * commit that replaces files with the same rows, so readers and writers carry on beside it; a
 * rewrite that loses to a concurrent change fails alone and leaves the table as it was.
 */
public final class TableMaintainer {
  /** A rewrite that loses to a streaming append is planned again on the new state this often. */
  private static final int MANIFEST_REWRITE_ATTEMPTS = 3;

  private final SparkSession spark;

  public TableMaintainer(SparkSession spark) {
    this.spark = spark;
  }

  /** Runs one action of the plan (one that is planned to run). */
  public ActionOutcome run(MaintenancePlan plan, PlannedAction action) {
    long started = System.nanoTime();
    try {
      Table table = Spark3Util.loadIcebergTable(spark, "lagoa." + plan.table());
      String result =
          switch (action.action()) {
            case REMOVE_OLD_QUARANTINE -> quarantine(table, plan, action);
            case COMPACT_DATA -> compact(table, plan, action);
            case REWRITE_POSITION_DELETES -> positionDeletes(table);
            case REWRITE_MANIFESTS -> manifests(table);
            case EXPIRE_SNAPSHOTS -> expire(table, action);
            case REMOVE_ORPHAN_FILES -> orphans(table, action);
            case REMOVE_OLD_FILE_LOGS -> fileLogs(table, action);
          };
      return new ActionOutcome(action, true, result, since(started), Optional.empty());
    } catch (Exception e) {
      String why =
          ConflictRetry.lostCommit(e)
              ? "another writer changed the files it rewrites, so nothing was committed (run"
                  + " maintenance again): "
                  + LagoaException.rootMessage(e)
              : SparkSql.translate("", e).getMessage();
      return new ActionOutcome(action, true, "", since(started), Optional.of(why));
    }
  }

  /**
   * Deletes a quarantine table's rows quarantined before the cutoff, with one SQL DELETE (one
   * commit, in the table's own delete mode).
   */
  private String quarantine(Table table, MaintenancePlan plan, PlannedAction action) {
    Instant cutoff = action.olderThan().orElseThrow();
    long micros =
        Math.addExact(
            Math.multiplyExact(cutoff.getEpochSecond(), 1_000_000L), cutoff.getNano() / 1000);
    long before = table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
    spark.sql(
        "DELETE FROM "
            + quoted(plan.table())
            + " WHERE "
            + MaintenancePolicy.QUARANTINED_AT
            + " < timestamp_micros("
            + micros
            + "L)");
    table.refresh();
    Snapshot after = table.currentSnapshot();
    if (after == null || after.snapshotId() == before || after.summary() == null) {
      return "deleted no row";
    }
    Map<String, String> summary = after.summary();
    String deleted =
        summary.getOrDefault(
            "deleted-records", summary.getOrDefault("added-position-deletes", "0"));
    return "deleted "
        + deleted
        + " rows quarantined before "
        + cutoff.truncatedTo(ChronoUnit.SECONDS);
  }

  private String compact(Table table, MaintenancePlan plan, PlannedAction action) {
    RewriteDataFiles rewrite = SparkActions.get(spark).rewriteDataFiles(table);
    rewrite =
        switch (action.strategy()) {
          case BIN_PACK -> rewrite.binPack();
          case SORT -> rewrite.sort();
          case ZORDER -> rewrite.zOrder(action.columns().toArray(String[]::new));
        };
    rewrite =
        rewrite
            .option(
                RewriteDataFiles.TARGET_FILE_SIZE_BYTES,
                Long.toString(plan.settings().targetFileSizeBytes()))
            .option("min-file-size-bytes", Long.toString(plan.settings().smallFileSizeBytes()))
            .option("min-input-files", "2")
            // the table's own deletes: files that hold one are rewritten with it applied
            .option("delete-file-threshold", action.applyDeletes() ? "1" : "2147483647")
            .option(RewriteDataFiles.REMOVE_DANGLING_DELETES, "true");
    RewriteDataFiles.Result result = rewrite.execute();
    return "rewrote "
        + result.rewrittenDataFilesCount()
        + " data files into "
        + result.addedDataFilesCount()
        + (result.removedDeleteFilesCount() > 0
            ? ", removed " + result.removedDeleteFilesCount() + " delete files"
            : "");
  }

  private String positionDeletes(Table table) {
    RewritePositionDeleteFiles.Result result =
        SparkActions.get(spark)
            .rewritePositionDeletes(table)
            .option("min-input-files", "2")
            .execute();
    return "rewrote "
        + result.rewrittenDeleteFilesCount()
        + " position-delete files into "
        + result.addedDeleteFilesCount();
  }

  private String manifests(Table table) {
    ConflictRetry.Attempted<RewriteManifests.Result> attempted =
        ConflictRetry.run(
            MANIFEST_REWRITE_ATTEMPTS,
            table::refresh,
            () -> SparkActions.get(spark).rewriteManifests(table).execute());
    int rewritten = 0;
    for (Object ignored : attempted.result().rewrittenManifests()) {
      rewritten++;
    }
    int added = 0;
    for (Object ignored : attempted.result().addedManifests()) {
      added++;
    }
    return "rewrote "
        + rewritten
        + " manifests into "
        + added
        + (attempted.attempts() > 1
            ? " (planned " + attempted.attempts() + " times: concurrent commits merged manifests)"
            : "");
  }

  private String expire(Table table, PlannedAction action) {
    // counted by id: a writer may add snapshots meanwhile
    Set<Long> before = new HashSet<>();
    table.snapshots().forEach(snapshot -> before.add(snapshot.snapshotId()));
    ExpireSnapshots.Result result =
        SparkActions.get(spark)
            .expireSnapshots(table)
            .expireOlderThan(action.olderThan().orElseThrow().toEpochMilli())
            .retainLast(action.retainLast())
            .execute();
    table.refresh();
    table.snapshots().forEach(snapshot -> before.remove(snapshot.snapshotId()));
    long expired = before.size();
    return "expired "
        + expired
        + " snapshots, deleted "
        + result.deletedDataFilesCount()
        + " data files, "
        + (result.deletedPositionDeleteFilesCount() + result.deletedEqualityDeleteFilesCount())
        + " delete files and "
        + (result.deletedManifestsCount() + result.deletedManifestListsCount())
        + " manifests and manifest lists";
  }

  private String orphans(Table table, PlannedAction action) {
    DeleteOrphanFiles.Result result =
        SparkActions.get(spark)
            .deleteOrphanFiles(table)
            .olderThan(action.olderThan().orElseThrow().toEpochMilli())
            .execute();
    long count = 0;
    for (String ignored : result.orphanFileLocations()) {
      count++;
    }
    return "removed " + count + " orphan files";
  }

  /**
   * Deletes the logs of ingested files in the table's log folder that no kept snapshot's chain
   * reaches and that are older than the cutoff. Logs are named by a UUID, so a name identifies one
   * whatever form of the folder's location the store lists.
   */
  private static String fileLogs(Table table, PlannedAction action) {
    table.refresh(); // after this pass's expiry
    Set<String> kept = new HashSet<>();
    String folder = null;
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.summary() == null) {
        continue;
      }
      for (Map.Entry<String, String> entry : snapshot.summary().entrySet()) {
        if (entry.getKey().startsWith(PipelineCommits.FILES_POSITION_PREFIX)) {
          String location = entry.getValue();
          folder = folder != null ? folder : location.substring(0, location.lastIndexOf('/') + 1);
          FileLogs.addChain(table.io(), location, kept);
        }
      }
    }
    if (folder == null) {
      return "no file logs";
    }
    if (!(table.io() instanceof SupportsPrefixOperations listing)) {
      return "kept every file log: the table's storage client cannot list files";
    }
    Set<String> keptNames = new HashSet<>();
    kept.forEach(location -> keptNames.add(name(location)));
    long cutoff = action.olderThan().orElseThrow().toEpochMilli();
    List<String> garbage = new ArrayList<>();
    for (FileInfo file : listing.listPrefix(folder)) {
      if (!keptNames.contains(name(file.location())) && file.createdAtMillis() < cutoff) {
        garbage.add(file.location());
      }
    }
    for (String location : garbage) {
      table.io().deleteFile(location);
    }
    return "removed " + garbage.size() + " file logs, kept " + kept.size();
  }

  /** {@code silver.t} as {@code lagoa.`silver`.`t`}. */
  private static String quoted(String table) {
    StringBuilder quoted = new StringBuilder("lagoa");
    for (String part : table.split("\\.")) {
      quoted.append(".`").append(part.replace("`", "``")).append('`');
    }
    return quoted.toString();
  }

  private static String name(String location) {
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}

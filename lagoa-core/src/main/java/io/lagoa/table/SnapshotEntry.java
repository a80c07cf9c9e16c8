package io.lagoa.table;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One snapshot in a table's history.
 *
 * @param current whether the table's current state is this snapshot
 * @param inCurrentLineage false for snapshots left behind by a rollback
 */
public record SnapshotEntry(
    long snapshotId,
    OptionalLong parentId,
    Instant committedAt,
    String operation,
    boolean current,
    boolean inCurrentLineage,
    Map<String, String> summary) {

  public long addedRecords() {
    return summaryLong("added-records");
  }

  public long deletedRecords() {
    return summaryLong("deleted-records");
  }

  public long totalRecords() {
    return summaryLong("total-records");
  }

  private long summaryLong(String key) {
    String value = summary.get(key);
    return value == null ? 0L : Long.parseLong(value);
  }
}

package io.lagoa.table;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One snapshot in a table's history.
 *
 * @param status whether it is the current state, an earlier one in the current history, or one that
 *     left the current history (by a rollback, or because the table was replaced)
 */
public record SnapshotEntry(
    long snapshotId,
    OptionalLong parentId,
    Instant committedAt,
    String operation,
    SnapshotStatus status,
    Map<String, String> summary) {

  /** Whether the table's current state is this snapshot. */
  public boolean current() {
    return status == SnapshotStatus.CURRENT;
  }

  /** Whether it is in the history that leads to the current state; false once left behind. */
  public boolean inCurrentLineage() {
    return status.inCurrentLineage();
  }

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

package io.lagoa.table;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The commits a change feed reads: the snapshots from {@code --from} to {@code --to}, both
 * inclusive, along the history that leads to {@code --to} (snapshots a rollback left behind are not
 * part of it).
 *
 * @param table the table's name
 * @param snapshots the snapshots in the range, oldest first; empty when nothing was committed in it
 * @param startSnapshotIdExclusive the snapshot the changes start after, as Iceberg's {@code
 *     start-snapshot-id} read option takes it; empty to read from the start of the history
 * @param endSnapshotId the last snapshot read, inclusive; empty when the range is empty
 * @param keyColumns the columns that identify a row (from {@code --key} or the table's identifier
 *     fields), in the table's spelling; empty when neither is known
 * @param keyFromTable whether the key columns are the table's identifier fields
 */
public record ChangeRange(
    String table,
    List<SnapshotEntry> snapshots,
    OptionalLong startSnapshotIdExclusive,
    OptionalLong endSnapshotId,
    List<String> keyColumns,
    boolean keyFromTable) {

  public ChangeRange {
    snapshots = List.copyOf(snapshots);
    keyColumns = List.copyOf(keyColumns);
  }

  public boolean isEmpty() {
    return snapshots.isEmpty();
  }

  public boolean hasKey() {
    return !keyColumns.isEmpty();
  }

  /** When each snapshot in the range was committed, by snapshot id. */
  public Map<Long, Instant> commitTimes() {
    Map<Long, Instant> times = new LinkedHashMap<>();
    for (SnapshotEntry snapshot : snapshots) {
      times.put(snapshot.snapshotId(), snapshot.committedAt());
    }
    return times;
  }

  /** For messages: {@code snapshot 1 to snapshot 9 (3 commits)}. */
  public String describe() {
    if (isEmpty()) {
      return "no commits";
    }
    long first = snapshots.get(0).snapshotId();
    long last = snapshots.get(snapshots.size() - 1).snapshotId();
    int count = snapshots.size();
    return (first == last ? "snapshot " + first : "snapshot " + first + " to snapshot " + last)
        + " ("
        + count
        + (count == 1 ? " commit)" : " commits)");
  }
}

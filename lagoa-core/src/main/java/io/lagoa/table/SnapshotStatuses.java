package io.lagoa.table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Works out the {@link SnapshotStatus} of every snapshot of a table.
 *
 * <p>The current snapshot and its ancestors (following parent ids) are the current history. Why any
 * other snapshot left it is read from the table's snapshot log, which records which snapshot was
 * current from when. The log is replayed one change of the current snapshot at a time:
 *
 * <ul>
 *   <li>a new snapshot without a parent is the table being replaced (CREATE OR REPLACE, a replace
 *       transaction): the history it leaves was <em>replaced</em>;
 *   <li>a move to an existing snapshot is a rollback (or the undoing of one): it brings back the
 *       statuses of the time that snapshot was last current, and what was committed after that time
 *       and leaves the history now was <em>rolled back</em>;
 *   <li>a replace that writes nothing leaves the table without a current snapshot: replaced too.
 * </ul>
 *
 * <p>Expiring snapshots cuts the start of the log. For a snapshot the log no longer accounts for,
 * the parent ids decide: one that shares an ancestor with the current history branched off by a
 * rollback; one that shares none was replaced.
 */
final class SnapshotStatuses {
  private final Table table;

  /** The current history at this point of the replay. */
  private final Set<Long> lineage = new HashSet<>();

  /** Per snapshot, from which step of the replay on it had which status (ANCESTOR: in lineage). */
  private final Map<Long, TreeMap<Integer, SnapshotStatus>> changes = new HashMap<>();

  /** Per snapshot, the last step at which it was the current one. */
  private final Map<Long, Integer> lastCurrent = new HashMap<>();

  private int step;

  private SnapshotStatuses(Table table) {
    this.table = table;
  }

  static Map<Long, SnapshotStatus> of(Table table) {
    return new SnapshotStatuses(table).replay();
  }

  private Map<Long, SnapshotStatus> replay() {
    Long shown = null;
    for (HistoryEntry logEntry : table.history()) {
      long id = logEntry.snapshotId();
      if (table.snapshot(id) == null || Objects.equals(shown, id)) {
        continue;
      }
      move(shown, id);
      shown = id;
    }
    Snapshot current = table.currentSnapshot();
    Long currentId = current == null ? null : current.snapshotId();
    if (!Objects.equals(currentId, shown)) {
      move(shown, currentId);
    }

    Set<Long> currentChain = currentId == null ? Set.of() : chain(currentId);
    Map<Long, SnapshotStatus> statuses = new HashMap<>();
    for (Snapshot snapshot : table.snapshots()) {
      long id = snapshot.snapshotId();
      SnapshotStatus status;
      if (Objects.equals(currentId, id)) {
        status = SnapshotStatus.CURRENT;
      } else if (lineage.contains(id)) {
        status = SnapshotStatus.ANCESTOR;
      } else if (changes.containsKey(id)) {
        status = changes.get(id).lastEntry().getValue();
      } else {
        status =
            Collections.disjoint(chain(id), currentChain)
                ? SnapshotStatus.REPLACED
                : SnapshotStatus.ROLLED_BACK;
      }
      statuses.put(id, status);
    }
    return statuses;
  }

  /** The current snapshot changes from {@code from} to {@code to}; either may be null (none). */
  private void move(Long from, Long to) {
    step++;
    boolean known = to != null && changes.containsKey(to);
    Integer restoreStep = to == null ? null : lastCurrent.get(to);
    // Walk back from the new current snapshot to where it meets the current history.
    List<Long> joining = new ArrayList<>();
    Long common = null;
    if (to != null) {
      for (Snapshot snapshot : SnapshotUtil.ancestorsOf(to, table::snapshot)) {
        if (lineage.contains(snapshot.snapshotId())) {
          common = snapshot.snapshotId();
          break;
        }
        joining.add(snapshot.snapshotId());
      }
    }
    List<Long> leaving = new ArrayList<>();
    if (common == null) {
      leaving.addAll(lineage);
    } else if (from != null) {
      for (Snapshot snapshot : SnapshotUtil.ancestorsOf(from, table::snapshot)) {
        if (snapshot.snapshotId() == common) {
          break;
        }
        leaving.add(snapshot.snapshotId());
      }
    }
    boolean replaced = to == null || (!known && table.snapshot(to).parentId() == null);
    for (Long id : leaving) {
      SnapshotStatus why;
      if (replaced) {
        why = SnapshotStatus.REPLACED;
      } else {
        // An earlier snapshot made current again: its status then, or rolled back if newer.
        SnapshotStatus then = restoreStep == null ? null : statusAt(id, restoreStep);
        why = then == null || then == SnapshotStatus.ANCESTOR ? SnapshotStatus.ROLLED_BACK : then;
      }
      lineage.remove(id);
      record(id, why);
    }
    for (Long id : joining) {
      lineage.add(id);
      record(id, SnapshotStatus.ANCESTOR);
    }
    if (!replaced && restoreStep != null) {
      // The snapshots that had left the history before then left it for the reasons they had then.
      for (Long id : new ArrayList<>(changes.keySet())) {
        SnapshotStatus then = statusAt(id, restoreStep);
        if (!lineage.contains(id) && then != null && then != SnapshotStatus.ANCESTOR) {
          record(id, then);
        }
      }
    }
    if (to != null) {
      lastCurrent.put(to, step);
    }
  }

  private void record(long id, SnapshotStatus status) {
    changes.computeIfAbsent(id, ignored -> new TreeMap<>()).put(step, status);
  }

  private SnapshotStatus statusAt(long id, int atStep) {
    TreeMap<Integer, SnapshotStatus> history = changes.get(id);
    if (history == null) {
      return null;
    }
    Map.Entry<Integer, SnapshotStatus> entry = history.floorEntry(atStep);
    return entry == null ? null : entry.getValue();
  }

  /** A snapshot's id and its ancestors', with the parent id of the oldest one kept (expired). */
  private Set<Long> chain(long snapshotId) {
    Set<Long> ids = new HashSet<>();
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(snapshotId, table::snapshot)) {
      ids.add(snapshot.snapshotId());
      if (snapshot.parentId() != null) {
        ids.add(snapshot.parentId());
      }
    }
    return ids;
  }
}

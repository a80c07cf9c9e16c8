package io.lagoa.maintenance;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.PipelineCommits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * The snapshots pipelines still need, read from snapshot summaries. A streaming table finds where
 * its sources stopped by walking back from its current snapshot to its last pipeline commit ({@link
 * PipelineCommits#lastPipelineCommit}), passing over compactions; expiring that commit would cut
 * the walk and the stream would start again from the beginning. A streaming table that reads
 * another table ({@code STREAM(t)}) stores the snapshot of {@code t} it read up to ({@link
 * PipelineCommits#STREAM_STATE_PREFIX}); expiring it would make the reader need a full refresh.
 */
public final class PipelinePositions {
  /** Per streamed table (lower case, without the catalog): the readers' stored snapshots. */
  private final Map<String, List<Reader>> readers;

  /** Per table scanned (lower case): its last pipeline commit's id, or {@code none}; */
  private final Map<String, String> lastCommits;

  /** Whether every table was scanned, so a table missing from {@link #lastCommits} is gone. */
  private final boolean complete;

  private record Reader(String table, long snapshotId) {}

  private PipelinePositions(
      Map<String, List<Reader>> readers, Map<String, String> lastCommits, boolean complete) {
    this.readers = readers;
    this.lastCommits = lastCommits;
    this.complete = complete;
  }

  /** Reads where every pipeline table of the catalog last stopped reading its streamed tables. */
  public static PipelinePositions scan(Catalog catalog, List<TableIdentifier> tables) {
    Map<String, List<Reader>> readers = new HashMap<>();
    Map<String, String> lastCommits = new HashMap<>();
    for (TableIdentifier identifier : tables) {
      Table table;
      try {
        table = catalog.loadTable(identifier);
      } catch (NoSuchTableException e) {
        continue; // dropped meanwhile
      }
      Optional<Snapshot> last = lastPipelineCommit(table);
      lastCommits.put(
          normalize(identifier.toString()),
          last.map(snapshot -> Long.toString(snapshot.snapshotId())).orElse(PipelineCommits.NONE));
      if (last.isEmpty() || last.get().summary() == null) {
        continue;
      }
      last.get()
          .summary()
          .forEach(
              (key, value) -> {
                if (key.startsWith(PipelineCommits.STREAM_STATE_PREFIX)) {
                  try {
                    long id = Long.parseLong(value);
                    String source =
                        normalize(key.substring(PipelineCommits.STREAM_STATE_PREFIX.length()));
                    readers
                        .computeIfAbsent(source, k -> new ArrayList<>())
                        .add(new Reader(identifier.toString(), id));
                  } catch (NumberFormatException e) {
                    // not a snapshot id: nothing to keep for it
                  }
                }
              });
    }
    return new PipelinePositions(readers, lastCommits, true);
  }

  /** No reader anywhere: only each table's own last pipeline commit is kept. */
  public static PipelinePositions none() {
    return new PipelinePositions(Map.of(), Map.of(), false);
  }

  /**
   * Whether {@code table}'s last commit is a quarantine batch whose table commit may still follow:
   * it is marked with the snapshot its table's batch started from ({@link
   * PipelineCommits#TARGET_SNAPSHOT}), and that is still the table's last pipeline commit. The next
   * batch finds such a batch from the quarantine table's current snapshot, so a rewrite or a delete
   * must not go on top of it. A quarantine commit whose table has committed since is done.
   */
  public boolean quarantinePending(String name, Table table) {
    Snapshot current = table.currentSnapshot();
    if (current == null || current.summary() == null) {
      return false;
    }
    String marker = current.summary().get(PipelineCommits.TARGET_SNAPSHOT);
    if (marker == null) {
      return false;
    }
    String quarantine = normalize(name);
    Optional<String> quarantined = Dataset.quarantinedTable(quarantine);
    if (quarantined.isEmpty()) {
      return true; // marked, but whose table is not known: wait
    }
    String target = quarantined.get();
    String last = lastCommits.get(target);
    if (last == null) {
      return !complete; // its table is gone: no commit of it can follow
    }
    return marker.equals(last);
  }

  /** The snapshots of {@code table} that pipelines need, oldest first. */
  public List<RetainedPosition> needed(String name, Table table) {
    List<RetainedPosition> needed = new ArrayList<>();
    Optional<Snapshot> last = lastPipelineCommit(table);
    last.ifPresent(
        snapshot ->
            needed.add(
                retained(
                    snapshot,
                    "its last pipeline commit "
                        + snapshot.snapshotId()
                        + " (it holds the stream's source positions)")));
    last.flatMap(snapshot -> previousCdcBatch(table, snapshot))
        .ifPresent(
            snapshot ->
                needed.add(
                    retained(
                        snapshot,
                        "snapshot "
                            + snapshot.snapshotId()
                            + " of AUTO CDC batch "
                            + snapshot.summary().get(PipelineCommits.CDC_BATCH)
                            + " (a run that stops between a change state's commit and its"
                            + " table's puts the state back to it)")));
    for (Reader reader : readers.getOrDefault(normalize(name), List.of())) {
      Snapshot snapshot = table.snapshot(reader.snapshotId());
      if (snapshot != null) {
        needed.add(
            retained(
                snapshot,
                "snapshot "
                    + snapshot.snapshotId()
                    + ", where the streaming table "
                    + reader.table()
                    + " last stopped reading it"));
      }
    }
    needed.sort(java.util.Comparator.comparingLong(RetainedPosition::timestampMillis));
    return needed;
  }

  private static RetainedPosition retained(Snapshot snapshot, String why) {
    return new RetainedPosition(snapshot.snapshotId(), snapshot.timestampMillis(), why);
  }

  /**
   * The AUTO CDC batch before {@code last}, when the last pipeline commit is a CDC batch: a change
   * state commits before its table, and a run stopped in between is recovered by rolling the state
   * back to this snapshot, which expiry must therefore keep.
   */
  private static Optional<Snapshot> previousCdcBatch(Table table, Snapshot last) {
    if (!isCdcBatch(last)) {
      return Optional.empty();
    }
    Long parentId = last.parentId();
    while (parentId != null) {
      Snapshot snapshot = table.snapshot(parentId);
      if (snapshot == null) {
        return Optional.empty(); // expired already
      }
      if (isCdcBatch(snapshot)) {
        return Optional.of(snapshot);
      }
      parentId = snapshot.parentId();
    }
    return Optional.empty();
  }

  private static boolean isCdcBatch(Snapshot snapshot) {
    return snapshot.summary() != null && snapshot.summary().containsKey(PipelineCommits.CDC_BATCH);
  }

  static Optional<Snapshot> lastPipelineCommit(Table table) {
    if (table instanceof HasTableOperations operations) {
      return PipelineCommits.lastPipelineCommit(operations.operations().current());
    }
    return Optional.empty();
  }

  /** {@code lagoa.Silver.T} and {@code silver.t} name the same table. */
  static String normalize(String name) {
    String lower = name.toLowerCase(Locale.ROOT).replace("`", "");
    return lower.startsWith("lagoa.") && lower.chars().filter(c -> c == '.').count() >= 2
        ? lower.substring("lagoa.".length())
        : lower;
  }
}

package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.PipelineCommits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * What a streaming table's batch knows of the runs before it, all from snapshot summaries: where
 * the last pipeline commit left its sources, the commit each written table is expected to still be
 * at when the batch commits ({@link PipelineCommits#expectedBaseKey}: the catalog refuses the
 * commit otherwise, and the runner plans the batch again), and a batch that was cut short after its
 * quarantine commits and before the target's, which this batch replays.
 */
final class StreamBatchState {
  /** In the maps of {@link #summary}: the snapshot's id. */
  static final String SNAPSHOT_ID = "__snapshot-id";

  private final Catalog catalog;

  StreamBatchState(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * The summary of the table's latest snapshot that a pipeline run committed, which holds the
   * positions its sources were read to (see {@link PipelineCommits#lastPipelineCommit}): taking a
   * compaction's empty summary would read every source from the start again. The commit's id goes
   * into {@code commitProperties} as the table's expected base, so the catalog refuses the batch's
   * commit when another run committed in between.
   */
  Map<String, String> lastProcessed(String name, Map<String, String> commitProperties) {
    Optional<Snapshot> last = lastPipelineCommit(name);
    commitProperties.put(
        PipelineCommits.expectedBaseKey(name),
        last.map(snapshot -> Long.toString(snapshot.snapshotId())).orElse(PipelineCommits.NONE));
    return last.map(Snapshot::summary).orElse(Map.of());
  }

  /**
   * Quarantine commits are checked like the target's: a batch another run has quarantined since
   * this one started is replayed, not quarantined a second time (nor replaced).
   */
  void expectQuarantineBases(Dataset target, Map<String, String> commitProperties) {
    quarantineState(target, null, commitProperties);
  }

  /**
   * The source positions of a batch that was cut short after writing a quarantine table but before
   * the target's commit: a quarantine commit marked with the target's last pipeline commit, which
   * is where that batch started reading. Each such quarantine commit is named in {@code
   * commitProperties} ({@link FlowExecutor#REPLAYS_PREFIX}): this batch does not write its rows
   * there again. Also notes the quarantine tables' expected bases, as {@link
   * #expectQuarantineBases} does, from the same load of each table.
   *
   * @param target the target's last pipeline commit, as its expected base
   */
  Map<String, String> pendingBatch(
      Dataset dataset, String target, Map<String, String> commitProperties) {
    return quarantineState(dataset, target, commitProperties);
  }

  /** Each quarantine table loaded once: its expected base, and a pending batch if asked for. */
  private Map<String, String> quarantineState(
      Dataset dataset, String target, Map<String, String> commitProperties) {
    Map<String, String> pending = Map.of();
    for (String table : List.of(dataset.sourceQuarantineTable(), dataset.quarantineTable())) {
      Optional<Snapshot> last = load(table).flatMap(PipelineCommits::lastPipelineCommit);
      commitProperties.put(
          PipelineCommits.expectedBaseKey(table),
          last.map(snapshot -> Long.toString(snapshot.snapshotId())).orElse(PipelineCommits.NONE));
      if (target == null) {
        continue;
      }
      // the last pipeline commit, not the current snapshot: a later commit of someone else (a
      // manual INSERT, a compaction, a withdrawn batch's delete) does not hide the mark
      Map<String, String> summary = last.map(StreamBatchState::summary).orElse(Map.of());
      if (target.equals(summary.get(FlowExecutor.TARGET_SNAPSHOT_PROPERTY))) {
        commitProperties.put(FlowExecutor.REPLAYS_PREFIX + table, summary.get(SNAPSHOT_ID));
        pending = pending.isEmpty() ? summary : pending;
      }
    }
    return pending;
  }

  /**
   * The properties of a batch's quarantine commits: the target's, and the mark of the target's
   * commit the batch started from ({@link #marker}).
   */
  Map<String, String> quarantineProperties(Dataset dataset, Map<String, String> commitProperties) {
    Map<String, String> properties = new LinkedHashMap<>(commitProperties);
    properties.put(FlowExecutor.TARGET_SNAPSHOT_PROPERTY, marker(dataset, commitProperties));
    return properties;
  }

  /**
   * What a batch's quarantine commits are marked with: the target's last pipeline commit when the
   * batch started reading (the commit whose positions it read from), or for a first run or a
   * replace the target's current snapshot ("none"). Taken when the batch starts, not when the
   * quarantine is written: a mark taken later could name another run's newer commit, and the next
   * batch would then take this older batch for an interrupted one and replay it.
   */
  String marker(Dataset dataset, Map<String, String> commitProperties) {
    String base = commitProperties.get(PipelineCommits.expectedBaseKey(dataset.name()));
    return base != null ? base : summary(dataset.name()).getOrDefault(SNAPSHOT_ID, "none");
  }

  /** The last snapshot's summary, with its id under {@link #SNAPSHOT_ID}; empty without one. */
  Map<String, String> summary(String name) {
    return load(name).map(StreamBatchState::summary).orElse(Map.of());
  }

  private static Map<String, String> summary(TableMetadata metadata) {
    Snapshot snapshot = metadata.currentSnapshot();
    return snapshot == null ? Map.of() : summary(snapshot);
  }

  private static Map<String, String> summary(Snapshot snapshot) {
    Map<String, String> summary = new LinkedHashMap<>();
    if (snapshot.summary() != null) {
      summary.putAll(snapshot.summary());
    }
    summary.put(SNAPSHOT_ID, Long.toString(snapshot.snapshotId()));
    return summary;
  }

  /** The table's last pipeline commit; empty when it has none or does not exist. */
  Optional<Snapshot> lastPipelineCommit(String name) {
    return load(name).flatMap(PipelineCommits::lastPipelineCommit);
  }

  /** The table's current metadata, refreshed from the catalog; empty when it does not exist. */
  private Optional<TableMetadata> load(String name) {
    try {
      Table table = catalog.loadTable(FlowExecutor.identifier(name));
      table.refresh();
      return Optional.of(metadata(table));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  /** The summary of the table's last commit by a pipeline run; empty without one. */
  static Map<String, String> pipelineSummary(Table table) {
    return PipelineCommits.lastPipelineCommit(metadata(table))
        .map(Snapshot::summary)
        .orElse(Map.of());
  }

  private static TableMetadata metadata(Table table) {
    return ((HasTableOperations) table).operations().current();
  }
}

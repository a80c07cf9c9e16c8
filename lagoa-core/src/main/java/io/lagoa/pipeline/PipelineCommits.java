package io.lagoa.pipeline;

import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The snapshot-summary keys a pipeline run writes with its commits, and how to read them back.
 *
 * <p>A streaming table stores how far it has read its sources in the summary of the commit that
 * wrote the rows, so rows and positions are one atomic commit. Two runners of one pipeline could
 * both read from the same position and both append; to prevent that, each commit also says which
 * pipeline commit its batch started from ({@link #expectedBaseKey}), and the catalog refuses the
 * commit when the table's last pipeline commit is another one by then (see {@code
 * io.lagoa.catalog.ValidatingTableOperations}).
 */
public final class PipelineCommits {
  /** The run that made a commit; marks a pipeline commit. */
  public static final String RUN_ID = "lagoa.pipeline.run-id";

  /**
   * Prefix of the key, followed by the table's name, whose value is the id of the table's last
   * pipeline commit when the batch started, or {@link #NONE}.
   */
  public static final String EXPECTED_BASE_PREFIX = "lagoa.pipeline.expected-base.";

  /** The value of {@link #EXPECTED_BASE_PREFIX} keys for a table without a pipeline commit. */
  public static final String NONE = "none";

  private PipelineCommits() {}

  /** The key holding the expected last pipeline commit of {@code table} (its dotted name). */
  public static String expectedBaseKey(String table) {
    return EXPECTED_BASE_PREFIX + table.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The table's latest snapshot that a pipeline run committed, in the current snapshot's lineage.
   * Later snapshots of others (a compaction, which keeps no custom summary entries; a manual
   * INSERT) are passed over.
   */
  public static Optional<Snapshot> lastPipelineCommit(TableMetadata metadata) {
    if (metadata == null || metadata.currentSnapshot() == null) {
      return Optional.empty();
    }
    for (Snapshot snapshot :
        SnapshotUtil.ancestorsOf(metadata.currentSnapshot().snapshotId(), metadata::snapshot)) {
      Map<String, String> summary = snapshot.summary();
      if (summary != null && summary.containsKey(RUN_ID)) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /** {@link #lastPipelineCommit}'s id as the value of an expected-base key. */
  public static String lastPipelineCommitId(TableMetadata metadata) {
    return lastPipelineCommit(metadata).map(s -> Long.toString(s.snapshotId())).orElse(NONE);
  }
}

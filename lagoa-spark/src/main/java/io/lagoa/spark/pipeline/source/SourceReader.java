package io.lagoa.spark.pipeline.source;

import io.lagoa.pipeline.SourceCall;
import java.util.Map;

/**
 * Reads one source call ({@code read_kafka(...)}, {@code read_files(...)}) for one run. Readers
 * come from {@link SourceReaders}, which owns what they share across runs (Kafka admin clients,
 * file systems, loaded file logs); their arguments are the declarations of {@link
 * io.lagoa.pipeline.SourceArguments}.
 */
public sealed interface SourceReader
    permits KafkaSourceReader, FilesSourceReader, PostgresCdcSourceReader {
  /** The call this reader reads. */
  SourceCall call();

  /**
   * The snapshot-summary key holding this source's position (see {@link
   * io.lagoa.pipeline.PipelineCommits}).
   */
  String positionKey();

  /**
   * Reads the records after the stored position.
   *
   * @param stored the target's last pipeline commit's snapshot summary (empty on a first run, a
   *     full refresh, or a read of everything)
   * @param pending the summary of a quarantine commit whose batch the target has not committed:
   *     that batch is read again, exactly
   * @param runId the run reading, for the quarantined records
   * @param whole read everything, without the per-batch limit (a read without STREAM)
   * @param dryRun write nothing (a {@code --dry-run})
   */
  SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun);

  /**
   * As {@link #read(Map, Map, String, boolean, boolean)}, asking for a batch whose rejected records
   * may be written after the target's commit ({@link QuarantineOrder#AFTER_TARGET}): a reader that
   * can, reads the source without a cache and counts the rejected records on the way; the others
   * return a cached batch ({@link SourceBatch#order()} says which it is).
   */
  default SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun,
      QuarantineOrder order) {
    return read(stored, pending, runId, whole, dryRun);
  }
}

package io.lagoa.bench.cdc;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Everything one {@code lagoa bench cdc} measured, with what it ran on.
 *
 * @param environment cores, load averages at the start and the end, versions
 * @param setup the bronze table and the first pipeline run that built the target
 * @param batches one per batch of changes, in order
 * @param reads the full-scan reads of the target, in order (after compaction last)
 * @param compactionNanos how long the compaction took, with {@code --compact}
 */
public record CdcBenchResults(
    Instant startedAt,
    Map<String, String> environment,
    CdcBenchOptions options,
    Setup setup,
    List<Batch> batches,
    List<Read> reads,
    OptionalLong compactionNanos) {
  public CdcBenchResults {
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    batches = List.copyOf(batches);
    reads = List.copyOf(reads);
  }

  /**
   * @param rows the initial inserts written to bronze
   * @param bronzeNanos writing them
   * @param initialRunNanos the pipeline run that built the target from them
   * @param targetRows the target's rows after that run
   * @param referenceNanos building the reference copy (a CREATE TABLE AS SELECT), if any
   */
  public record Setup(
      long rows,
      long bronzeNanos,
      long initialRunNanos,
      long targetRows,
      OptionalLong referenceNanos) {
    public double rowsPerSecond() {
      return rows / Math.max(initialRunNanos / 1e9, 1e-9);
    }
  }

  /**
   * One batch of changes.
   *
   * @param changes the rows appended to bronze: {@code updates + deletes + inserts}
   * @param appendNanos appending them to bronze (not part of the figure)
   * @param runNanos the pipeline run that applied them: its wall time, Lagoa's bookkeeping included
   * @param applied the changes the flow reported written
   * @param referenceNanos a plain MERGE INTO of the same changes into the reference copy
   * @param dataFiles the target's data files after the batch
   * @param deleteFiles the target's delete files after the batch (merge-on-read)
   */
  public record Batch(
      int number,
      long changes,
      long updates,
      long deletes,
      long inserts,
      long appendNanos,
      long runNanos,
      long applied,
      OptionalLong referenceNanos,
      long dataFiles,
      long deleteFiles) {
    public double changesPerSecond() {
      return changes / Math.max(runNanos / 1e9, 1e-9);
    }

    public double referenceChangesPerSecond() {
      return referenceNanos.isPresent()
          ? changes / Math.max(referenceNanos.getAsLong() / 1e9, 1e-9)
          : Double.NaN;
    }
  }

  /**
   * A timed full scan of the target ({@code SELECT count(*), sum(amount)}).
   *
   * @param afterBatch the batches applied before it
   * @param compacted whether the target had just been compacted
   */
  public record Read(
      int afterBatch, boolean compacted, long nanos, long rows, long dataFiles, long deleteFiles) {}
}

package io.lagoa.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The health of one table at one moment, from its metadata alone.
 *
 * @param rows records in the current data files (rows removed by delete files still count)
 * @param dataBytes the size of the current data files
 * @param smallFiles data files under the table's small-file size
 * @param partitions partitions holding data files (1 for an unpartitioned table with data)
 * @param dataManifests manifests of data files in the current snapshot
 * @param metadataBytes the size of the current metadata file
 * @param oldestSnapshotAge how old the oldest retained snapshot is; empty without snapshots
 * @param lastCommitAge how old the current snapshot is; empty without snapshots
 * @param bytesAddedLastDay bytes of data files written in the last 24 hours, compactions left out
 */
public record TableMetrics(
    String table,
    Instant collectedAt,
    OptionalLong snapshotId,
    long rows,
    long dataBytes,
    long dataFiles,
    long smallFiles,
    long smallFileSizeBytes,
    long partitions,
    long positionDeleteFiles,
    long equalityDeleteFiles,
    long dataManifests,
    long deleteManifests,
    long snapshots,
    long metadataBytes,
    Optional<Duration> oldestSnapshotAge,
    Optional<Duration> lastCommitAge,
    long bytesAddedLastDay) {

  public long averageFileBytes() {
    return dataFiles == 0 ? 0 : dataBytes / dataFiles;
  }

  public long deleteFiles() {
    return positionDeleteFiles + equalityDeleteFiles;
  }

  /** Delete files per data file; 0 without data files. */
  public double deleteFileRatio() {
    return dataFiles == 0 ? 0 : (double) deleteFiles() / dataFiles;
  }
}

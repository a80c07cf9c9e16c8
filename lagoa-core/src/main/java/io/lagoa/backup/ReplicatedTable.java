package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One table in a replica: where it lives on each side, the primary's metadata file it was last
 * advanced to (null until its first copy is complete) and the snapshot that metadata points at, and
 * every file copied or rewritten for it so far, by primary path, with the size of its copy (a
 * rewritten manifest or position-delete file differs in size from the original; the next manifest
 * list names it with this size). Files are recorded as they are copied, so a replication cut short
 * resumes with the files still missing.
 */
public record ReplicatedTable(
    @JsonProperty("name") String name,
    @JsonProperty("uuid") String uuid,
    @JsonProperty("source_location") String sourceLocation,
    @JsonProperty("target_location") String targetLocation,
    @JsonProperty("source_metadata_file") String sourceMetadataFile,
    @JsonProperty("target_metadata_file") String targetMetadataFile,
    @JsonProperty("snapshot_id") Long snapshotId,
    @JsonProperty("snapshot_timestamp_ms") Long snapshotTimestampMillis,
    @JsonProperty("replicated_at") String replicatedAt,
    @JsonProperty("files") Map<String, Long> files) {

  public ReplicatedTable {
    files = files == null ? Map.of() : Map.copyOf(files);
  }

  /** Whether the replica's catalog has this table (its first copy was completed). */
  public boolean registered() {
    return targetMetadataFile != null;
  }

  /** The same table with more files copied, its catalog state unchanged. */
  ReplicatedTable withFiles(Map<String, Long> copied) {
    return new ReplicatedTable(
        name,
        uuid,
        sourceLocation,
        targetLocation,
        sourceMetadataFile,
        targetMetadataFile,
        snapshotId,
        snapshotTimestampMillis,
        replicatedAt,
        copied);
  }
}

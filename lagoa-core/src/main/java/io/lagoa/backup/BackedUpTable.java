package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One table in a backup: the metadata file that was current when the backup pinned it (so the
 * backed-up state is one the table had), the snapshot it points at, and every file that metadata
 * reaches: all retained snapshots, so a restore can go back to any of them.
 */
public record BackedUpTable(
    @JsonProperty("name") String name,
    @JsonProperty("uuid") String uuid,
    @JsonProperty("location") String location,
    @JsonProperty("metadata_file") String metadataFile,
    @JsonProperty("snapshot_id") Long snapshotId,
    @JsonProperty("snapshot_timestamp_ms") Long snapshotTimestampMillis,
    @JsonProperty("files") List<BackedUpFile> files) {

  public long bytes() {
    return files.stream().mapToLong(BackedUpFile::size).sum();
  }
}

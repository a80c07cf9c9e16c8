package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one backup holds, written as {@code backups/<id>.json} in the backup location once every
 * file of it is copied: a backup without its manifest does not exist. Times are ISO-8601 UTC.
 */
public record BackupManifest(
    @JsonProperty("format") int format,
    @JsonProperty("id") String id,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("completed_at") String completedAt,
    @JsonProperty("warehouse") String warehouse,
    @JsonProperty("tables") List<BackedUpTable> tables,
    @JsonProperty("copied_files") long copiedFiles,
    @JsonProperty("copied_bytes") long copiedBytes) {

  /** The version of this layout; a reader refuses a newer one. */
  public static final int FORMAT = 1;

  @JsonIgnore
  public Instant started() {
    return Instant.parse(startedAt);
  }

  @JsonIgnore
  public Instant completed() {
    return Instant.parse(completedAt);
  }

  public Optional<BackedUpTable> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Bytes of every file the backup's tables need, shared with other backups or not. */
  @JsonIgnore
  public long bytes() {
    return tables.stream().mapToLong(BackedUpTable::bytes).sum();
  }

  @JsonIgnore
  public long files() {
    return tables.stream().mapToLong(t -> t.files().size()).sum();
  }
}

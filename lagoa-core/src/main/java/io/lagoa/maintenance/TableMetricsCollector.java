package io.lagoa.maintenance;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Computes a table's {@link TableMetrics} through the Iceberg API: the current snapshot's files
 * come from its manifests (no data file is read), the rest from the snapshot log and summaries.
 */
public final class TableMetricsCollector {
  private static final Duration DAY = Duration.ofDays(1);
  private final Clock clock;

  public TableMetricsCollector(Clock clock) {
    this.clock = clock;
  }

  public TableMetrics collect(String name, Table table) {
    Instant now = clock.instant();
    table.refresh();
    MaintenanceSettings settings = MaintenanceProperties.settings(name, table.properties());
    long small = settings.smallFileSizeBytes();
    Snapshot current = table.currentSnapshot();
    long rows = 0;
    long bytes = 0;
    long files = 0;
    long smallFiles = 0;
    Set<String> partitions = new HashSet<>();
    Set<String> positionDeletes = new HashSet<>();
    Set<String> equalityDeletes = new HashSet<>();
    long dataManifests = 0;
    long deleteManifests = 0;
    if (current != null) {
      Map<Integer, PartitionSpec> specs = new HashMap<>(table.specs());
      try (CloseableIterable<FileScanTask> tasks =
          table.newScan().useSnapshot(current.snapshotId()).planFiles()) {
        for (FileScanTask task : tasks) {
          rows += task.file().recordCount();
          bytes += task.file().fileSizeInBytes();
          files++;
          if (task.file().fileSizeInBytes() < small) {
            smallFiles++;
          }
          PartitionSpec spec = specs.get(task.file().specId());
          partitions.add(
              task.file().specId()
                  + "/"
                  + (spec == null || spec.isUnpartitioned()
                      ? ""
                      : spec.partitionToPath(task.file().partition())));
          for (DeleteFile delete : task.deletes()) {
            if (delete.content() == FileContent.EQUALITY_DELETES) {
              equalityDeletes.add(delete.location());
            } else {
              positionDeletes.add(delete.location());
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (UncheckedIOException | org.apache.iceberg.exceptions.NotFoundException e) {
        throw new LagoaException(
            ErrorCode.IO_ERROR,
            "Cannot read the metadata of " + name + ": " + LagoaException.rootMessage(e),
            e);
      }
      dataManifests = current.dataManifests(table.io()).size();
      deleteManifests = current.deleteManifests(table.io()).size();
    }
    long snapshots = 0;
    long oldest = Long.MAX_VALUE;
    long addedLastDay = 0;
    long dayAgo = now.minus(DAY).toEpochMilli();
    for (Snapshot snapshot : table.snapshots()) {
      snapshots++;
      oldest = Math.min(oldest, snapshot.timestampMillis());
      if (snapshot.timestampMillis() >= dayAgo
          && !DataOperations.REPLACE.equals(snapshot.operation())
          && snapshot.summary() != null) {
        addedLastDay += number(snapshot.summary(), "added-files-size");
      }
    }
    return new TableMetrics(
        name,
        now,
        current == null ? OptionalLong.empty() : OptionalLong.of(current.snapshotId()),
        rows,
        bytes,
        files,
        smallFiles,
        small,
        partitions.size(),
        positionDeletes.size(),
        equalityDeletes.size(),
        dataManifests,
        deleteManifests,
        snapshots,
        metadataBytes(table),
        snapshots == 0 ? Optional.empty() : Optional.of(age(now, oldest)),
        current == null ? Optional.empty() : Optional.of(age(now, current.timestampMillis())),
        addedLastDay);
  }

  private static Duration age(Instant now, long millis) {
    Duration age = Duration.between(Instant.ofEpochMilli(millis), now);
    return age.isNegative() ? Duration.ZERO : age;
  }

  private static long metadataBytes(Table table) {
    if (!(table instanceof HasTableOperations operations)) {
      return 0;
    }
    TableMetadata metadata = operations.operations().current();
    String location = metadata == null ? null : metadata.metadataFileLocation();
    if (location == null) {
      return 0;
    }
    try {
      return table.io().newInputFile(location).getLength();
    } catch (RuntimeException e) {
      return 0; // a store that cannot say the length: the metric is left out, not the table
    }
  }

  private static long number(Map<String, String> summary, String key) {
    String value = summary.get(key);
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

package io.lagoa.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.io.FileIO;

/**
 * Every file one metadata file of a table reaches, found through the metadata (never by listing
 * folders, which would also find files of failed writes and miss nothing the table needs): the
 * metadata file, statistics files, and for every retained snapshot its manifest list, manifests,
 * and the data and delete files live in them.
 */
public final class TableFiles {
  /**
   * A file and its size (-1 when the metadata does not record it: metadata files themselves).
   * Optional files are earlier metadata files named in the metadata log: not needed to read the
   * table, but Iceberg's rewrite_table_path copies them, so a restore under a new name needs them.
   */
  public record Referenced(String path, FileKind kind, long size, boolean optional) {
    Referenced(String path, FileKind kind, long size) {
      this(path, kind, size, false);
    }
  }

  private TableFiles() {}

  public static List<Referenced> of(TableMetadata metadata, FileIO io) {
    return of(metadata, metadata.snapshots(), true, io);
  }

  /** The files one snapshot needs to be read: its manifest list, manifests, data, deletes. */
  public static List<Referenced> ofSnapshot(TableMetadata metadata, Snapshot snapshot, FileIO io) {
    List<Referenced> files = new ArrayList<>(of(metadata, List.of(snapshot), false, io));
    files.removeIf(file -> file.kind() == FileKind.METADATA || file.kind() == FileKind.STATISTICS);
    return files;
  }

  private static List<Referenced> of(
      TableMetadata metadata, List<Snapshot> snapshots, boolean history, FileIO io) {
    Map<String, Referenced> files = new LinkedHashMap<>();
    if (metadata.metadataFileLocation() != null) {
      add(files, new Referenced(metadata.metadataFileLocation(), FileKind.METADATA, -1));
      if (history) {
        for (TableMetadata.MetadataLogEntry previous : metadata.previousFiles()) {
          add(files, new Referenced(previous.file(), FileKind.METADATA, -1, true));
        }
      }
    }
    for (StatisticsFile statistics : metadata.statisticsFiles()) {
      add(
          files,
          new Referenced(statistics.path(), FileKind.STATISTICS, statistics.fileSizeInBytes()));
    }
    for (PartitionStatisticsFile statistics : metadata.partitionStatisticsFiles()) {
      add(
          files,
          new Referenced(statistics.path(), FileKind.STATISTICS, statistics.fileSizeInBytes()));
    }
    Map<Integer, PartitionSpec> specs = metadata.specsById();
    Map<String, ManifestFile> manifests = new LinkedHashMap<>();
    for (Snapshot snapshot : snapshots) {
      if (snapshot.manifestListLocation() != null) {
        add(files, new Referenced(snapshot.manifestListLocation(), FileKind.MANIFEST_LIST, -1));
      }
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        manifests.putIfAbsent(manifest.path(), manifest);
      }
    }
    for (ManifestFile manifest : manifests.values()) {
      add(files, new Referenced(manifest.path(), FileKind.MANIFEST, manifest.length()));
      try {
        if (manifest.content() == ManifestContent.DATA) {
          try (ManifestReader<DataFile> reader = ManifestFiles.read(manifest, io, specs)) {
            for (DataFile file : reader) {
              add(files, new Referenced(file.location(), FileKind.DATA, file.fileSizeInBytes()));
            }
          }
        } else {
          try (ManifestReader<DeleteFile> reader =
              ManifestFiles.readDeleteManifest(manifest, io, specs)) {
            for (DeleteFile file : reader) {
              // deletion vectors of many data files share one Puffin file: one copy of it
              add(files, new Referenced(file.location(), FileKind.DELETE, file.fileSizeInBytes()));
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read manifest " + manifest.path(), e);
      }
    }
    return new ArrayList<>(files.values());
  }

  private static void add(Map<String, Referenced> files, Referenced file) {
    files.putIfAbsent(file.path(), file);
  }
}

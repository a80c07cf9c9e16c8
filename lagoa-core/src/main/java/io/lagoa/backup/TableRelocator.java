package io.lagoa.backup;

import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;

/**
 * Copies a table to another location, rewriting the paths in its metadata, manifest lists,
 * manifests and position-delete files (Iceberg's {@code rewrite_table_path}). An engine implements
 * it: position-delete files are data files to rewrite.
 */
public interface TableRelocator {
  /**
   * Copies every file of {@code source} (read through its own FileIO) under {@code targetLocation}
   * (written through {@code target}), with paths rewritten.
   *
   * @return the new metadata file, under the target location, naming only target paths
   */
  Relocated relocate(Table source, String targetLocation, FileIO target, BackupListener listener);

  /** The rewritten table's metadata file and every file written for it (to undo a failure). */
  record Relocated(String metadataFile, java.util.List<String> written, long bytes) {}
}

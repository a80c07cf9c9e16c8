package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.struct;

import io.lagoa.io.Folders;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.SourceCall;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.io.FileIO;
import org.apache.spark.sql.Column;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads an object store batch's files into a local folder for Spark (Spark has no S3 file
 * system here), maps the copies back to their objects in {@code _source_file} and in messages, and
 * deletes the folder when the batch is done.
 */
final class FileStaging {
  private static final Logger LOG = LoggerFactory.getLogger(FileStaging.class);

  private final SourceCall call;
  private final Path root;
  private final FileListing listing;

  /** An object store batch's files, downloaded for Spark: original path to local path. */
  private final Map<String, String> staged = new LinkedHashMap<>();

  /** The batch's files in the order of the numbered folders they are staged in. */
  private final List<String> stagedOrder = new ArrayList<>();

  private java.nio.file.Path staging;

  FileStaging(SourceCall call, Path root, FileListing listing) {
    this.call = call;
    this.root = root;
    this.listing = listing;
  }

  /** Whether files are downloaded in a local folder, to delete when the batch is done. */
  boolean active() {
    return staging != null;
  }

  /** Whether the object at {@code path} was downloaded. */
  boolean isStaged(String path) {
    return staged.containsKey(path);
  }

  /**
   * Downloads an object store batch into a new local folder, file i as {@code <folder>/i/<name>}
   * (the name keeps its extension, so compressed files are still recognized, and the folder's
   * number leads back to the object). Returns the files that cannot be downloaded (gone, access
   * denied), with why; fails the batch when the store itself cannot be reached.
   */
  Map<FileLog.Entry, String> stage(List<FileLog.Entry> files, FileIO objectStore) {
    staged.clear();
    stagedOrder.clear();
    java.nio.file.Path base = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    try {
      java.nio.file.Files.createDirectories(base);
      staging = java.nio.file.Files.createTempDirectory(base, "lagoa-read-files-");
    } catch (IOException e) {
      throw new FlowException(
          call.position()
              + ": cannot read files of "
              + root
              + ": cannot"
              + " create a local folder to download them to under "
              + base
              + " (java.io.tmpdir): "
              + e.getMessage(),
          e);
    }
    Map<FileLog.Entry, String> missing = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      FileLog.Entry file = files.get(i);
      stagedOrder.add(file.path());
      java.nio.file.Path local =
          staging.resolve(Integer.toString(i)).resolve(stagedName(file.path()));
      try {
        java.nio.file.Files.createDirectories(local.getParent());
        try (InputStream in = objectStore.newInputFile(file.path()).newStream()) {
          java.nio.file.Files.copy(in, local);
        }
        java.nio.file.Files.setLastModifiedTime(
            local, java.nio.file.attribute.FileTime.fromMillis(file.modified()));
        staged.put(file.path(), "file:" + local.toAbsolutePath());
      } catch (IOException | RuntimeException e) {
        if (FileListing.storeDown(e)) {
          throw listing.storeError("read", e);
        }
        missing.put(file, "cannot download " + file.path() + ": " + FileListing.storeMessage(e));
      }
    }
    LOG.debug("files:{}: downloaded {} files to {}", root, staged.size(), staging);
    return missing;
  }

  /**
   * The name a file is staged under: its own, with the characters Spark would take for a glob or
   * Hadoop for a URI replaced, and never hidden (Spark skips names starting with . or _).
   */
  static String stagedName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^\\p{L}\\p{N}._=+-]", "_");
    return name.startsWith(".") || name.startsWith("_") || name.isEmpty() ? "f" + name : name;
  }

  void deleteStaging() {
    java.nio.file.Path folder = staging;
    if (folder == null) {
      return;
    }
    staging = null;
    try {
      Folders.deleteRecursively(folder);
    } catch (IOException e) {
      LOG.warn(
          "files:{}: cannot delete the downloaded files in {}: {}", root, folder, e.getMessage());
    }
  }

  /** A message with the downloaded copies' paths replaced by their objects' (what users know). */
  String shown(String message) {
    String result = message;
    for (Map.Entry<String, String> file : staged.entrySet()) {
      String local = file.getValue().substring("file:".length());
      for (String form : List.of("file://" + local, "file:" + local, local)) {
        result = result.replace(form, file.getKey());
      }
    }
    return result;
  }

  /** Where Spark reads a file: the file itself, or its downloaded copy. */
  String localPath(FileLog.Entry file) {
    return staged.getOrDefault(file.path(), file.path());
  }

  /**
   * {@code _source_file}: where each row came from. A downloaded file's path and name are its
   * object's, found by the number of the folder it was staged in.
   */
  Column fileColumn() {
    Column path = col("_metadata.file_path");
    Column name = col("_metadata.file_name");
    if (!staged.isEmpty()) {
      List<Column> paths = new ArrayList<>();
      List<Column> names = new ArrayList<>();
      for (String original : stagedOrder) {
        paths.add(lit(original));
        names.add(lit(original.substring(original.lastIndexOf('/') + 1)));
      }
      Column index = regexp_extract(path, "/([0-9]+)/[^/]*$", 1).cast("int");
      path = array(paths.toArray(new Column[0])).getItem(index);
      name = array(names.toArray(new Column[0])).getItem(index);
    }
    return struct(
            path.as("path"),
            name.as("name"),
            col("_metadata.file_size").as("size"),
            col("_metadata.file_modification_time").as("modification_time"))
        .as(FileFormat.METADATA);
  }
}

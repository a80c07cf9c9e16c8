package io.lagoa.spark.backup;

import io.lagoa.backup.BackupFileIO;
import io.lagoa.backup.BackupListener;
import io.lagoa.backup.TableRelocator;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteTablePath;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * Copies a table under another location with Iceberg's {@code rewrite_table_path} Spark action: the
 * action writes rewritten metadata, manifest lists, manifests and position-delete files to a
 * staging folder under the target and lists every (source, target) pair; this copies them, data
 * files straight from the source (a backup's copies, or the live table's files), and removes the
 * staging folder.
 */
public final class SparkTableRelocator implements TableRelocator {
  private static final int BUFFER = 1 << 20;
  private final SparkSession spark;

  public SparkTableRelocator(SparkSession spark) {
    this.spark = spark;
  }

  @Override
  public Relocated relocate(
      Table source, String targetLocation, FileIO target, BackupListener listener) {
    String metadataFile =
        ((HasTableOperations) source).operations().current().metadataFileLocation();
    // the action writes its staged files through the table's FileIO: to the target
    FileIO reads =
        source.io() instanceof BackupFileIO backup ? backup.writingTo(target) : source.io();
    Table readable =
        new BaseTable(
            new StaticTableOperations(metadataFile, new HadoopFormFileIO(reads)), source.name());
    // Hadoop writes file:///a/b as file:/a/b: replace the prefix in the form the paths carry
    String sourcePrefix = HadoopFormFileIO.hadoopForm(source.location());
    String targetPrefix = HadoopFormFileIO.hadoopForm(targetLocation);
    String staging = targetPrefix + "/metadata/.restore-staging-" + UUID.randomUUID() + "/";
    List<String> written = new ArrayList<>();
    List<String> staged = new ArrayList<>();
    long bytes = 0;
    try {
      RewriteTablePath.Result result =
          SparkActions.get(spark)
              .rewriteTablePath(readable)
              .rewriteLocationPrefix(sourcePrefix, targetPrefix)
              .stagingLocation(staging)
              .execute();
      staged.add(result.fileListLocation());
      for (String[] pair : pairs(target, result.fileListLocation())) {
        String from = pair[0];
        String to = pair[1];
        boolean isStaged = from.startsWith(staging);
        if (isStaged) {
          staged.add(from);
        }
        FileIO origin = isStaged ? target : readable.io();
        long copied = copy(origin, from, target, to);
        written.add(to);
        bytes += copied;
        listener.file(to, copied);
      }
    } catch (RuntimeException | IOException e) {
      deleteQuietly(target, written);
      deleteQuietly(target, staged);
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot copy "
              + source.name()
              + " to "
              + targetLocation
              + ": "
              + LagoaException.rootMessage(e)
              + "; nothing was restored",
          e);
    }
    deleteQuietly(target, staged);
    String newMetadata = RewriteTablePathUtil.newPath(metadataFile, sourcePrefix, targetPrefix);
    return new Relocated(newMetadata, written, bytes);
  }

  private static List<String[]> pairs(FileIO io, String fileList) throws IOException {
    List<String[]> pairs = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(io.newInputFile(fileList).newStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        int comma = line.indexOf(',');
        pairs.add(new String[] {line.substring(0, comma), line.substring(comma + 1)});
      }
    }
    return pairs;
  }

  private static long copy(FileIO from, String source, FileIO to, String target)
      throws IOException {
    long size = 0;
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = from.newInputFile(source).newStream();
        OutputStream out = to.newOutputFile(target).createOrOverwrite()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        size += read;
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return size;
  }

  private static void deleteQuietly(FileIO io, List<String> paths) {
    for (String path : paths) {
      try {
        io.deleteFile(path);
      } catch (RuntimeException ignored) {
        // best effort: files of a table that was never registered harm nothing
      }
    }
  }
}

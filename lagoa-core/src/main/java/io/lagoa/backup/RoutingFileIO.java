package io.lagoa.backup;

import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * One FileIO over the primary's and the replica's files: each path goes to the client for its
 * scheme. Iceberg's path-rewriting helpers read a source file and write its rewritten copy through
 * a single FileIO.
 */
final class RoutingFileIO implements FileIO {
  private static final long serialVersionUID = 1L;
  private final transient Function<String, FileIO> files;

  RoutingFileIO(Function<String, FileIO> files) {
    this.files = files;
  }

  @Override
  public InputFile newInputFile(String path) {
    return files.apply(path).newInputFile(path);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return files.apply(path).newInputFile(path, length);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    return files.apply(path).newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    files.apply(path).deleteFile(path);
  }

  @Override
  public Map<String, String> properties() {
    return Map.of();
  }
}

package io.lagoa.backup;

import java.util.Map;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * A FileIO that serves a table's files from their copies in a backup location: the table opens with
 * its own metadata, paths unchanged, and every byte read comes from the backup. Writes go to
 * another FileIO when one is given (a restore under a new location writes there), else are refused.
 */
public final class BackupFileIO implements FileIO {
  private static final long serialVersionUID = 1L;
  private final BackupLocation location;
  private final FileIO writes;

  public BackupFileIO(BackupLocation location) {
    this(location, null);
  }

  private BackupFileIO(BackupLocation location, FileIO writes) {
    this.location = location;
    this.writes = writes;
  }

  /** The same reads, with writes going to {@code target}. */
  public BackupFileIO writingTo(FileIO target) {
    return new BackupFileIO(location, target);
  }

  @Override
  public InputFile newInputFile(String path) {
    return new Copy(path, location.io().newInputFile(location.copyOf(path)));
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return new Copy(path, location.io().newInputFile(location.copyOf(path), length));
  }

  /**
   * The backup's copy of a file, under the file's own path: Iceberg records where it read a
   * metadata file from, and that must be the table's path, not the copy's.
   */
  private record Copy(String path, InputFile copy) implements InputFile {
    @Override
    public long getLength() {
      return copy.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      return copy.newStream();
    }

    @Override
    public String location() {
      return path;
    }

    @Override
    public boolean exists() {
      return copy.exists();
    }
  }

  @Override
  public OutputFile newOutputFile(String path) {
    if (writes == null) {
      throw new UnsupportedOperationException("Cannot write " + path + ": a backup is read-only");
    }
    return writes.newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    if (writes == null) {
      throw new UnsupportedOperationException("Cannot delete " + path + ": a backup is read-only");
    }
    writes.deleteFile(path);
  }

  @Override
  public Map<String, String> properties() {
    return location.io().properties();
  }
}

package io.lagoa.spark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Serves a table's metadata files with the table location written the way Hadoop writes file paths
 * ({@code file:/a/b} rather than {@code file:///a/b}), so that one prefix covers the location and
 * every file path: Iceberg's rewrite_table_path replaces a single prefix, and a local table carries
 * its location in one form and its files' paths in the other. Everything else passes through.
 */
final class HadoopFormFileIO implements FileIO {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FileIO delegate;

  HadoopFormFileIO(FileIO delegate) {
    this.delegate = delegate;
  }

  /** {@code file:///a/b} as Hadoop's file system names it, {@code file:/a/b}. */
  static String hadoopForm(String location) {
    return location.startsWith("file:///") ? "file:/" + location.substring(8) : location;
  }

  @Override
  public InputFile newInputFile(String path) {
    InputFile file = delegate.newInputFile(path);
    return path.endsWith(".metadata.json") ? new Metadata(file) : file;
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return path.endsWith(".metadata.json")
        ? new Metadata(delegate.newInputFile(path))
        : delegate.newInputFile(path, length);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    return delegate.newOutputFile(path);
  }

  @Override
  public void deleteFile(String path) {
    delegate.deleteFile(path);
  }

  @Override
  public Map<String, String> properties() {
    return delegate.properties();
  }

  /** A metadata file with its location rewritten, read once. */
  private static final class Metadata implements InputFile {
    private final InputFile file;
    private byte[] bytes;

    Metadata(InputFile file) {
      this.file = file;
    }

    private synchronized byte[] bytes() {
      if (bytes == null) {
        try (InputStream in = file.newStream()) {
          JsonNode node = JSON.readTree(in);
          if (node instanceof ObjectNode object && object.hasNonNull("location")) {
            object.put("location", hadoopForm(object.get("location").asText()));
          }
          bytes = JSON.writeValueAsBytes(node);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + file.location(), e);
        }
      }
      return bytes;
    }

    @Override
    public long getLength() {
      return bytes().length;
    }

    @Override
    public SeekableInputStream newStream() {
      byte[] content = bytes();
      return new SeekableInputStream() {
        private int position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void seek(long newPos) {
          position = (int) newPos;
        }

        @Override
        public int read() {
          return position < content.length ? content[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
          if (position >= content.length) {
            return -1;
          }
          int count = Math.min(length, content.length - position);
          System.arraycopy(content, position, buffer, offset, count);
          position += count;
          return count;
        }
      };
    }

    @Override
    public String location() {
      return file.location();
    }

    @Override
    public boolean exists() {
      return file.exists();
    }
  }
}

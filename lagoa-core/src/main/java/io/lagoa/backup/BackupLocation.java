package io.lagoa.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * A folder that holds backups, on local disk or an object store, reached through Iceberg's FileIO
 * like the tables themselves. Layout:
 *
 * <pre>
 * backups/&lt;id&gt;.json                       one manifest per complete backup
 * files/&lt;scheme&gt;/&lt;bucket or path&gt;/...     one copy of every file any backup needs, at the
 *                                          table file's own path (s3://lake/a/b -&gt; files/s3/lake/a/b)
 * </pre>
 *
 * Iceberg files never change once written and their names are unique, so one copy per path serves
 * every backup that needs it; the manifests say which.
 */
public final class BackupLocation implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
  private static final String MANIFESTS = "backups/";
  private static final String FILES = "files/";

  private final String root;
  private final FileIO io;

  public BackupLocation(String root, FileIO io) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.io = io;
  }

  public String root() {
    return root;
  }

  public FileIO io() {
    return io;
  }

  /** Where the copy of a table's file lives in this location. */
  public String copyOf(String path) {
    return root + "/" + FILES + relativePath(path);
  }

  String manifestPath(String id) {
    return root + "/" + MANIFESTS + id + ".json";
  }

  /**
   * A path as a relative one: scheme, then bucket or absolute path ({@code s3://lake/a} -> {@code
   * s3/lake/a}, {@code /data/a} and {@code file:/data/a} -> {@code file/data/a}).
   */
  public static String relativePath(String path) {
    String scheme;
    String rest;
    int colon = path.indexOf(':');
    int slash = path.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash)) {
      scheme = path.substring(0, colon).toLowerCase(Locale.ROOT);
      rest = path.substring(colon + 1);
    } else {
      scheme = "file";
      rest = path;
    }
    if (scheme.equals("s3a") || scheme.equals("s3n")) {
      scheme = "s3"; // the same object through another client
    }
    int start = 0;
    while (start < rest.length() && rest.charAt(start) == '/') {
      start++;
    }
    return scheme + "/" + rest.substring(start);
  }

  /**
   * The manifests of the complete backups here, oldest first. A manifest that cannot be read (a
   * foreign or damaged file) is reported in {@code unreadable} and otherwise ignored.
   */
  public List<BackupManifest> manifests(List<String> unreadable) {
    List<BackupManifest> manifests = new ArrayList<>();
    for (String path : manifestPaths()) {
      try {
        manifests.add(read(path));
      } catch (LagoaException e) {
        unreadable.add(e.getMessage());
      }
    }
    manifests.sort(Comparator.comparing(BackupManifest::id));
    return manifests;
  }

  public List<BackupManifest> manifests() {
    return manifests(new ArrayList<>());
  }

  /** The manifest of one backup, when there is one with this id. */
  public Optional<BackupManifest> manifest(String id) {
    String path = manifestPath(id);
    if (!io.newInputFile(path).exists()) {
      return Optional.empty();
    }
    return Optional.of(read(path));
  }

  private List<String> manifestPaths() {
    if (!(io instanceof SupportsPrefixOperations prefixes)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot list the backups in "
              + root
              + ": its file client "
              + io.getClass().getSimpleName()
              + " cannot list files");
    }
    List<String> paths = new ArrayList<>();
    try {
      for (FileInfo file : prefixes.listPrefix(root + "/" + MANIFESTS)) {
        String name = file.location().substring(file.location().lastIndexOf('/') + 1);
        if (name.endsWith(".json") && !name.startsWith(".")) {
          paths.add(file.location());
        }
      }
    } catch (NotFoundException e) {
      return List.of();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof FileNotFoundException) {
        return List.of(); // no backup was ever written here
      }
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot list the backups in " + root + ": " + LagoaException.rootMessage(e),
          e);
    }
    return paths;
  }

  private BackupManifest read(String path) {
    InputFile file = io.newInputFile(path);
    BackupManifest manifest;
    try (InputStream in = file.newStream()) {
      manifest = JSON.readValue(in, BackupManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "backup manifest " + path + " cannot be read: " + LagoaException.rootMessage(e),
          e);
    }
    if (manifest.format() > BackupManifest.FORMAT) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "backup manifest "
              + path
              + " has format "
              + manifest.format()
              + ", newer than this Lagoa reads ("
              + BackupManifest.FORMAT
              + "); use a newer Lagoa");
    }
    return manifest;
  }

  /** Writes a backup's manifest; from then on the backup exists. */
  void write(BackupManifest manifest) {
    String path = manifestPath(manifest.id());
    try (OutputStream out = io.newOutputFile(path).createOrOverwrite()) {
      JSON.writeValue(out, manifest);
    } catch (IOException | RuntimeException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot write backup manifest " + path + ": " + LagoaException.rootMessage(e),
          e);
    }
  }

  /** Deletes a backup's manifest: from then on the backup no longer exists. */
  void deleteManifest(String id) {
    io.deleteFile(manifestPath(id));
  }
}

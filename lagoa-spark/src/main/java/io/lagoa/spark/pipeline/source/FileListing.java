package io.lagoa.spark.pipeline.source;

import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.SourceArguments.Files;
import io.lagoa.pipeline.SourceCall;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Finds a read_files folder's new files: lists the folder (through Hadoop, or S3FileIO for an
 * object store), leaves out hidden and unfinished files and those the file log holds, and takes the
 * oldest first, at most max_files_per_batch.
 */
final class FileListing {
  static final String S3_KEYS =
      "storage.s3.endpoint, storage.s3.region,"
          + " storage.s3.access-key-id and storage.s3.secret-access-key";

  private final SourceCall call;
  private final Path root;
  private final Configuration conf;

  /** Iceberg's S3FileIO for an {@code s3://} or {@code s3a://} folder; null for the others. */
  private final FileIO objectStore;

  FileListing(SourceCall call, Path root, Configuration conf, FileIO objectStore) {
    this.call = call;
    this.root = root;
    this.conf = conf;
    this.objectStore = objectStore;
  }

  private FileSystem fileSystem() {
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new FlowException(
            call.positionOf("path")
                + ": folder "
                + root
                + " does not exist;"
                + " create it, or check the path"
                + (call.argument("path").orElse("").startsWith("/")
                    ? ""
                    : " (a relative path is relative to the pipeline's folder)"),
            null);
      }
      return fs;
    } catch (IOException e) {
      throw new FlowException(
          call.positionOf("path") + ": cannot read folder " + root + ": " + e.getMessage(), e);
    }
  }

  /** Files not ingested yet, oldest first; at most max_files_per_batch unless whole. */
  List<FileLog.Entry> newFiles(FileLog.Ingested ingested, boolean whole) {
    Optional<PathMatcher> pattern =
        Files.FILE_PATTERN
            .written(call)
            .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob));
    List<FileLog.Entry> found =
        objectStore != null
            ? listObjects(ingested, pattern)
            : listFiles(fileSystem(), ingested, pattern);
    found.sort(
        Comparator.comparingLong(FileLog.Entry::modified).thenComparing(FileLog.Entry::path));
    long max = whole ? Long.MAX_VALUE : Files.MAX_FILES_PER_BATCH.longValue(call);
    return found.size() > max ? new ArrayList<>(found.subList(0, (int) max)) : found;
  }

  private List<FileLog.Entry> listFiles(
      FileSystem fs, FileLog.Ingested ingested, Optional<PathMatcher> pattern) {
    List<FileLog.Entry> found = new ArrayList<>();
    int rootDepth = root.depth();
    try {
      RemoteIterator<LocatedFileStatus> listing = fs.listFiles(root, true);
      while (listing.hasNext()) {
        LocatedFileStatus status = listing.next();
        Path path = status.getPath();
        if (!status.isFile() || hidden(path, rootDepth)) {
          continue;
        }
        if (pattern.isPresent() && !pattern.get().matches(java.nio.file.Path.of(path.getName()))) {
          continue;
        }
        String qualified = fs.makeQualified(path).toString();
        if (!ingested.paths().contains(qualified)) {
          found.add(new FileLog.Entry(qualified, status.getLen(), status.getModificationTime()));
        }
      }
    } catch (IOException e) {
      throw new FlowException(
          call.positionOf("path") + ": cannot list folder " + root + ": " + e.getMessage(), e);
    }
    return found;
  }

  /**
   * Lists an object store folder through S3FileIO (one ListObjectsV2 request per 1000 keys): every
   * object under {@code <folder>/}, with its size and last-modified time.
   */
  private List<FileLog.Entry> listObjects(
      FileLog.Ingested ingested, Optional<PathMatcher> pattern) {
    if (!(objectStore instanceof SupportsPrefixOperations prefixes)) {
      throw new FlowException(
          call.positionOf("path")
              + ": cannot list folder "
              + root
              + ": "
              + objectStore.getClass().getName()
              + " cannot list objects",
          null);
    }
    String prefix = root + "/";
    String scheme = root.toUri().getScheme();
    List<FileLog.Entry> found = new ArrayList<>();
    try {
      for (FileInfo info : prefixes.listPrefix(prefix)) {
        // S3FileIO names objects with its own scheme; keep the one the folder was written with
        String location = info.location();
        int separator = location.indexOf("://");
        location = separator < 0 ? location : scheme + location.substring(separator);
        if (!location.startsWith(prefix)) {
          continue;
        }
        String relative = location.substring(prefix.length());
        if (relative.isEmpty() || relative.endsWith("/") || hidden(relative)) {
          continue; // a folder marker, or a hidden or unfinished file
        }
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        if (pattern.isPresent() && !pattern.get().matches(java.nio.file.Path.of(name))) {
          continue;
        }
        if (!ingested.paths().contains(location)) {
          found.add(new FileLog.Entry(location, info.size(), info.createdAtMillis()));
        }
      }
    } catch (RuntimeException e) {
      throw storeError("list", e);
    }
    return found;
  }

  /** {@link #hidden(Path, int)} for an object key relative to the folder. */
  static boolean hidden(String relative) {
    String[] names = relative.split("/");
    String name = names[names.length - 1];
    if (name.endsWith(".tmp")
        || name.endsWith(".crc")
        || name.endsWith(".COPYING")
        || name.endsWith(".inprogress")) {
      return true;
    }
    for (String part : names) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The object store cannot be used at all (wrong endpoint, bucket or credentials): the batch
   * fails, naming the folder and the settings to check, and nothing is written.
   */
  FlowException storeError(String action, Throwable e) {
    String message = storeMessage(e);
    String text = message.toLowerCase(Locale.ROOT);
    String hint;
    if (text.contains("nosuchbucket") || text.contains("bucket does not exist")) {
      hint =
          "the bucket "
              + root.toUri().getAuthority()
              + " does not exist: fix the folder's"
              + " bucket, or create it (and check storage.s3.endpoint names the right store)";
    } else if (text.contains("status code: 403")
        || text.contains("accessdenied")
        || text.contains("invalidaccesskeyid")
        || text.contains("signaturedoesnotmatch")) {
      hint =
          "check storage.s3.access-key-id and storage.s3.secret-access-key, and that they may"
              + " list and read the bucket";
    } else if (text.contains("unable to load region")) {
      hint = "set storage.s3.region (or AWS_REGION)";
    } else if (text.contains("unable to load credentials")) {
      hint =
          "set storage.s3.access-key-id and storage.s3.secret-access-key (or"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
    } else {
      hint = "check that the store is reachable and " + S3_KEYS;
    }
    return new FlowException(
        call.positionOf("path")
            + ": cannot "
            + action
            + " folder "
            + root
            + " on S3: "
            + message
            + "; "
            + hint
            + " (in lagoa.yaml, or LAGOA_STORAGE_S3_*)",
        e);
  }

  /** Whether a failure to download one object is the store's (it fails every file alike). */
  static boolean storeDown(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String name = cause.getClass().getName();
      String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
      if (name.equals("software.amazon.awssdk.core.exception.SdkClientException")
          || name.endsWith("ApiCallTimeoutException")
          || message.contains("nosuchbucket")
          || message.contains("invalidaccesskeyid")
          || message.contains("signaturedoesnotmatch")
          || message.contains("unable to execute http request")) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** The AWS SDK's own message names the host and the S3 error code; the root cause's is terse. */
  static String storeMessage(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause.getClass().getName().startsWith("software.amazon.awssdk.")
          && cause.getMessage() != null) {
        return SourceText.firstLine(cause.getMessage())
            .replaceAll(" \\(SDK Attempt Count: \\d+\\)", "");
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return SourceText.firstLine(SourceText.rootCause(e));
  }

  /** Hidden or unfinished: a name (of the file or a folder below the root) starting with . or _. */
  static boolean hidden(Path path, int rootDepth) {
    String name = path.getName();
    if (name.endsWith(".tmp")
        || name.endsWith(".crc")
        || name.endsWith(".COPYING")
        || name.endsWith(".inprogress")) {
      return true;
    }
    for (Path p = path; p != null && p.depth() > rootDepth; p = p.getParent()) {
      if (p.getName().startsWith(".") || p.getName().startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}

package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.struct;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceArguments;
import io.lagoa.pipeline.SourceArguments.Files;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.pipeline.FlowException;
import io.lagoa.table.TableNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a folder for {@code read_files(...)}, the way Auto Loader does: each run lists the folder,
 * takes the files no earlier batch ingested (oldest first, at most {@code max_files_per_batch})
 * and reads exactly those with a Spark batch read.
 *
 * <p>Exactly once: the batch's files are written to an immutable {@link FileLog} before the
 * commit, and the log's location is committed in the target's snapshot summary with the rows
 * ({@code lagoa.source.files.<hash of the folder>}). A file is ingested once it is in the chain
 * the target's current snapshot points to; files are known by path, so a file rewritten in place
 * after it was ingested is not read again.
 *
 * <p>Poison never stops the stream: lines that are not valid JSON, CSV lines that do not match the
 * header or the types, and files that cannot be read at all go to the source quarantine table.
 * Files whose first bytes show they are not what the format says (binary data in a CSV folder, a
 * header that is no list of column names, a {@code .parquet} that is not Parquet) are quarantined
 * whole before any of their rows are read, so they never change the table's schema
 * ({@link FilePlausibility}).
 *
 * <p>Its arguments are {@link SourceArguments.Files}; its summary keys are {@link
 * PipelineCommits#filesPositionKey} and {@link PipelineCommits#filesSchemaKey}.
 */
public final class FilesSourceReader implements SourceReader {
  static final String METADATA = "_source_file";
  static final String CORRUPT = KafkaSourceReader.CORRUPT;
  static final String RESCUED = KafkaSourceReader.RESCUED;
  static final String WAREHOUSE_CONF = "spark.sql.catalog.lagoa.warehouse";
  private static final String CATALOG_CONF = "spark.sql.catalog.lagoa.";
  private static final Logger LOG = LoggerFactory.getLogger(FilesSourceReader.class);
  private static final java.util.Set<String> OBJECT_STORE_SCHEMES = java.util.Set.of("s3", "s3a");
  private static final String S3_KEYS = "storage.s3.endpoint, storage.s3.region,"
      + " storage.s3.access-key-id and storage.s3.secret-access-key";

  private final SparkSession spark;
  private final Catalog catalog;
  private final SourceCall call;
  private final String target;
  private final String format;
  private final long maxRecordBytes;
  private final Path root;
  private final SourceReaders readers;
  private final Configuration conf;
  /** Iceberg's S3FileIO for an {@code s3://} or {@code s3a://} folder; null for the others. */
  private final FileIO objectStore;
  /** An object store batch's files, downloaded for Spark: original path to local path. */
  private final Map<String, String> staged = new LinkedHashMap<>();
  /** The batch's files in the order of the numbered folders they are staged in. */
  private final List<String> stagedOrder = new ArrayList<>();
  /** The batch's CSV headers, read by the plausibility check: local path to column names. */
  private final Map<String, List<String>> headers = new java.util.HashMap<>();
  private java.nio.file.Path staging;

  FilesSourceReader(SparkSession spark, Catalog catalog, SourceCall call,
      java.nio.file.Path pipelineFolder, String target, SourceReaders readers) {
    this.spark = spark;
    this.readers = readers;
    this.catalog = catalog;
    this.call = call;
    this.target = target;
    this.format = Files.FORMAT.text(call).orElse("json").toLowerCase(Locale.ROOT);
    this.maxRecordBytes = Files.MAX_RECORD_BYTES.longValue(call);
    this.conf = spark.sessionState().newHadoopConf();
    String written = call.argument("path").orElseThrow().strip();
    boolean uri = written.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !written.matches("^[a-zA-Z]:\\\\.*");
    String resolved = uri || java.nio.file.Path.of(written).isAbsolute() || pipelineFolder == null
        ? written : pipelineFolder.resolve(written).normalize().toString();
    Path path = new Path(resolved);
    String scheme = path.toUri().getScheme();
    if (scheme != null && OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
      // Spark has no S3 file system here (hadoop-aws is not shipped): the folder is listed and
      // its files downloaded through Iceberg's S3FileIO, which Lagoa uses for S3 anyway.
      if (path.toUri().getAuthority() == null || path.toUri().getAuthority().isBlank()) {
        throw new FlowException(call.positionOf("path") + ": cannot read folder " + written
            + ": it names no bucket; write it as " + scheme + "://bucket/prefix", null);
      }
      this.root = path;
      this.objectStore = objectStoreIo();
    } else {
      try {
        this.root = path.getFileSystem(conf).makeQualified(path);
      } catch (IOException e) {
        throw new FlowException(call.positionOf("path") + ": cannot read folder " + written + ": "
            + e.getMessage(), e);
      }
      this.objectStore = null;
    }
  }

  @Override
  public SourceCall call() {
    return call;
  }

  /** The summary key holding the location of this source's file log. */
  @Override
  public String positionKey() {
    return PipelineCommits.filesPositionKey(root.toString());
  }

  private String schemaKey() {
    return PipelineCommits.filesSchemaKey(root.toString());
  }

  /**
   * Reads the files not ingested yet.
   *
   * @param stored the target's last snapshot summary (empty on a first run, a full refresh, or a
   *     read of the whole folder)
   * @param pending the summary of a quarantine commit whose batch the target has not committed:
   *     that batch's files are read again, exactly
   * @param whole read every file, without the per-batch limit (a read without STREAM)
   */
  public SourceBatch read(Map<String, String> stored, Map<String, String> pending, String runId,
      boolean whole) {
    return read(stored, pending, runId, whole, false);
  }

  /**
   * As {@link #read(Map, Map, String, boolean)}; with {@code dryRun} no file log is written (a
   * {@code --dry-run} writes nothing, and a log no commit points to would be garbage).
   */
  @Override
  public SourceBatch read(Map<String, String> stored, Map<String, String> pending, String runId,
      boolean whole, boolean dryRun) {
    Map<String, String> last = whole ? Map.of() : positionOf(stored);
    String logLocation = last.get(positionKey());
    FileIO io = whole ? null : fileIo();
    FileLog.Ingested ingested = whole ? new FileLog.Ingested(null, java.util.Set.of(), 0)
        : readers.fileLog().load(io, target + " " + positionKey(), logLocation);
    List<FileLog.Entry> files = null;
    String position = null;
    String replay = whole ? null : pending.get(positionKey());
    if (replay != null && !replay.equals(logLocation)) {
      FileLog.Log log = FileLog.read(io, replay);
      if (java.util.Objects.equals(log.parent(), logLocation) || log.parent() == null) {
        files = log.files();
        position = replay;
        LOG.debug("files:{}: reading the interrupted batch again ({} files)", root,
            files.size());
      }
    }
    if (files == null) {
      files = newFiles(ingested, whole);
    }
    Map<String, String> positions = new LinkedHashMap<>();
    if (!whole && !dryRun && !files.isEmpty() && position == null) {
      position = FileLog.write(io, FileLog.newLocation(warehouse(), target), root.toString(),
          ingested, files);
    }
    if (position != null) {
      positions.put(positionKey(), position);
    } else if (logLocation != null) {
      positions.put(positionKey(), logLocation);
    }
    String description = "files:" + root + " (" + files.size() + " new files)";
    Built built;
    try {
      built = readAll(files, last, runId);
    } catch (RuntimeException e) {
      deleteStaging();
      throw e;
    }
    if (built.schema() != null) {
      positions.put(schemaKey(), built.schema().json());
    }
    LOG.debug("{}", description);
    Runnable release = staging == null ? built.release() : () -> {
      try {
        built.release().run();
      } finally {
        deleteStaging();
      }
    };
    return new SourceBatch(built.rows(), built.rejected(), positions, !files.isEmpty(),
        built.addsColumns(), description, release);
  }

  /** How many files the target holds and how many wait in the folder. */
  public record Progress(long ingested, long waiting) {}

  public Progress progress(Map<String, String> stored) {
    Map<String, String> last = positionOf(stored);
    FileLog.Ingested ingested = readers.fileLog().load(fileIo(), target + " " + positionKey(),
        last.get(positionKey()));
    return new Progress(ingested.paths().size(), newFiles(ingested, true).size());
  }

  /**
   * The summary holding this source's position: the target's last one, or, when that commit did
   * not write (a compaction), the latest of its ancestors that did.
   */
  private Map<String, String> positionOf(Map<String, String> stored) {
    if (stored.isEmpty() || stored.containsKey(positionKey())) {
      return stored;
    }
    try {
      Table table = catalog.loadTable(TableNames.parse(target));
      Snapshot current = table.currentSnapshot();
      if (current == null) {
        return stored;
      }
      for (Snapshot snapshot : SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) {
        if (snapshot.summary() != null && snapshot.summary().containsKey(positionKey())) {
          return snapshot.summary();
        }
      }
    } catch (NoSuchTableException e) {
      // a first run
    }
    return stored;
  }

  private FileSystem fileSystem() {
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new FlowException(call.positionOf("path") + ": folder " + root + " does not exist;"
            + " create it, or check the path" + (call.argument("path").orElse("").startsWith("/")
                ? "" : " (a relative path is relative to the pipeline's folder)"), null);
      }
      return fs;
    } catch (IOException e) {
      throw new FlowException(call.positionOf("path") + ": cannot read folder " + root + ": "
          + e.getMessage(), e);
    }
  }

  /** Files not ingested yet, oldest first; at most max_files_per_batch unless whole. */
  private List<FileLog.Entry> newFiles(FileLog.Ingested ingested, boolean whole) {
    Optional<PathMatcher> pattern = Files.FILE_PATTERN.written(call)
        .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob));
    List<FileLog.Entry> found = objectStore != null ? listObjects(ingested, pattern)
        : listFiles(fileSystem(), ingested, pattern);
    found.sort(Comparator.comparingLong(FileLog.Entry::modified)
        .thenComparing(FileLog.Entry::path));
    long max = whole ? Long.MAX_VALUE : Files.MAX_FILES_PER_BATCH.longValue(call);
    return found.size() > max ? new ArrayList<>(found.subList(0, (int) max)) : found;
  }

  private List<FileLog.Entry> listFiles(FileSystem fs, FileLog.Ingested ingested,
      Optional<PathMatcher> pattern) {
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
        if (pattern.isPresent()
            && !pattern.get().matches(java.nio.file.Path.of(path.getName()))) {
          continue;
        }
        String qualified = fs.makeQualified(path).toString();
        if (!ingested.paths().contains(qualified)) {
          found.add(new FileLog.Entry(qualified, status.getLen(), status.getModificationTime()));
        }
      }
    } catch (IOException e) {
      throw new FlowException(call.positionOf("path") + ": cannot list folder " + root + ": "
          + e.getMessage(), e);
    }
    return found;
  }

  /**
   * Lists an object store folder through S3FileIO (one ListObjectsV2 request per 1000 keys):
   * every object under {@code <folder>/}, with its size and last-modified time.
   */
  private List<FileLog.Entry> listObjects(FileLog.Ingested ingested,
      Optional<PathMatcher> pattern) {
    if (!(objectStore instanceof SupportsPrefixOperations prefixes)) {
      throw new FlowException(call.positionOf("path") + ": cannot list folder " + root + ": "
          + objectStore.getClass().getName() + " cannot list objects", null);
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
    if (name.endsWith(".tmp") || name.endsWith(".crc") || name.endsWith(".COPYING")
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
  private FlowException storeError(String action, Throwable e) {
    String message = storeMessage(e);
    String text = message.toLowerCase(Locale.ROOT);
    String hint;
    if (text.contains("nosuchbucket") || text.contains("bucket does not exist")) {
      hint = "the bucket " + root.toUri().getAuthority() + " does not exist: fix the folder's"
          + " bucket, or create it (and check storage.s3.endpoint names the right store)";
    } else if (text.contains("status code: 403") || text.contains("accessdenied")
        || text.contains("invalidaccesskeyid") || text.contains("signaturedoesnotmatch")) {
      hint = "check storage.s3.access-key-id and storage.s3.secret-access-key, and that they may"
          + " list and read the bucket";
    } else if (text.contains("unable to load region")) {
      hint = "set storage.s3.region (or AWS_REGION)";
    } else if (text.contains("unable to load credentials")) {
      hint = "set storage.s3.access-key-id and storage.s3.secret-access-key (or"
          + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
    } else {
      hint = "check that the store is reachable and " + S3_KEYS;
    }
    return new FlowException(call.positionOf("path") + ": cannot " + action + " folder " + root
        + " on S3: " + message + "; " + hint + " (in lagoa.yaml, or LAGOA_STORAGE_S3_*)", e);
  }

  /** Whether a failure to download one object is the store's (it fails every file alike). */
  private static boolean storeDown(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String name = cause.getClass().getName();
      String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
      if (name.equals("software.amazon.awssdk.core.exception.SdkClientException")
          || name.endsWith("ApiCallTimeoutException") || message.contains("nosuchbucket")
          || message.contains("invalidaccesskeyid") || message.contains("signaturedoesnotmatch")
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
  private static String storeMessage(Throwable e) {
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
    return SourceText.firstLine(rootCause(e));
  }

  /** Hidden or unfinished: a name (of the file or a folder below the root) starting with . or _. */
  static boolean hidden(Path path, int rootDepth) {
    String name = path.getName();
    if (name.endsWith(".tmp") || name.endsWith(".crc") || name.endsWith(".COPYING")
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

  /** A batch as read: the rows, the rejected records, and the schema learned so far. */
  private record Built(Dataset<Row> rows, Dataset<Row> rejected, StructType schema,
      boolean addsColumns, Dataset<Row> checked, Runnable release) {}

  /**
   * Reads the files; a file that cannot be read at all (a corrupt Parquet file, a broken gzip
   * stream, a file deleted since the listing) is quarantined as a whole and the others are read.
   */
  private Built readAll(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    if (files.isEmpty()) {
      return empty(stored, runId);
    }
    if (objectStore == null) {
      return readLocal(files, stored, runId);
    }
    Map<FileLog.Entry, String> missing = stage(files);
    if (missing.isEmpty()) {
      return readLocal(files, stored, runId);
    }
    if (missing.size() == files.size() && files.size() > 1) {
      throw new FlowException(call.position() + ": cannot read files of " + root + ": none of"
          + " the " + files.size() + " new files could be downloaded, e.g. "
          + missing.values().iterator().next() + "; check " + S3_KEYS, null);
    }
    missing.forEach((file, why) -> LOG.warn("files:{}: quarantined {} whole: {}", root,
        file.path(), why));
    List<FileLog.Entry> rest = new ArrayList<>(files);
    rest.removeAll(missing.keySet());
    Built good = rest.isEmpty() ? empty(stored, runId) : readLocal(rest, stored, runId);
    return new Built(good.rows(), good.rejected().unionByName(unreadable(missing, runId)),
        good.schema(), good.addsColumns(), good.checked(), good.release());
  }

  /**
   * Downloads an object store batch into a new local folder, file i as {@code <folder>/i/<name>}
   * (the name keeps its extension, so compressed files are still recognized, and the folder's
   * number leads back to the object). Returns the files that cannot be downloaded (gone, access
   * denied), with why; fails the batch when the store itself cannot be reached.
   */
  private Map<FileLog.Entry, String> stage(List<FileLog.Entry> files) {
    staged.clear();
    stagedOrder.clear();
    java.nio.file.Path base = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    try {
      java.nio.file.Files.createDirectories(base);
      staging = java.nio.file.Files.createTempDirectory(base, "lagoa-read-files-");
    } catch (IOException e) {
      throw new FlowException(call.position() + ": cannot read files of " + root + ": cannot"
          + " create a local folder to download them to under " + base + " (java.io.tmpdir): "
          + e.getMessage(), e);
    }
    Map<FileLog.Entry, String> missing = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      FileLog.Entry file = files.get(i);
      stagedOrder.add(file.path());
      java.nio.file.Path local = staging.resolve(Integer.toString(i))
          .resolve(stagedName(file.path()));
      try {
        java.nio.file.Files.createDirectories(local.getParent());
        try (InputStream in = objectStore.newInputFile(file.path()).newStream()) {
          java.nio.file.Files.copy(in, local);
        }
        java.nio.file.Files.setLastModifiedTime(local,
            java.nio.file.attribute.FileTime.fromMillis(file.modified()));
        staged.put(file.path(), "file:" + local.toAbsolutePath());
      } catch (IOException | RuntimeException e) {
        if (storeDown(e)) {
          throw storeError("read", e);
        }
        missing.put(file, "cannot download " + file.path() + ": " + storeMessage(e));
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
    String name = path.substring(path.lastIndexOf('/') + 1)
        .replaceAll("[^\\p{L}\\p{N}._=+-]", "_");
    return name.startsWith(".") || name.startsWith("_") || name.isEmpty() ? "f" + name : name;
  }

  private void deleteStaging() {
    java.nio.file.Path folder = staging;
    if (folder == null) {
      return;
    }
    staging = null;
    try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(folder)) {
      for (java.nio.file.Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("files:{}: cannot delete the downloaded files in {}: {}", root, folder,
          e.getMessage());
    }
  }

  /** A message with the downloaded copies' paths replaced by their objects' (what users know). */
  private String shown(String message) {
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
  private String localPath(FileLog.Entry file) {
    return staged.getOrDefault(file.path(), file.path());
  }

  /**
   * Reads local files (or downloaded copies): first each file's first bytes are checked
   * ({@link FilePlausibility}), and a file that is not what its format says is quarantined whole,
   * before any of its rows are read or its columns learned. Then the others are read; when Spark
   * cannot read some of them (a gzip stream cut off further in), those are quarantined whole too.
   */
  private Built readLocal(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    Map<FileLog.Entry, String> implausible = implausible(files, stored);
    if (implausible.isEmpty()) {
      return readPlausible(files, stored, runId);
    }
    for (Map.Entry<FileLog.Entry, String> file : implausible.entrySet()) {
      LOG.warn("files:{}: quarantined {} whole, nothing of it read: {}", root,
          file.getKey().path(), file.getValue());
    }
    List<FileLog.Entry> rest = new ArrayList<>(files);
    rest.removeAll(implausible.keySet());
    Map<FileLog.Entry, String> errors = new LinkedHashMap<>();
    implausible.forEach((file, problem) -> errors.put(file, name(file) + " does not look like a "
        + format + " file: " + problem));
    Built good = rest.isEmpty() ? empty(stored, runId) : readPlausible(rest, stored, runId);
    return new Built(good.rows(), good.rejected().unionByName(unreadable(errors, runId)),
        good.schema(), good.addsColumns(), good.checked(), good.release());
  }

  /**
   * The files whose first bytes show they are not what the format says, with why; remembers the
   * CSV headers it read, so each file is opened once more only, by Spark.
   */
  private Map<FileLog.Entry, String> implausible(List<FileLog.Entry> files,
      Map<String, String> stored) {
    boolean header = csvHeader();
    FilePlausibility plausibility = new FilePlausibility(conf, format, header, delimiter());
    Map<FileLog.Entry, String> problems = new LinkedHashMap<>();
    Map<FileLog.Entry, List<String>> columns = new LinkedHashMap<>();
    headers.clear();
    for (FileLog.Entry file : files) {
      FilePlausibility.Look look = plausibility.look(localPath(file));
      if (look.problem() != null) {
        problems.put(file, look.problem());
      } else if (look.columns() != null) {
        columns.put(file, look.columns());
      }
    }
    if (format.equals("csv")) {
      StructType known = known(declared(), stored);
      for (Map.Entry<FileLog.Entry, List<String>> file : columns.entrySet()) {
        List<Integer> others = new ArrayList<>();
        columns.forEach((other, names) -> {
          if (other != file.getKey()) {
            others.add(names.size());
          }
        });
        String problem = plausibility.columnsProblem(file.getValue(), known, others);
        if (problem != null) {
          problems.put(file.getKey(), problem);
        } else if (header) {
          headers.put(localPath(file.getKey()), file.getValue());
        }
      }
    }
    return problems;
  }

  private boolean csvHeader() {
    return Files.HEADER.booleanValue(call);
  }

  private String delimiter() {
    return Files.DELIMITER.raw(call).orElseThrow();
  }

  private static String name(FileLog.Entry file) {
    return file.path().substring(file.path().lastIndexOf('/') + 1);
  }

  private Built readPlausible(List<FileLog.Entry> files, Map<String, String> stored,
      String runId) {
    try {
      return materialized(read(files, stored, runId));
    } catch (FlowException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked, though Java does not see it thrown
      Map<FileLog.Entry, String> unreadable = new LinkedHashMap<>();
      List<FileLog.Entry> readable = new ArrayList<>();
      for (FileLog.Entry file : files) {
        try {
          materialized(read(List.of(file), stored, runId)).release().run();
          readable.add(file);
        } catch (FlowException flow) {
          throw flow;
        } catch (Exception one) {
          unreadable.put(file, shown(unreadableReason(one)));
        }
      }
      // When every file fails on its own the cause is likely not the files (a full disk, a
      // store that is down): fail the batch, to be retried, rather than quarantine them all.
      if (unreadable.isEmpty() || (unreadable.size() == files.size() && files.size() > 1)) {
        throw new FlowException(call.position() + ": cannot read files of " + root + ": "
            + shown(SourceText.firstLine(rootCause(e))), e);
      }
      Map<FileLog.Entry, String> errors = new LinkedHashMap<>();
      for (Map.Entry<FileLog.Entry, String> file : unreadable.entrySet()) {
        LOG.warn("files:{}: quarantined {} whole: it cannot be read as {}: {}", root,
            file.getKey().path(), format, file.getValue());
        errors.put(file.getKey(), "cannot read the file as " + format + ": " + name(file.getKey())
            + ": " + file.getValue());
      }
      Dataset<Row> whole = unreadable(errors, runId);
      Built good = readable.isEmpty() ? empty(stored, runId)
          : materialized(read(readable, stored, runId));
      return new Built(good.rows(), good.rejected().unionByName(whole), good.schema(),
          good.addsColumns(), good.checked(), good.release());
    }
  }

  /**
   * Why Spark could not read a file, in one line: the innermost exception's message, and what a
   * cut-off compressed stream means.
   */
  private static String unreadableReason(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
        : SourceText.firstLine(cause.getMessage());
    if (cause instanceof java.io.EOFException) {
      message += " (the file ends too early: a truncated or corrupt compressed file)";
    }
    return message;
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
        : cause.getMessage();
    return cause == e ? message : message + " (" + String.valueOf(e.getMessage()) + ")";
  }

  /** Reads the batch once into the cache, so a file that cannot be read fails here. */
  private static Built materialized(Built built) {
    try {
      built.checked().count();
      return built;
    } catch (Exception e) {
      built.release().run();
      throw e;
    }
  }

  private Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    String[] paths = files.stream().map(this::localPath).toArray(String[]::new);
    return switch (format) {
      case "json" -> json(paths, stored, runId);
      case "csv" -> csv(files, stored, runId);
      case "parquet" -> parquet(paths, stored, runId);
      default -> text(paths, runId);
    };
  }

  // ---- formats

  private Built text(String[] paths, String runId) {
    Dataset<Row> lines = spark.read().format("text").load(paths)
        .select(col("value"), fileColumn());
    Column error = expr("CASE WHEN octet_length(value) > " + maxRecordBytes
        + " THEN concat('the line has ', octet_length(value), ' bytes, more than"
        + " max_record_bytes (" + maxRecordBytes + ")') END");
    Dataset<Row> checked = lines.withColumn("__error", error)
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(
        checked.where("__error IS NULL").select(col("value"), col(METADATA)),
        rejected(checked, expr("CAST(value AS BINARY)"), runId), null, false, checked,
        checked::unpersist);
  }

  private Built json(String[] paths, Map<String, String> stored, String runId) {
    StructType declared = declared();
    String evolution = evolution(declared);
    StructType known = known(declared, stored);
    Dataset<Row> lines = spark.read().format("text").load(paths)
        .select(col("value"), fileColumn())
        .where("length(trim(value)) > 0")
        .persist(StorageLevel.MEMORY_AND_DISK());
    StructType schema = known;
    boolean adds = false;
    if (known == null || evolution.equals("add")) {
      Dataset<String> json = lines
          .where(expr("octet_length(value) <= " + maxRecordBytes
              + " AND json_object_keys(value) IS NOT NULL"))
          .select(col("value")).as(org.apache.spark.sql.Encoders.STRING());
      StructType inferred = hinted(spark.read().option("mode", "DROPMALFORMED").json(json)
          .schema());
      schema = known == null ? inferred : KafkaSourceReader.merge(known, inferred);
      adds = known == null || schema.fields().length > known.fields().length;
    }
    boolean rescue = evolution.equals("rescue");
    StructType withCorrupt = schema.add(CORRUPT, DataTypes.StringType);
    Dataset<Row> parsed = lines.withColumn("__p", org.apache.spark.sql.functions.from_json(
        col("value"), withCorrupt, Map.of("mode", "PERMISSIVE",
            "columnNameOfCorruptRecord", CORRUPT)));
    Column error = expr("CASE WHEN octet_length(value) > " + maxRecordBytes
        + " THEN concat('the line has ', octet_length(value), ' bytes, more than"
        + " max_record_bytes (" + maxRecordBytes + ")')"
        + " WHEN __p." + CORRUPT + " IS NULL THEN NULL"
        + " WHEN json_object_keys(value) IS NULL THEN"
        + " 'not a JSON object: invalid JSON, or JSON that is not {...}'"
        + " ELSE " + KafkaSourceReader.typeError(schema) + " END");
    List<Column> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(col("__p." + quote(field.name())).as(field.name()));
    }
    if (rescue) {
      columns.add(KafkaSourceReader.rescued(schema).as(RESCUED));
    }
    columns.add(col(METADATA));
    Dataset<Row> checked = parsed.withColumn("__error", error)
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(checked.where("__error IS NULL").select(columns.toArray(new Column[0])),
        rejected(checked, expr("CAST(value AS BINARY)"), runId), schema, adds, checked,
        () -> {
          checked.unpersist();
          lines.unpersist();
        });
  }

  private Built parquet(String[] paths, Map<String, String> stored, String runId) {
    StructType known = known(null, stored);
    Dataset<Row> data = spark.read().option("mergeSchema", "true").parquet(paths);
    StructType schema = known == null ? data.schema() : KafkaSourceReader.merge(known, data.schema());
    boolean adds = known == null || schema.fields().length > known.fields().length;
    List<Column> columns = new ArrayList<>();
    for (StructField field : data.schema().fields()) {
      columns.add(col(quote(field.name())));
    }
    columns.add(fileColumn());
    Dataset<Row> checked = data.select(columns.toArray(new Column[0]))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(checked, emptyRejected(runId), schema, adds, checked, checked::unpersist);
  }

  /**
   * CSV: files are grouped by their header line and each group is read with a schema named after
   * it, so columns match by name even when files order them differently or add some.
   */
  private Built csv(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    boolean header = csvHeader();
    String delimiter = delimiter();
    StructType declared = declared();
    String evolution = evolution(declared);
    StructType known = known(declared, stored);
    boolean rescue = evolution.equals("rescue");
    Map<List<String>, List<String>> groups = new LinkedHashMap<>();
    for (FileLog.Entry file : files) {
      List<String> names;
      if (header) {
        names = headers.containsKey(localPath(file)) ? headers.get(localPath(file))
            : headerOf(localPath(file), delimiter);
        if (names == null) {
          continue; // an empty file: nothing to read
        }
      } else {
        names = null;
      }
      groups.computeIfAbsent(names, k -> new ArrayList<>()).add(localPath(file));
    }
    StructType schema = known == null ? new StructType() : known;
    List<Dataset<Row>> parts = new ArrayList<>();
    List<Column> errors = new ArrayList<>();
    for (Map.Entry<List<String>, List<String>> group : groups.entrySet()) {
      String[] paths = group.getValue().toArray(new String[0]);
      List<String> names = group.getKey();
      StructType inferred = null;
      if (names == null) {
        if (declared != null) {
          names = List.of(declared.fieldNames());
        } else {
          inferred = csvReader(false, delimiter).option("inferSchema", "true").csv(paths).schema();
          names = List.of(inferred.fieldNames());
        }
      }
      StructType fileSchema = new StructType();
      boolean unknown = false;
      for (String name : names) {
        unknown |= field(schema, name) == null;
      }
      if (unknown && !(declared != null && rescue) && inferred == null) {
        inferred = csvReader(header, delimiter).option("inferSchema", "true").csv(paths).schema();
      }
      inferred = inferred == null ? null : hinted(inferred);
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        StructField field = field(schema, name);
        DataType type;
        if (field != null) {
          type = field.dataType();
          name = field.name();
        } else if (inferred != null && i < inferred.fields().length) {
          type = inferred.fields()[i].dataType();
        } else {
          type = DataTypes.StringType;
        }
        fileSchema = fileSchema.add(name, type);
        if (field == null && (!rescue || known == null)) {
          schema = schema.add(name, type);
        }
      }
      Dataset<Row> data = csvReader(header, delimiter)
          .schema(fileSchema.add(CORRUPT, DataTypes.StringType))
          .option("enforceSchema", "true")
          .option("mode", "PERMISSIVE")
          .option("columnNameOfCorruptRecord", CORRUPT)
          .csv(paths);
      parts.add(data.select(col("*"), fileColumn()).withColumn("__error",
          csvError(fileSchema, delimiter, header)));
    }
    boolean adds = known == null ? schema.fields().length > 0
        : schema.fields().length > known.fields().length;
    if (parts.isEmpty()) {
      Built empty = empty(stored, runId);
      return new Built(empty.rows(), empty.rejected(), schema.fields().length == 0 ? null : schema,
          adds, empty.checked(), empty.release());
    }
    List<Dataset<Row>> shaped = new ArrayList<>();
    for (Dataset<Row> part : parts) {
      List<Column> columns = new ArrayList<>();
      List<String> present = List.of(part.columns());
      for (StructField field : schema.fields()) {
        columns.add(present.stream().anyMatch(field.name()::equals) ? col(quote(field.name()))
            : lit(null).cast(field.dataType()).as(field.name()));
      }
      if (rescue) {
        List<String> extras = new ArrayList<>();
        for (String name : part.columns()) {
          if (field(schema, name) == null
              && !List.of(CORRUPT, METADATA, "__error").contains(name)) {
            extras.add(name);
          }
        }
        columns.add(rescuedColumns(extras).as(RESCUED));
      }
      columns.add(col(METADATA));
      columns.add(col(CORRUPT));
      columns.add(col("__error"));
      shaped.add(part.select(columns.toArray(new Column[0])));
    }
    Dataset<Row> all = shaped.get(0);
    for (int i = 1; i < shaped.size(); i++) {
      all = all.unionByName(shaped.get(i));
    }
    Dataset<Row> checked = all.persist(StorageLevel.MEMORY_AND_DISK());
    List<Column> output = new ArrayList<>();
    for (StructField field : schema.fields()) {
      output.add(col(quote(field.name())));
    }
    if (rescue) {
      output.add(col(RESCUED));
    }
    output.add(col(METADATA));
    return new Built(checked.where("__error IS NULL").select(output.toArray(new Column[0])),
        rejected(checked, expr("CAST(" + CORRUPT + " AS BINARY)"), runId),
        schema, adds, checked, checked::unpersist);
  }

  private org.apache.spark.sql.DataFrameReader csvReader(boolean header, String delimiter) {
    return spark.read().option("header", Boolean.toString(header)).option("sep", delimiter);
  }

  /** Why a CSV line was rejected: the columns whose values do not have their type, if any. */
  private static Column csvError(StructType fileSchema, String delimiter, boolean header) {
    StringBuilder strings = new StringBuilder();
    for (StructField field : fileSchema.fields()) {
      strings.append(strings.length() == 0 ? "" : ", ").append(quote(field.name()))
          .append(" STRING");
    }
    String asStrings = "from_csv(" + CORRUPT + ", " + SourceText.literal(strings.toString())
        + ", map('sep', " + SourceText.literal(delimiter) + "))";
    StringBuilder fields = new StringBuilder("concat_ws(', '");
    for (StructField field : fileSchema.fields()) {
      if (field.dataType().equals(DataTypes.StringType)) {
        continue;
      }
      String name = field.name().replace("'", "\\'");
      fields.append(", CASE WHEN ").append(asStrings).append(".").append(quote(field.name()))
          .append(" IS NOT NULL AND ").append(quote(field.name())).append(" IS NULL THEN '")
          .append(name).append(" (").append(field.dataType().sql()).append(")' END");
    }
    fields.append(")");
    return expr("CASE WHEN " + CORRUPT + " IS NULL THEN NULL ELSE coalesce(concat("
        + "'values do not match the schema: ', nullif(" + fields + ", '')), 'malformed CSV line:"
        + " it does not have the " + fileSchema.fields().length + " values of the "
        + (header ? "header" : "schema") + "') END");
  }

  /** The values of columns the declared schema lacks, as a JSON object (null when none). */
  private static Column rescuedColumns(List<String> extras) {
    if (extras.isEmpty()) {
      return lit(null).cast(DataTypes.StringType);
    }
    StringBuilder map = new StringBuilder("map(");
    for (int i = 0; i < extras.size(); i++) {
      map.append(i == 0 ? "" : ", ").append(SourceText.literal(extras.get(i)))
          .append(", CAST(").append(quote(extras.get(i))).append(" AS STRING)");
    }
    map.append(")");
    String present = "map_filter(" + map + ", (k, v) -> v IS NOT NULL)";
    return expr("CASE WHEN size(" + present + ") > 0 THEN to_json(" + present + ") END");
  }

  /**
   * The column names in a CSV file's first line; null for an empty file. (Only for a file the
   * plausibility check could not open: Spark's read then fails on it too.)
   */
  private List<String> headerOf(String file, String delimiter) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(conf);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      try (InputStream raw = fs.open(path);
          InputStream in = codec == null ? raw : codec.createInputStream(raw);
          java.io.BufferedReader reader = new java.io.BufferedReader(
              new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line = reader.readLine();
        if (line == null || line.isBlank()) {
          return null;
        }
        com.univocity.parsers.csv.CsvParserSettings settings =
            new com.univocity.parsers.csv.CsvParserSettings();
        settings.getFormat().setDelimiter(delimiter);
        return FilePlausibility.columnNames(
            new com.univocity.parsers.csv.CsvParser(settings).parseLine(line));
      }
    } catch (IOException e) {
      // read again by Spark, which fails the same way: the file is quarantined as unreadable
      throw new UncheckedIOException("cannot read the header of " + file + ": " + e.getMessage(),
          e);
    }
  }

  // ---- shared

  /**
   * {@code _source_file}: where each row came from. A downloaded file's path and name are its
   * object's, found by the number of the folder it was staged in.
   */
  private Column fileColumn() {
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
    return struct(path.as("path"), name.as("name"),
        col("_metadata.file_size").as("size"),
        col("_metadata.file_modification_time").as("modification_time")).as(METADATA);
  }

  private Dataset<Row> rejected(Dataset<Row> checked, Column raw, String runId) {
    return checked.where("__error IS NOT NULL").select(
        lit(call.displayName()).as("_source"),
        col(METADATA + ".path").as("_position"),
        lit(null).cast("string").as("_kafka_topic"),
        lit(null).cast("int").as("_kafka_partition"),
        lit(null).cast("bigint").as("_kafka_offset"),
        lit(null).cast("binary").as("_kafka_key"),
        col(METADATA + ".path").as("_source_file"),
        raw.as("_raw"),
        col("__error").as("_error"),
        lit(runId).as("_run_id"),
        current_timestamp().as("_quarantined_at"));
  }

  private static final StructType QUARANTINE = new StructType()
      .add("_source", DataTypes.StringType)
      .add("_position", DataTypes.StringType)
      .add("_kafka_topic", DataTypes.StringType)
      .add("_kafka_partition", DataTypes.IntegerType)
      .add("_kafka_offset", DataTypes.LongType)
      .add("_kafka_key", DataTypes.BinaryType)
      .add("_source_file", DataTypes.StringType)
      .add("_raw", DataTypes.BinaryType)
      .add("_error", DataTypes.StringType)
      .add("_run_id", DataTypes.StringType);

  private Dataset<Row> emptyRejected(String runId) {
    return spark.createDataFrame(List.of(), QUARANTINE)
        .withColumn("_quarantined_at", current_timestamp());
  }

  /**
   * One quarantine row per file quarantined whole (the value: why), with its bytes when they are
   * few enough.
   */
  private Dataset<Row> unreadable(Map<FileLog.Entry, String> files, String runId) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<FileLog.Entry, String> file : files.entrySet()) {
      String path = file.getKey().path();
      byte[] bytes = null;
      String local = localPath(file.getKey());
      boolean present = objectStore == null || staged.containsKey(path);
      if (present && file.getKey().size() <= maxRecordBytes) {
        try (InputStream in = new Path(local).getFileSystem(conf).open(new Path(local))) {
          bytes = in.readNBytes((int) maxRecordBytes);
        } catch (IOException e) {
          bytes = null; // gone or unreadable: the error says so
        }
      }
      // in the order of QUARANTINE: source, position, four Kafka columns, file, raw, ...
      rows.add(RowFactory.create(call.displayName(), path, null, null, null, null, path, bytes,
          file.getValue(), runId));
    }
    return spark.createDataFrame(rows, QUARANTINE)
        .withColumn("_quarantined_at", current_timestamp());
  }

  /** A batch without rows, shaped like the source's known schema. */
  private Built empty(Map<String, String> stored, String runId) {
    StructType known = format.equals("text") ? new StructType().add("value", DataTypes.StringType)
        : known(declared(), stored);
    StructType schema = known == null ? new StructType() : known;
    if ((format.equals("json") || format.equals("csv")) && evolution(declared()).equals("rescue")) {
      schema = schema.add(RESCUED, DataTypes.StringType);
    }
    schema = schema.add(METADATA, new StructType()
        .add("path", DataTypes.StringType)
        .add("name", DataTypes.StringType)
        .add("size", DataTypes.LongType)
        .add("modification_time", DataTypes.TimestampType));
    Dataset<Row> rows = spark.createDataFrame(List.of(), schema);
    return new Built(rows, emptyRejected(runId), format.equals("text") ? null : known, false,
        rows, () -> { });
  }

  private StructType declared() {
    if (call.argument("schema").isEmpty() || format.equals("parquet") || format.equals("text")) {
      return null;
    }
    return ddl("schema");
  }

  private StructType ddl(String argument) {
    try {
      return StructType.fromDDL(call.argument(argument).orElseThrow());
    } catch (RuntimeException e) {
      throw new FlowException(call.positionOf(argument) + ": " + argument + " is not a valid list"
          + " of columns (e.g. 'id BIGINT, price DECIMAL(10,2)'): "
          + SourceText.firstLine(String.valueOf(e.getMessage())), e);
    }
  }

  private String evolution(StructType declared) {
    return SourceArguments.schemaEvolution(call, declared != null);
  }

  /** The declared schema with the fields earlier batches added; or the learned schema. */
  private StructType known(StructType declared, Map<String, String> stored) {
    String learned = stored.get(schemaKey());
    StructType fromSummary = learned == null ? null : (StructType) DataType.fromJson(learned);
    if (declared == null) {
      return fromSummary;
    }
    return fromSummary == null ? declared : KafkaSourceReader.merge(declared, fromSummary);
  }

  /** An inferred schema with the types schema_hints gives (hinted columns it lacks added). */
  private StructType hinted(StructType inferred) {
    if (call.argument("schema_hints").isEmpty()) {
      return inferred;
    }
    StructType hints = ddl("schema_hints");
    StructType result = new StructType();
    for (StructField field : inferred.fields()) {
      StructField hint = field(hints, field.name());
      result = result.add(hint == null ? field : new StructField(field.name(), hint.dataType(),
          true, field.metadata()));
    }
    for (StructField hint : hints.fields()) {
      if (field(inferred, hint.name()) == null) {
        result = result.add(hint);
      }
    }
    return result;
  }

  private static StructField field(StructType schema, String name) {
    if (schema == null) {
      return null;
    }
    for (StructField field : schema.fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        return field;
      }
    }
    return null;
  }

  private String warehouse() {
    String warehouse = spark.conf().get(WAREHOUSE_CONF, "");
    if (warehouse.isBlank()) {
      throw new FlowException(call.position() + ": cannot keep track of ingested files: the"
          + " catalog has no warehouse location (" + WAREHOUSE_CONF + ")", null);
    }
    return warehouse;
  }

  /** The catalog's FileIO (HadoopFileIO, or S3FileIO for an S3 warehouse), for the file logs. */
  private FileIO fileIo() {
    Map<String, String> properties = catalogProperties();
    return readers.fileIo(properties, () -> CatalogUtil.loadFileIO(
        properties.getOrDefault("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO"), properties,
        conf));
  }

  /**
   * S3FileIO with the catalog's S3 settings (the storage.s3 keys, in the catalog properties with a
   * local warehouse too), for an S3 folder: the same instance as the catalog's when the warehouse
   * is on S3 too.
   */
  private FileIO objectStoreIo() {
    Map<String, String> properties = catalogProperties();
    properties.put("io-impl", CatalogProperties.S3_FILE_IO);
    try {
      return readers.fileIo(properties,
          () -> CatalogUtil.loadFileIO(CatalogProperties.S3_FILE_IO, properties, conf));
    } catch (RuntimeException | LinkageError e) {
      throw new FlowException(call.positionOf("path") + ": cannot read folder " + root + ": cannot"
          + " open the S3 client " + CatalogProperties.S3_FILE_IO + ": " + rootCause(e), e);
    }
  }

  private Map<String, String> catalogProperties() {
    Map<String, String> properties = new java.util.TreeMap<>();
    scala.collection.immutable.Map<String, String> all = spark.conf().getAll();
    scala.jdk.javaapi.CollectionConverters.asJava(all).forEach((key, value) -> {
      if (key.startsWith(CATALOG_CONF)) {
        properties.put(key.substring(CATALOG_CONF.length()), value);
      }
    });
    return properties;
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}

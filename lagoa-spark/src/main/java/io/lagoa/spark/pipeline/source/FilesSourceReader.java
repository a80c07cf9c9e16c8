package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.current_timestamp;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceArguments;
import io.lagoa.pipeline.SourceArguments.Files;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.pipeline.source.FileFormat.Built;
import io.lagoa.table.TableNames;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a folder for {@code read_files(...)}, the way Auto Loader does: each run lists the folder,
 * takes the files no earlier batch ingested (oldest first, at most {@code max_files_per_batch}) and
 * reads exactly those with a Spark batch read.
 *
 * <p>Exactly once: the batch's files are written to an immutable {@link FileLog} before the commit,
 * and the log's location is committed in the target's snapshot summary with the rows ({@code
 * lagoa.source.files.<hash of the folder>}). A file is ingested once it is in the chain the
 * target's current snapshot points to; files are known by path, so a file rewritten in place after
 * it was ingested is not read again.
 *
 * <p>Poison never stops the stream: lines that are not valid JSON, CSV lines that do not match the
 * header or the types, and files that cannot be read at all go to the source quarantine table.
 * Files whose first bytes show they are not what the format says (binary data in a CSV folder, a
 * header that is no list of column names, a {@code .parquet} that is not Parquet) are quarantined
 * whole before any of their rows are read, so they never change the table's schema ({@link
 * FilePlausibility}).
 *
 * <p>This class finds the batch ({@link FileListing}, {@link FileLog}), downloads it from an object
 * store ({@link FileStaging}), and decides what is quarantined whole; {@link FileFormat}'s readers
 * read the files of each format.
 *
 * <p>Its arguments are {@link SourceArguments.Files}; its summary keys are {@link
 * PipelineCommits#filesPositionKey} and {@link PipelineCommits#filesSchemaKey}.
 */
public final class FilesSourceReader implements SourceReader {
  static final String WAREHOUSE_CONF = "spark.sql.catalog.lagoa.warehouse";
  private static final String CATALOG_CONF = "spark.sql.catalog.lagoa.";
  private static final Logger LOG = LoggerFactory.getLogger(FilesSourceReader.class);
  private static final java.util.Set<String> OBJECT_STORE_SCHEMES = java.util.Set.of("s3", "s3a");
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

  /** The batch's CSV headers, read by the plausibility check: local path to column names. */
  private final Map<String, List<String>> headers = new java.util.HashMap<>();

  private final FileListing listing;
  private final FileStaging staging;
  private final FileFormat fileFormat;

  FilesSourceReader(
      SparkSession spark,
      Catalog catalog,
      SourceCall call,
      java.nio.file.Path pipelineFolder,
      String target,
      SourceReaders readers) {
    this.spark = spark;
    this.readers = readers;
    this.catalog = catalog;
    this.call = call;
    this.target = target;
    this.format = Files.FORMAT.text(call).orElse("json").toLowerCase(Locale.ROOT);
    this.maxRecordBytes = Files.MAX_RECORD_BYTES.longValue(call);
    this.conf = spark.sessionState().newHadoopConf();
    String written = call.argument("path").orElseThrow().strip();
    boolean uri =
        written.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !written.matches("^[a-zA-Z]:\\\\.*");
    String resolved =
        uri || java.nio.file.Path.of(written).isAbsolute() || pipelineFolder == null
            ? written
            : pipelineFolder.resolve(written).normalize().toString();
    Path path = new Path(resolved);
    String scheme = path.toUri().getScheme();
    if (scheme != null && OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
      // Spark has no S3 file system here (hadoop-aws is not shipped): the folder is listed and
      // its files downloaded through Iceberg's S3FileIO, which Lagoa uses for S3 anyway.
      if (path.toUri().getAuthority() == null || path.toUri().getAuthority().isBlank()) {
        throw new FlowException(
            call.positionOf("path")
                + ": cannot read folder "
                + written
                + ": it names no bucket; write it as "
                + scheme
                + "://bucket/prefix",
            null);
      }
      this.root = path;
      this.objectStore = objectStoreIo();
    } else {
      try {
        this.root = path.getFileSystem(conf).makeQualified(path);
      } catch (IOException e) {
        throw new FlowException(
            call.positionOf("path") + ": cannot read folder " + written + ": " + e.getMessage(), e);
      }
      this.objectStore = null;
    }
    this.listing = new FileListing(call, root, conf, objectStore);
    this.staging = new FileStaging(call, root, listing);
    this.fileFormat =
        FileFormat.of(format, spark, call, maxRecordBytes, schemaKey(), staging, conf, headers);
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
  public SourceBatch read(
      Map<String, String> stored, Map<String, String> pending, String runId, boolean whole) {
    return read(stored, pending, runId, whole, false);
  }

  /**
   * As {@link #read(Map, Map, String, boolean)}; with {@code dryRun} no file log is written (a
   * {@code --dry-run} writes nothing, and a log no commit points to would be garbage).
   */
  @Override
  public SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun) {
    Map<String, String> last = whole ? Map.of() : positionOf(stored);
    String logLocation = last.get(positionKey());
    FileIO io = whole ? null : fileIo();
    FileLog.Ingested ingested =
        whole
            ? new FileLog.Ingested(null, java.util.Set.of(), 0)
            : readers.fileLog().load(io, target + " " + positionKey(), logLocation);
    List<FileLog.Entry> files = null;
    String position = null;
    String replay = whole ? null : pending.get(positionKey());
    if (replay != null && !replay.equals(logLocation)) {
      FileLog.Log log = FileLog.read(io, replay);
      if (java.util.Objects.equals(log.parent(), logLocation) || log.parent() == null) {
        files = log.files();
        position = replay;
        LOG.debug("files:{}: reading the interrupted batch again ({} files)", root, files.size());
      }
    }
    if (files == null) {
      files = listing.newFiles(ingested, whole);
    }
    Map<String, String> positions = new LinkedHashMap<>();
    if (!whole && !dryRun && !files.isEmpty() && position == null) {
      position =
          FileLog.write(
              io, FileLog.newLocation(warehouse(), target), root.toString(), ingested, files);
    }
    if (position != null) {
      positions.put(positionKey(), position);
    } else if (logLocation != null) {
      positions.put(positionKey(), logLocation);
    }
    Built built;
    String skipped;
    try {
      built = readAll(files, last, runId);
      skipped = fileFormat.skipped(built);
    } catch (RuntimeException e) {
      staging.deleteStaging();
      throw e;
    }
    String description = "files:" + root + " (" + files.size() + " new files" + skipped + ")";
    if (!skipped.isEmpty()) {
      LOG.info("files:{}: {}", root, skipped.substring(2));
    }
    if (built.schema() != null) {
      positions.put(schemaKey(), built.schema().json());
    }
    LOG.debug("{}", description);
    Runnable release =
        !staging.active()
            ? built.release()
            : () -> {
              try {
                built.release().run();
              } finally {
                staging.deleteStaging();
              }
            };
    return new SourceBatch(
        built.rows(),
        built.rejected(),
        positions,
        !files.isEmpty(),
        built.addsColumns(),
        description,
        release);
  }

  /** How many files the target holds and how many wait in the folder. */
  public record Progress(long ingested, long waiting) {}

  public Progress progress(Map<String, String> stored) {
    Map<String, String> last = positionOf(stored);
    FileLog.Ingested ingested =
        readers.fileLog().load(fileIo(), target + " " + positionKey(), last.get(positionKey()));
    return new Progress(ingested.paths().size(), listing.newFiles(ingested, true).size());
  }

  /**
   * The summary holding this source's position: the target's last one, or, when that commit did not
   * write (a compaction), the latest of its ancestors that did.
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

  /**
   * Reads the files; a file that cannot be read at all (a corrupt Parquet file, a broken gzip
   * stream, a file deleted since the listing) is quarantined as a whole and the others are read.
   */
  private Built readAll(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    if (files.isEmpty()) {
      return fileFormat.empty(stored, runId);
    }
    if (objectStore == null) {
      return readLocal(files, stored, runId);
    }
    Map<FileLog.Entry, String> missing = staging.stage(files, objectStore);
    if (missing.isEmpty()) {
      return readLocal(files, stored, runId);
    }
    if (missing.size() == files.size() && files.size() > 1) {
      throw new FlowException(
          call.position()
              + ": cannot read files of "
              + root
              + ": none of"
              + " the "
              + files.size()
              + " new files could be downloaded, e.g. "
              + missing.values().iterator().next()
              + "; check "
              + FileListing.S3_KEYS,
          null);
    }
    missing.forEach(
        (file, why) -> LOG.warn("files:{}: quarantined {} whole: {}", root, file.path(), why));
    List<FileLog.Entry> rest = new ArrayList<>(files);
    rest.removeAll(missing.keySet());
    Built good = rest.isEmpty() ? fileFormat.empty(stored, runId) : readLocal(rest, stored, runId);
    return new Built(
        good.rows(),
        good.rejected().unionByName(unreadable(missing, runId)),
        good.schema(),
        good.addsColumns(),
        good.checked(),
        good.release());
  }

  /**
   * Reads local files (or downloaded copies): first each file's first bytes are checked ({@link
   * FilePlausibility}), and a file that is not what its format says is quarantined whole, before
   * any of its rows are read or its columns learned. Then the others are read; when Spark cannot
   * read some of them (a gzip stream cut off further in), those are quarantined whole too.
   */
  private Built readLocal(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    Map<FileLog.Entry, String> implausible = implausible(files, stored);
    if (implausible.isEmpty()) {
      return readPlausible(files, stored, runId);
    }
    for (Map.Entry<FileLog.Entry, String> file : implausible.entrySet()) {
      LOG.warn(
          "files:{}: quarantined {} whole, nothing of it read: {}",
          root,
          file.getKey().path(),
          file.getValue());
    }
    List<FileLog.Entry> rest = new ArrayList<>(files);
    rest.removeAll(implausible.keySet());
    Map<FileLog.Entry, String> errors = new LinkedHashMap<>();
    implausible.forEach(
        (file, problem) ->
            errors.put(file, name(file) + " does not look like a " + format + " file: " + problem));
    Built good =
        rest.isEmpty() ? fileFormat.empty(stored, runId) : readPlausible(rest, stored, runId);
    return new Built(
        good.rows(),
        good.rejected().unionByName(unreadable(errors, runId)),
        good.schema(),
        good.addsColumns(),
        good.checked(),
        good.release());
  }

  /**
   * The files whose first bytes show they are not what the format says, with why; remembers the CSV
   * headers it read, so each file is opened once more only, by Spark.
   */
  private Map<FileLog.Entry, String> implausible(
      List<FileLog.Entry> files, Map<String, String> stored) {
    boolean header = csvHeader();
    FilePlausibility plausibility = new FilePlausibility(conf, format, header, delimiter());
    Map<FileLog.Entry, String> problems = new LinkedHashMap<>();
    Map<FileLog.Entry, List<String>> columns = new LinkedHashMap<>();
    headers.clear();
    for (FileLog.Entry file : files) {
      FilePlausibility.Look look = plausibility.look(staging.localPath(file));
      if (look.problem() != null) {
        problems.put(file, look.problem());
      } else if (look.columns() != null) {
        columns.put(file, look.columns());
      }
    }
    if (format.equals("csv")) {
      StructType known = fileFormat.known(fileFormat.declared(), stored);
      for (Map.Entry<FileLog.Entry, List<String>> file : columns.entrySet()) {
        List<Integer> others = new ArrayList<>();
        columns.forEach(
            (other, names) -> {
              if (other != file.getKey()) {
                others.add(names.size());
              }
            });
        String problem = plausibility.columnsProblem(file.getValue(), known, others);
        if (problem != null) {
          problems.put(file.getKey(), problem);
        } else if (header) {
          headers.put(staging.localPath(file.getKey()), file.getValue());
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

  private Built readPlausible(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    try {
      return materialized(fileFormat.read(files, stored, runId));
    } catch (FlowException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked, though Java does not see it thrown
      Map<FileLog.Entry, String> unreadable = new LinkedHashMap<>();
      List<FileLog.Entry> readable = new ArrayList<>();
      for (FileLog.Entry file : files) {
        try {
          materialized(fileFormat.read(List.of(file), stored, runId)).release().run();
          readable.add(file);
        } catch (FlowException flow) {
          throw flow;
        } catch (Exception one) {
          unreadable.put(file, staging.shown(unreadableReason(one)));
        }
      }
      // When every file fails on its own the cause is likely not the files (a full disk, a
      // store that is down): fail the batch, to be retried, rather than quarantine them all.
      if (unreadable.isEmpty() || (unreadable.size() == files.size() && files.size() > 1)) {
        throw new FlowException(
            call.position()
                + ": cannot read files of "
                + root
                + ": "
                + staging.shown(SourceText.firstLine(SourceText.rootCause(e))),
            e);
      }
      Map<FileLog.Entry, String> errors = new LinkedHashMap<>();
      for (Map.Entry<FileLog.Entry, String> file : unreadable.entrySet()) {
        LOG.warn(
            "files:{}: quarantined {} whole: it cannot be read as {}: {}",
            root,
            file.getKey().path(),
            format,
            file.getValue());
        errors.put(
            file.getKey(),
            "cannot read the file as "
                + format
                + ": "
                + name(file.getKey())
                + ": "
                + file.getValue());
      }
      Dataset<Row> whole = unreadable(errors, runId);
      Built good =
          readable.isEmpty()
              ? fileFormat.empty(stored, runId)
              : materialized(fileFormat.read(readable, stored, runId));
      return new Built(
          good.rows(),
          good.rejected().unionByName(whole),
          good.schema(),
          good.addsColumns(),
          good.checked(),
          good.release());
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
    String message =
        cause.getMessage() == null
            ? cause.getClass().getSimpleName()
            : SourceText.firstLine(cause.getMessage());
    if (cause instanceof java.io.EOFException) {
      message += " (the file ends too early: a truncated or corrupt compressed file)";
    }
    return message;
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

  /**
   * One quarantine row per file quarantined whole (the value: why), with its bytes when they are
   * few enough.
   */
  private Dataset<Row> unreadable(Map<FileLog.Entry, String> files, String runId) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<FileLog.Entry, String> file : files.entrySet()) {
      String path = file.getKey().path();
      byte[] bytes = null;
      String local = staging.localPath(file.getKey());
      boolean present = objectStore == null || staging.isStaged(path);
      if (present && file.getKey().size() <= maxRecordBytes) {
        try (InputStream in = new Path(local).getFileSystem(conf).open(new Path(local))) {
          bytes = in.readNBytes((int) maxRecordBytes);
        } catch (IOException e) {
          bytes = null; // gone or unreadable: the error says so
        }
      }
      // in the order of QUARANTINE: source, position, four Kafka columns, file, raw, ...
      rows.add(
          RowFactory.create(
              call.displayName(),
              path,
              null,
              null,
              null,
              null,
              path,
              bytes,
              file.getValue(),
              runId));
    }
    return spark
        .createDataFrame(rows, FileFormat.QUARANTINE)
        .withColumn("_quarantined_at", current_timestamp());
  }

  private String warehouse() {
    String warehouse = spark.conf().get(WAREHOUSE_CONF, "");
    if (warehouse.isBlank()) {
      throw new FlowException(
          call.position()
              + ": cannot keep track of ingested files: the"
              + " catalog has no warehouse location ("
              + WAREHOUSE_CONF
              + ")",
          null);
    }
    return warehouse;
  }

  /** The catalog's FileIO (HadoopFileIO, or S3FileIO for an S3 warehouse), for the file logs. */
  private FileIO fileIo() {
    Map<String, String> properties = catalogProperties();
    return readers.fileIo(
        properties,
        () ->
            CatalogUtil.loadFileIO(
                properties.getOrDefault("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO"),
                properties,
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
      return readers.fileIo(
          properties, () -> CatalogUtil.loadFileIO(CatalogProperties.S3_FILE_IO, properties, conf));
    } catch (RuntimeException | LinkageError e) {
      throw new FlowException(
          call.positionOf("path")
              + ": cannot read folder "
              + root
              + ": cannot"
              + " open the S3 client "
              + CatalogProperties.S3_FILE_IO
              + ": "
              + SourceText.rootCause(e),
          e);
    }
  }

  private Map<String, String> catalogProperties() {
    Map<String, String> properties = new java.util.TreeMap<>();
    scala.collection.immutable.Map<String, String> all = spark.conf().getAll();
    scala.jdk.javaapi.CollectionConverters.asJava(all)
        .forEach(
            (key, value) -> {
              if (key.startsWith(CATALOG_CONF)) {
                properties.put(key.substring(CATALOG_CONF.length()), value);
              }
            });
    return properties;
  }
}

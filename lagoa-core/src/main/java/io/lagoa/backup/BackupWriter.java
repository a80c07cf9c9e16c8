package io.lagoa.backup;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one incremental backup. Each table's current metadata file is pinned first and only what
 * that file reaches is copied, so the backed-up state is one the table had, whatever commits
 * meanwhile. A file an earlier backup already holds (same path and size) is not copied again. The
 * manifest is written last: a backup that fails midway leaves copied files that the next backup
 * copies again, and no manifest, so it is not a backup.
 */
public final class BackupWriter {
  private static final Logger LOG = LoggerFactory.getLogger(BackupWriter.class);
  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Pinning again after a file vanished (expiry removed an old snapshot's file mid-copy). */
  private static final int ATTEMPTS = 3;

  private final Catalog catalog;
  private final Function<String, FileIO> files;
  private final BackupLocation location;
  private final Clock clock;

  public BackupWriter(
      Catalog catalog, Function<String, FileIO> files, BackupLocation location, Clock clock) {
    this.catalog = catalog;
    this.files = files;
    this.location = location;
    this.clock = clock;
  }

  /**
   * Backs up the tables. With {@code explicit} (the tables were named), a table that does not exist
   * fails the backup; otherwise a table dropped while the backup runs is left out and reported.
   */
  public BackupResult create(
      String warehouse, List<TableIdentifier> tables, boolean explicit, BackupListener listener) {
    Instant started = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    long startNanos = System.nanoTime();
    Map<String, BackedUpFile> known = new HashMap<>();
    for (BackupManifest earlier : location.manifests()) {
      for (BackedUpTable table : earlier.tables()) {
        for (BackedUpFile file : table.files()) {
          known.put(file.path(), file);
        }
      }
    }
    String id = uniqueId(started);
    Counters counters = new Counters();
    List<BackedUpTable> backedUp = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    int index = 0;
    for (TableIdentifier identifier : tables) {
      listener.table(identifier.toString(), ++index, tables.size());
      try {
        backedUp.add(backUp(identifier, known, counters, listener));
      } catch (NoSuchTableException e) {
        if (explicit) {
          throw new LagoaException(
              ErrorCode.TABLE_NOT_FOUND,
              "Cannot back up " + identifier + ": the table does not exist; no backup was written",
              e);
        }
        dropped.add(identifier.toString());
      }
    }
    BackupManifest manifest =
        new BackupManifest(
            BackupManifest.FORMAT,
            id,
            started.toString(),
            clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
            warehouse,
            backedUp,
            counters.copiedFiles,
            counters.copiedBytes);
    location.write(manifest);
    return new BackupResult(
        manifest,
        counters.reusedFiles,
        counters.reusedBytes,
        Duration.ofNanos(System.nanoTime() - startNanos),
        dropped);
  }

  private String uniqueId(Instant started) {
    String base = ID.format(started);
    String id = base;
    for (int n = 2; location.manifest(id).isPresent(); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  private BackedUpTable backUp(
      TableIdentifier identifier,
      Map<String, BackedUpFile> known,
      Counters counters,
      BackupListener listener) {
    String previous = null;
    for (int attempt = 1; ; attempt++) {
      Table table = catalog.loadTable(identifier);
      if (!(table instanceof HasTableOperations operations)) {
        throw new LagoaException(
            ErrorCode.INTERNAL_ERROR, "Cannot back up " + identifier + ": not a metadata table");
      }
      String pinned = operations.operations().current().metadataFileLocation();
      FileIO io = files.apply(pinned);
      try {
        TableMetadata metadata = TableMetadataParser.read(io, pinned);
        List<BackedUpFile> copied = new ArrayList<>();
        for (TableFiles.Referenced file : TableFiles.of(metadata, io)) {
          try {
            copied.add(copy(identifier, file, known, counters, listener));
          } catch (NotFoundException e) {
            if (!file.optional()) {
              throw e;
            }
            // an earlier metadata file removed meanwhile (a commit trims the metadata log)
            LOG.debug("{}: {} is gone; not backed up", identifier, file.path());
          }
        }
        Snapshot current = metadata.currentSnapshot();
        return new BackedUpTable(
            identifier.toString(),
            metadata.uuid(),
            metadata.location(),
            pinned,
            current == null ? null : current.snapshotId(),
            current == null ? null : current.timestampMillis(),
            copied);
      } catch (NotFoundException e) {
        if (pinned.equals(previous)) {
          // the same state twice: the file is not being replaced, it is missing
          throw new LagoaException(
              ErrorCode.IO_ERROR,
              "Cannot back up "
                  + identifier
                  + ": a file its current snapshots need is missing ("
                  + LagoaException.rootMessage(e)
                  + "); the table is damaged: restore it from an earlier backup, or roll it back"
                  + " to a snapshot that does not need the file; no backup was written",
              e);
        }
        previous = pinned;
        // expiry or a replaced metadata file removed what the pinned state reached: pin again
        if (attempt == ATTEMPTS) {
          throw new LagoaException(
              ErrorCode.IO_ERROR,
              "Cannot back up "
                  + identifier
                  + ": files of it kept disappearing while they were copied ("
                  + LagoaException.rootMessage(e)
                  + "); no backup was written",
              e);
        }
        LOG.info(
            "{}: a file vanished while copying ({}); pinning again", identifier, e.getMessage());
      }
    }
  }

  private BackedUpFile copy(
      TableIdentifier table,
      TableFiles.Referenced file,
      Map<String, BackedUpFile> known,
      Counters counters,
      BackupListener listener) {
    BackedUpFile earlier = known.get(file.path());
    if (earlier != null && (file.size() < 0 || file.size() == earlier.size())) {
      counters.reusedFiles++;
      counters.reusedBytes += earlier.size();
      return earlier;
    }
    FileIO source = files.apply(file.path());
    FileCopier.Copied copied;
    try {
      copied =
          FileCopier.copy(
              source.newInputFile(file.path()),
              location.io().newOutputFile(location.copyOf(file.path())));
    } catch (IOException | UncheckedIOException e) {
      if (e.getCause() instanceof java.io.FileNotFoundException) {
        throw new NotFoundException(e, "File does not exist: %s", file.path());
      }
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot back up "
              + table
              + ": copying "
              + file.path()
              + " to "
              + location.copyOf(file.path())
              + " failed: "
              + LagoaException.rootMessage(e)
              + "; no backup was written",
          e);
    }
    if (file.size() >= 0 && copied.size() != file.size()) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot back up "
              + table
              + ": "
              + file.path()
              + " is "
              + copied.size()
              + " bytes where the table's metadata says "
              + file.size()
              + " (the file was changed or damaged); no backup was written");
    }
    BackedUpFile entry = new BackedUpFile(file.path(), file.kind(), copied.size(), copied.crc32c());
    known.put(file.path(), entry);
    counters.copiedFiles++;
    counters.copiedBytes += copied.size();
    listener.file(file.path(), copied.size());
    return entry;
  }

  private static final class Counters {
    long copiedFiles;
    long copiedBytes;
    long reusedFiles;
    long reusedBytes;
  }
}

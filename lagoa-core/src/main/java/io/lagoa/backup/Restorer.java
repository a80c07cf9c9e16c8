package io.lagoa.backup;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import io.lagoa.text.EditDistance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;

/**
 * Restores tables from the backups in a location into the catalog. Everything is decided and
 * checked first ({@link #plan}); then each table is restored on its own, and the catalog changes in
 * one step per table at the end (a register, or one commit that replaces the live table's state),
 * so a restore that fails leaves that table as it was.
 *
 * <ul>
 *   <li>Same name: the files go back to their own paths (only those missing are copied, each
 *       checked against the manifest's checksum on the way), and the backed-up metadata file is
 *       registered, or committed over the live table.
 *   <li>New name: the table is copied under the new table's location with every path rewritten
 *       ({@link TableRelocator}), then registered.
 *   <li>Point in time: the latest state at or before the moment, from the backups' metadata and the
 *       live table's retained snapshots, whichever is later; a live snapshot whose files are all
 *       there is restored by rolling the table back to it.
 * </ul>
 */
public final class Restorer {
  private final Catalog catalog;
  private final Function<String, FileIO> files;
  private final BackupLocation location;
  private final TableRelocator relocator;

  public Restorer(
      Catalog catalog,
      Function<String, FileIO> files,
      BackupLocation location,
      TableRelocator relocator) {
    this.catalog = catalog;
    this.files = files;
    this.location = location;
    this.relocator = relocator;
  }

  /** A decided restore: what each table becomes, and from where. */
  public static final class Plan {
    private final List<PlannedRestore> tables;
    private final List<Source> sources;

    private Plan(List<Source> sources) {
      this.sources = sources;
      this.tables = sources.stream().map(Source::plan).toList();
    }

    public List<PlannedRestore> tables() {
      return tables;
    }
  }

  /** Where a table's restored state is read from: a backup's copy or the live table. */
  private record Source(PlannedRestore plan, Optional<BackedUpTable> backedUp, Table table) {}

  /** Decides and checks every table's restore; changes nothing. */
  public Plan plan(RestoreRequest request) {
    List<BackupManifest> backups = location.manifests();
    if (backups.isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "Cannot restore: there is no backup in " + location.root());
    }
    Optional<BackupManifest> chosen = request.backup().map(id -> backup(backups, id));
    BackupManifest newest = chosen.orElse(backups.get(backups.size() - 1));
    List<String> names = new ArrayList<>();
    if (request.tables().isEmpty()) {
      newest.tables().forEach(table -> names.add(table.name()));
    } else {
      for (TableIdentifier table : request.tables()) {
        String name = table.toString();
        boolean found =
            chosen.isPresent()
                ? chosen.get().table(name).isPresent()
                : backups.stream().anyMatch(b -> b.table(name).isPresent());
        if (!found) {
          List<String> known = newest.tables().stream().map(BackedUpTable::name).toList();
          throw new LagoaException(
              ErrorCode.TABLE_NOT_FOUND,
              "Cannot restore "
                  + name
                  + ": "
                  + (chosen.isPresent()
                      ? "backup " + chosen.get().id()
                      : "no backup in " + location.root())
                  + " has it"
                  + EditDistance.closest(name, known)
                      .map(closest -> " (did you mean " + closest + "?)")
                      .orElse(""));
        }
        names.add(name);
      }
    }
    if (request.as().isPresent() && names.size() != 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot restore "
              + names.size()
              + " tables as "
              + request.as().get()
              + ": a new name is for one table at a time");
    }
    List<Source> sources = new ArrayList<>();
    for (String name : names) {
      TableIdentifier target = request.as().orElse(parse(name));
      Source source =
          request.at().isPresent()
              ? pointInTime(
                  name, target, chosen.map(b -> List.of(b)).orElse(backups), request.at().get())
              : fromBackup(name, target, chosen.orElseGet(() -> newestWith(backups, name)));
      if (source.plan().replaces() && !request.force()) {
        throw new LagoaException(
            ErrorCode.TABLE_CONFLICT,
            "Cannot restore "
                + name
                + (target.toString().equals(name) ? "" : " as " + target)
                + ": table "
                + target
                + " exists and restoring would replace its current state; nothing was restored",
            null,
            Remedy.REPLACE_TABLE);
      }
      sources.add(source);
    }
    return new Plan(sources);
  }

  /** Restores what the plan says, table by table. */
  public List<RestoredTable> restore(Plan plan, BackupListener listener) {
    List<RestoredTable> restored = new ArrayList<>();
    int index = 0;
    for (Source source : plan.sources) {
      listener.table(source.plan().target().toString(), ++index, plan.sources.size());
      try {
        restored.add(restore(source, listener));
      } catch (RuntimeException e) {
        if (restored.isEmpty()) {
          throw e;
        }
        // each table is restored on its own: say which ones already were
        ErrorCode code = e instanceof LagoaException lagoa ? lagoa.code() : ErrorCode.IO_ERROR;
        throw new LagoaException(
            code,
            LagoaException.rootMessage(e)
                + " (restored before it: "
                + String.join(
                    ", ", restored.stream().map(r -> r.plan().target().toString()).toList())
                + ")",
            e);
      }
    }
    return restored;
  }

  private static BackupManifest backup(List<BackupManifest> backups, String id) {
    return backups.stream()
        .filter(b -> b.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new LagoaException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Cannot restore: there is no backup "
                        + id
                        + EditDistance.closest(
                                id, backups.stream().map(BackupManifest::id).toList())
                            .map(closest -> " (did you mean " + closest + "?)")
                            .orElse(
                                " (the newest is " + backups.get(backups.size() - 1).id() + ")")));
  }

  private static BackupManifest newestWith(List<BackupManifest> backups, String name) {
    for (int i = backups.size() - 1; i >= 0; i--) {
      if (backups.get(i).table(name).isPresent()) {
        return backups.get(i);
      }
    }
    throw new IllegalStateException("no backup has " + name); // checked by plan
  }

  private static TableIdentifier parse(String name) {
    return TableIdentifier.parse(name);
  }

  private Source fromBackup(String name, TableIdentifier target, BackupManifest backup) {
    BackedUpTable backedUp = backup.table(name).orElseThrow();
    Table table = BackupVerifier.open(location, backedUp);
    return source(name, target, backup.id(), backedUp, table, backedUp.snapshotId());
  }

  private Source source(
      String name,
      TableIdentifier target,
      String backupId,
      BackedUpTable backedUp,
      Table table,
      Long snapshotId) {
    boolean exists = catalog.tableExists(target);
    String targetLocation =
        target.toString().equals(name) ? backedUp.location() : newLocation(target, exists);
    Snapshot snapshot = snapshotId == null ? null : table.snapshot(snapshotId);
    PlannedRestore plan =
        new PlannedRestore(
            name,
            target,
            Optional.of(backupId),
            snapshotId,
            snapshot == null ? null : snapshot.timestampMillis(),
            exists,
            !targetLocation.equals(backedUp.location()),
            targetLocation);
    return new Source(plan, Optional.of(backedUp), table);
  }

  /** The location a new table of this name gets from the catalog (or the live one's). */
  private String newLocation(TableIdentifier target, boolean exists) {
    if (exists) {
      return catalog.loadTable(target).location();
    }
    return catalog.buildTable(target, new Schema()).createTransaction().table().location();
  }

  private Source pointInTime(
      String name, TableIdentifier target, List<BackupManifest> backups, Instant at) {
    long atMillis = at.toEpochMilli();
    Source best = null;
    long bestMillis = Long.MIN_VALUE;
    Long oldest = null;
    for (int i = backups.size() - 1; i >= 0; i--) {
      Optional<BackedUpTable> backedUp = backups.get(i).table(name);
      if (backedUp.isEmpty()) {
        continue;
      }
      Table table = BackupVerifier.open(location, backedUp.get());
      TableMetadata metadata = ((HasTableOperations) table).operations().current();
      Optional<HistoryEntry> entry = stateAt(metadata, atMillis);
      oldest = minOldest(oldest, metadata);
      if (entry.isPresent() && entry.get().timestampMillis() > bestMillis) {
        bestMillis = entry.get().timestampMillis();
        best =
            source(
                name, target, backups.get(i).id(), backedUp.get(), table, entry.get().snapshotId());
      }
    }
    TableIdentifier original = parse(name);
    Table live = null;
    try {
      live = catalog.loadTable(original);
    } catch (NoSuchTableException e) {
      // no live table to take retained snapshots from
    }
    if (live != null) {
      TableMetadata metadata = ((HasTableOperations) live).operations().current();
      oldest = minOldest(oldest, metadata);
      Optional<HistoryEntry> entry = stateAt(metadata, atMillis);
      if (entry.isPresent()
          && entry.get().timestampMillis() >= bestMillis
          && complete(metadata, live.snapshot(entry.get().snapshotId()), live.io())) {
        boolean rollback = target.equals(original);
        Snapshot snapshot = live.snapshot(entry.get().snapshotId());
        String targetLocation =
            rollback ? live.location() : newLocation(target, catalog.tableExists(target));
        best =
            new Source(
                new PlannedRestore(
                    name,
                    target,
                    Optional.empty(),
                    snapshot.snapshotId(),
                    snapshot.timestampMillis(),
                    catalog.tableExists(target),
                    !rollback,
                    targetLocation),
                Optional.empty(),
                live);
      }
    }
    if (best == null) {
      throw new LagoaException(
          ErrorCode.SNAPSHOT_NOT_FOUND,
          "Cannot restore "
              + name
              + " to "
              + at
              + ": neither its backups nor the live table have a state at or before then"
              + (oldest == null ? "" : " (the oldest is of " + Instant.ofEpochMilli(oldest) + ")"));
    }
    return best;
  }

  private static Long minOldest(Long oldest, TableMetadata metadata) {
    for (HistoryEntry entry : metadata.snapshotLog()) {
      if (oldest == null || entry.timestampMillis() < oldest) {
        oldest = entry.timestampMillis();
      }
    }
    return oldest;
  }

  /** The main branch's state at a moment: the last change of its snapshot at or before it. */
  private static Optional<HistoryEntry> stateAt(TableMetadata metadata, long atMillis) {
    HistoryEntry found = null;
    for (HistoryEntry entry : metadata.snapshotLog()) {
      if (entry.timestampMillis() <= atMillis && metadata.snapshot(entry.snapshotId()) != null) {
        if (found == null || entry.timestampMillis() >= found.timestampMillis()) {
          found = entry;
        }
      }
    }
    return Optional.ofNullable(found);
  }

  /** Whether every file the snapshot needs is still there (none removed by hand or by expiry). */
  private static boolean complete(TableMetadata metadata, Snapshot snapshot, FileIO io) {
    try {
      for (TableFiles.Referenced file : TableFiles.ofSnapshot(metadata, snapshot, io)) {
        if (!io.newInputFile(file.path()).exists()) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false; // a manifest that cannot be read: take the backup's copy instead
    }
  }

  private RestoredTable restore(Source source, BackupListener listener) {
    PlannedRestore plan = source.plan();
    if (source.backedUp().isEmpty() && !plan.relocated()) {
      // the live table's own retained snapshot: roll back to it, one commit
      Table live = catalog.loadTable(plan.target());
      live.manageSnapshots().setCurrentSnapshot(plan.snapshotId()).commit();
      return new RestoredTable(
          plan, 0, 0, ((HasTableOperations) live).operations().current().metadataFileLocation());
    }
    if (plan.relocated()) {
      FileIO target = files.apply(plan.targetLocation());
      TableRelocator.Relocated relocated =
          relocator.relocate(source.table(), plan.targetLocation(), target, listener);
      try {
        String metadataFile = install(plan, relocated.metadataFile(), target);
        return new RestoredTable(plan, relocated.written().size(), relocated.bytes(), metadataFile);
      } catch (RuntimeException e) {
        for (String written : relocated.written()) {
          try {
            target.deleteFile(written);
          } catch (RuntimeException ignored) {
            // best effort: files of a table that was never registered harm nothing
          }
        }
        throw e;
      }
    }
    BackedUpTable backedUp = source.backedUp().get();
    long copiedFiles = 0;
    long copiedBytes = 0;
    for (BackedUpFile file : backedUp.files()) {
      FileIO io = files.apply(file.path());
      InputFile existing = io.newInputFile(file.path());
      if (existing.exists() && existing.getLength() == file.size()) {
        continue; // Iceberg files never change: one of the right size is this one
      }
      FileCopier.Copied copied;
      try {
        copied =
            FileCopier.copy(
                location.io().newInputFile(location.copyOf(file.path())),
                io.newOutputFile(file.path()));
      } catch (IOException | UncheckedIOException e) {
        deleteQuietly(io, file.path()); // it was missing: leave it missing, not half-written
        throw new LagoaException(
            ErrorCode.IO_ERROR,
            "Cannot restore "
                + plan.table()
                + ": copying "
                + location.copyOf(file.path())
                + " to "
                + file.path()
                + " failed: "
                + LagoaException.rootMessage(e)
                + "; the table was not changed",
            e);
      }
      if (!copied.crc32c().equals(file.crc32c()) || copied.size() != file.size()) {
        deleteQuietly(io, file.path());
        throw new LagoaException(
            ErrorCode.IO_ERROR,
            "Cannot restore "
                + plan.table()
                + ": the backup's copy "
                + location.copyOf(file.path())
                + " is damaged (checksum "
                + copied.crc32c()
                + ", "
                + copied.size()
                + " bytes; the manifest says "
                + file.crc32c()
                + ", "
                + file.size()
                + " bytes); the table was not changed");
      }
      copiedFiles++;
      copiedBytes += copied.size();
      listener.file(file.path(), copied.size());
    }
    String metadataFile =
        install(plan, backedUp.metadataFile(), files.apply(backedUp.metadataFile()));
    return new RestoredTable(plan, copiedFiles, copiedBytes, metadataFile);
  }

  /**
   * Makes the catalog point at the restored metadata (set to the planned snapshot): a register for
   * a new table, one commit over the live table's state otherwise.
   */
  private String install(PlannedRestore plan, String metadataFile, FileIO io) {
    TableMetadata metadata = TableMetadataParser.read(io, metadataFile);
    boolean moved =
        plan.snapshotId() != null
            && (metadata.currentSnapshot() == null
                || metadata.currentSnapshot().snapshotId() != plan.snapshotId());
    if (moved) {
      metadata =
          TableMetadata.buildFrom(metadata)
              .setBranchSnapshot(plan.snapshotId(), SnapshotRef.MAIN_BRANCH)
              .build();
    }
    if (catalog.tableExists(plan.target())) {
      Table live = catalog.loadTable(plan.target());
      TableOperations operations = ((HasTableOperations) live).operations();
      operations.commit(operations.current(), metadata);
      return operations.refresh().metadataFileLocation();
    }
    if (moved) {
      metadataFile = write(metadata, io);
    }
    if (catalog instanceof SupportsNamespaces namespaces
        && !plan.target().namespace().isEmpty()
        && !namespaces.namespaceExists(plan.target().namespace())) {
      namespaces.createNamespace(plan.target().namespace());
    }
    catalog.registerTable(plan.target(), metadataFile);
    return metadataFile;
  }

  /** Writes metadata as a new metadata file of its table. */
  private static String write(TableMetadata metadata, FileIO io) {
    String folder =
        metadata
            .properties()
            .getOrDefault(
                TableProperties.WRITE_METADATA_LOCATION, metadata.location() + "/metadata");
    String path =
        folder + "/" + String.format(Locale.ROOT, "%05d-%s.metadata.json", 0, UUID.randomUUID());
    TableMetadataParser.write(metadata, io.newOutputFile(path));
    return path;
  }

  private static void deleteQuietly(FileIO io, String path) {
    try {
      io.deleteFile(path);
    } catch (RuntimeException ignored) {
      // best effort: a file no metadata names harms nothing
    }
  }
}

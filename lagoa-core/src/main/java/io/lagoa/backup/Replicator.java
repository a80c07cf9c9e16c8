package io.lagoa.backup;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a replica's tables in step with the primary's, incrementally. For each table the primary's
 * current metadata file is pinned (as a backup does), and every file it reaches that the replica
 * does not hold yet is brought over: data and equality-delete files copied as they are; manifests,
 * manifest lists and position-delete files rewritten with the replica's paths (Iceberg's {@link
 * RewriteTablePathUtil}, the core of rewrite_table_path, no engine needed); then the replica's
 * catalog advances the table in one commit. So the replica is readable at any moment, and a table
 * there only ever points at files that are completely in place.
 *
 * <p>What was copied is recorded in the replica's state as it goes (every few seconds, and when a
 * table fails), so a replicator that is killed resumes with the files still missing.
 */
public final class Replicator {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

  /** How often the record of copied files is saved while a table is copied. */
  private static final Duration CHECKPOINT = Duration.ofSeconds(2);

  private final Catalog primary;
  private final String primaryWarehouse;
  private final Function<String, FileIO> files;
  private final ReplicaLocation replica;
  private final Catalog secondary;
  private final RewriteTablePathUtil.PositionDeleteReaderWriter positionDeletes;
  private final Clock clock;

  /**
   * @param files the file client for a path, the primary's or the replica's
   * @param secondary the replica's own catalog; commits there replace a table's state as it is (a
   *     plain Iceberg JDBC catalog, without Lagoa's pipeline-batch check, which would refuse a
   *     replicated pipeline commit whose predecessor was not replicated on its own)
   * @param positionDeletes reads and writes position-delete files (their rows name data files)
   */
  public Replicator(
      Catalog primary,
      String primaryWarehouse,
      Function<String, FileIO> files,
      ReplicaLocation replica,
      Catalog secondary,
      RewriteTablePathUtil.PositionDeleteReaderWriter positionDeletes,
      Clock clock) {
    this.primary = primary;
    this.primaryWarehouse = primaryWarehouse;
    this.files = files;
    this.replica = replica;
    this.secondary = secondary;
    this.positionDeletes = positionDeletes;
    this.clock = clock;
  }

  /**
   * One pass over the tables. With {@code all}, tables the replica has that the primary dropped are
   * reported too. Stops between tables once {@code stopping} says so; {@code heartbeat} is called
   * after every file (to keep the lease).
   */
  public ReplicationResult replicate(
      List<TableIdentifier> tables,
      boolean all,
      BackupListener listener,
      Runnable heartbeat,
      BooleanSupplier stopping) {
    long start = System.nanoTime();
    ReplicaState state = replica.state().orElseThrow();
    Counters counters = new Counters();
    List<TableLag> lags = new ArrayList<>();
    int advanced = 0;
    int index = 0;
    for (TableIdentifier identifier : tables) {
      if (stopping.getAsBoolean()) {
        break;
      }
      listener.table(identifier.toString(), ++index, tables.size());
      Table table;
      try {
        table = primary.loadTable(identifier);
      } catch (NoSuchTableException e) {
        continue; // dropped meanwhile: reported from the state below
      }
      ReplicaState before = state;
      state = replicate(identifier, table, state, counters, listener, heartbeat);
      if (state != before) {
        advanced++;
      }
      lags.add(lag(identifier, state));
    }
    if (all) {
      Set<String> listed = new HashSet<>();
      tables.forEach(table -> listed.add(table.toString()));
      for (ReplicatedTable table : state.tables()) {
        if (table.registered()
            && (!listed.contains(table.name())
                || !primary.tableExists(TableIdentifier.parse(table.name())))) {
          lags.removeIf(lag -> lag.table().equals(table.name()));
          lags.add(TableLag.dropped(table));
        }
      }
    }
    return new ReplicationResult(
        lags,
        advanced,
        counters.copiedFiles,
        counters.copiedBytes,
        counters.rewrittenFiles,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Each table's lag, from the primary's current state and the replica's, copying nothing. */
  public List<TableLag> status(List<TableIdentifier> tables, boolean all) {
    ReplicaState state = replica.state().orElseThrow();
    List<TableLag> lags = new ArrayList<>();
    Set<String> listed = new HashSet<>();
    for (TableIdentifier identifier : tables) {
      listed.add(identifier.toString());
      lags.add(lag(identifier, state));
    }
    if (all) {
      for (ReplicatedTable table : state.tables()) {
        if (table.registered() && !listed.contains(table.name())) {
          lags.add(TableLag.dropped(table));
        }
      }
    }
    return lags;
  }

  private TableLag lag(TableIdentifier identifier, ReplicaState state) {
    ReplicatedTable replicated = state.table(identifier.toString()).orElse(null);
    Snapshot current;
    try {
      current = primary.loadTable(identifier).currentSnapshot();
    } catch (NoSuchTableException e) {
      return replicated != null && replicated.registered()
          ? TableLag.dropped(replicated)
          : TableLag.of(identifier.toString(), null, null, null);
    }
    if (replicated != null
        && replicated.registered()
        && !replicated.uuid().equals(uuid(identifier))) {
      replicated = null; // the name is another table on the primary now
    }
    return TableLag.of(
        identifier.toString(),
        current == null ? null : current.snapshotId(),
        current == null ? null : current.timestampMillis(),
        replicated);
  }

  private String uuid(TableIdentifier identifier) {
    return ((HasTableOperations) primary.loadTable(identifier)).operations().current().uuid();
  }

  /** Replicates one table; returns the new state, or the same when there was nothing new. */
  private ReplicaState replicate(
      TableIdentifier identifier,
      Table table,
      ReplicaState state,
      Counters counters,
      BackupListener listener,
      Runnable heartbeat) {
    String name = identifier.toString();
    TableMetadata metadata = ((HasTableOperations) table).operations().current();
    String pinned = metadata.metadataFileLocation();
    ReplicatedTable previous = state.table(name).orElse(null);
    if (previous != null && !metadata.uuid().equals(previous.uuid())) {
      // dropped and created again on the primary: another table, copied afresh
      LOG.info("{} is another table on the primary now; replicating it afresh", name);
      previous = null;
    }
    if (previous != null
        && previous.registered()
        && pinned.equals(previous.sourceMetadataFile())
        && secondary.tableExists(identifier)) {
      return state;
    }
    String source = hadoopForm(metadata.location());
    String target =
        previous != null ? previous.targetLocation() : targetLocation(metadata, identifier);
    ReplicatedTable base =
        previous != null
            ? previous
            : new ReplicatedTable(
                name,
                metadata.uuid(),
                metadata.location(),
                target,
                null,
                null,
                null,
                null,
                null,
                Map.of());
    TableCopy copy =
        new TableCopy(name, base, state, source, target, counters, listener, heartbeat);
    try {
      copy.files(metadata, files.apply(pinned));
      return copy.commit(identifier, metadata, pinned);
    } catch (RuntimeException e) {
      copy.checkpoint(true);
      if (e instanceof LagoaException lagoa && lagoa.code() == ErrorCode.TABLE_CONFLICT) {
        throw e;
      }
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot replicate "
              + name
              + " to "
              + replica.root()
              + ": "
              + LagoaException.rootMessage(e)
              + "; the replica's "
              + name
              + " was not changed"
              + (base.registered() ? " (it is still at snapshot " + base.snapshotId() + ")" : "")
              + ", and the next replication goes on from the files already copied",
          e);
    }
  }

  /** Where a table goes in the replica: its path under the primary warehouse, or namespace/name. */
  private String targetLocation(TableMetadata metadata, TableIdentifier identifier) {
    String warehouse = hadoopForm(primaryWarehouse).replaceAll("/+$", "") + "/";
    String location = hadoopForm(metadata.location()).replaceAll("/+$", "");
    String relative =
        location.startsWith(warehouse)
            ? location.substring(warehouse.length())
            : String.join("/", identifier.namespace().levels()) + "/" + identifier.name();
    return replica.filePrefix() + "/" + relative;
  }

  /**
   * {@code file:///a/b} as Hadoop names local files, {@code file:/a/b}: the form file paths take.
   */
  static String hadoopForm(String location) {
    return location.startsWith("file:///") ? "file:/" + location.substring(8) : location;
  }

  /** The copy of one table's files in one pass, recording each as it is done. */
  private final class TableCopy {
    private final String name;
    private final ReplicatedTable base;
    private final String source;
    private final String target;
    private final Counters counters;
    private final BackupListener listener;
    private final Runnable heartbeat;
    private final Map<String, Long> copied;
    private final Set<String> reachable = new HashSet<>();
    private final FileIO routing = new RoutingFileIO(files);
    private ReplicaState state;
    private long lastCheckpoint = System.nanoTime();
    private int unsaved;

    TableCopy(
        String name,
        ReplicatedTable base,
        ReplicaState state,
        String source,
        String target,
        Counters counters,
        BackupListener listener,
        Runnable heartbeat) {
      this.name = name;
      this.base = base;
      this.state = state;
      this.source = source;
      this.target = target;
      this.counters = counters;
      this.listener = listener;
      this.heartbeat = heartbeat;
      this.copied = new HashMap<>(base.files());
    }

    /** Brings over every file the metadata reaches that the replica does not hold yet. */
    void files(TableMetadata metadata, FileIO io) {
      Map<Integer, PartitionSpec> specs = metadata.specsById();
      Set<Long> snapshotIds = new HashSet<>();
      Map<String, ManifestFile> manifests = new LinkedHashMap<>();
      for (Snapshot snapshot : metadata.snapshots()) {
        snapshotIds.add(snapshot.snapshotId());
        if (snapshot.manifestListLocation() == null) {
          throw new LagoaException(
              ErrorCode.INVALID_ARGUMENT,
              "snapshot "
                  + snapshot.snapshotId()
                  + " keeps its manifests in the metadata file (an Iceberg v1 table written"
                  + " long ago); rewrite the table's manifests on the primary first");
        }
        for (ManifestFile manifest : snapshot.allManifests(io)) {
          manifests.putIfAbsent(manifest.path(), manifest);
        }
      }
      try {
        for (ManifestFile manifest : manifests.values()) {
          reachable.add(manifest.path());
          String out = newPath(manifest.path());
          if (manifest.content() == ManifestContent.DATA) {
            try (ManifestReader<DataFile> reader = ManifestFiles.read(manifest, io, specs)) {
              for (DataFile file : reader) {
                copy(file.location(), file.fileSizeInBytes());
              }
            }
            if (!copied.containsKey(manifest.path())) {
              clear(out);
              RewriteTablePathUtil.rewriteDataManifest(
                  manifest,
                  snapshotIds,
                  routing.newOutputFile(out),
                  io,
                  metadata.formatVersion(),
                  specs,
                  source,
                  target);
              rewritten(manifest.path(), out);
            }
          } else {
            try (ManifestReader<DeleteFile> reader =
                ManifestFiles.readDeleteManifest(manifest, io, specs)) {
              for (DeleteFile file : reader) {
                if (file.content() == FileContent.POSITION_DELETES) {
                  rewritePositionDeletes(file, specs.get(file.specId()));
                } else {
                  copy(file.location(), file.fileSizeInBytes());
                }
              }
            }
            if (!copied.containsKey(manifest.path())) {
              clear(out);
              // the rewritten position-delete files' sizes, by their primary path
              RewriteTablePathUtil.rewriteDeleteManifest(
                  manifest,
                  snapshotIds,
                  routing.newOutputFile(out),
                  io,
                  metadata.formatVersion(),
                  specs,
                  source,
                  target,
                  target + "/metadata",
                  Map.copyOf(copied));
              rewritten(manifest.path(), out);
            }
          }
        }
        for (Snapshot snapshot : metadata.snapshots()) {
          String list = snapshot.manifestListLocation();
          reachable.add(list);
          if (copied.containsKey(list)) {
            continue;
          }
          Map<String, Long> lengths = new HashMap<>();
          for (ManifestFile manifest : snapshot.allManifests(io)) {
            lengths.put(manifest.path(), copied.get(manifest.path()));
          }
          String out = newPath(list);
          clear(out);
          RewriteTablePathUtil.rewriteManifestList(
              snapshot, routing, metadata, lengths, source, target, target + "/metadata", out);
          rewritten(list, out);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (StatisticsFile statistics : metadata.statisticsFiles()) {
        copy(statistics.path(), statistics.fileSizeInBytes());
      }
      for (PartitionStatisticsFile statistics : metadata.partitionStatisticsFiles()) {
        copy(statistics.path(), statistics.fileSizeInBytes());
      }
    }

    private String newPath(String path) {
      String form = hadoopForm(path);
      if (!form.startsWith(source + "/")) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "its file "
                + path
                + " lies outside the table's location "
                + source
                + ", and a replica keeps each table under one folder");
      }
      return target + form.substring(source.length());
    }

    /** A data or equality-delete file, byte for byte. */
    private void copy(String path, long size) {
      reachable.add(path);
      if (copied.containsKey(path)) {
        return;
      }
      String out = newPath(path);
      FileIO to = files.apply(out);
      if (to.newInputFile(out).exists() && to.newInputFile(out).getLength() == size) {
        done(path, size); // copied before a kill, after the last checkpoint
        return;
      }
      FileCopier.Copied result;
      try {
        result = FileCopier.copy(files.apply(path).newInputFile(path), to.newOutputFile(out));
      } catch (IOException e) {
        throw new UncheckedIOException("copying " + path + " to " + out + " failed", e);
      }
      if (size >= 0 && result.size() != size) {
        throw new LagoaException(
            ErrorCode.IO_ERROR,
            path
                + " is "
                + result.size()
                + " bytes where the table's metadata says "
                + size
                + " (the file was changed or damaged)");
      }
      counters.copiedFiles++;
      counters.copiedBytes += result.size();
      listener.file(out, result.size());
      done(path, result.size());
    }

    private void rewritePositionDeletes(DeleteFile file, PartitionSpec spec) throws IOException {
      reachable.add(file.location());
      if (copied.containsKey(file.location())) {
        return;
      }
      String out = newPath(file.location());
      clear(out);
      long size =
          RewriteTablePathUtil.rewritePositionDelete(
              file, routing.newOutputFile(out), routing, spec, source, target, positionDeletes);
      counters.rewrittenFiles++;
      counters.copiedBytes += size;
      listener.file(out, size);
      done(file.location(), size);
    }

    /** A manifest or manifest list written for the replica: its size goes in the record. */
    private void rewritten(String path, String out) {
      long size = files.apply(out).newInputFile(out).getLength();
      counters.rewrittenFiles++;
      counters.copiedBytes += size;
      listener.file(out, size);
      done(path, size);
    }

    /** A half-written file left by a kill: Iceberg's writers refuse to overwrite some files. */
    private void clear(String path) {
      FileIO io = files.apply(path);
      if (io.newInputFile(path).exists()) {
        io.deleteFile(path);
      }
    }

    private void done(String path, long size) {
      copied.put(path, size);
      unsaved++;
      heartbeat.run();
      checkpoint(false);
    }

    /** Saves the record of copied files, every few seconds (or now, after a failure). */
    void checkpoint(boolean now) {
      if (unsaved == 0 || (!now && System.nanoTime() - lastCheckpoint < CHECKPOINT.toNanos())) {
        return;
      }
      try {
        state = state.with(base.withFiles(copied));
        replica.write(state);
        unsaved = 0;
        lastCheckpoint = System.nanoTime();
      } catch (RuntimeException e) {
        if (!now) {
          throw e;
        }
        LOG.warn("{}: cannot save the record of copied files: {}", name, e.getMessage());
      }
    }

    /** Advances the replica's catalog to the copied state: one register or one commit. */
    ReplicaState commit(TableIdentifier identifier, TableMetadata metadata, String pinned) {
      // a local table's location is file:///a/b and its files file:/a/b/...: one prefix for all
      TableMetadata located =
          metadata.location().equals(source)
              ? metadata
              : TableMetadata.buildFrom(metadata).setLocation(source).build();
      TableMetadata replaced = RewriteTablePathUtil.replacePaths(located, source, target);
      String targetMetadata;
      if (secondary.tableExists(identifier)) {
        TableOperations operations =
            ((HasTableOperations) secondary.loadTable(identifier)).operations();
        TableMetadata current = operations.current();
        if (!current.uuid().equals(replaced.uuid())) {
          // the primary's table of this name was dropped and created again
          secondary.dropTable(identifier, false);
          targetMetadata = register(identifier, replaced, pinned);
        } else {
          operations.commit(current, replaced);
          targetMetadata = operations.refresh().metadataFileLocation();
          if (!targetMetadata.equals(current.metadataFileLocation())) {
            // as Iceberg removes a table's older metadata files after a commit
            deleteQuietly(current.metadataFileLocation());
          }
        }
      } else {
        targetMetadata = register(identifier, replaced, pinned);
      }
      Map<String, Long> kept = new HashMap<>(copied);
      kept.keySet().retainAll(reachable); // files of expired snapshots are no longer tracked
      Snapshot current = metadata.currentSnapshot();
      ReplicatedTable advanced =
          new ReplicatedTable(
              name,
              metadata.uuid(),
              metadata.location(),
              target,
              pinned,
              targetMetadata,
              current == null ? null : current.snapshotId(),
              current == null ? null : current.timestampMillis(),
              clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
              kept);
      state = state.with(advanced);
      replica.write(state);
      return state;
    }

    private String register(TableIdentifier identifier, TableMetadata replaced, String pinned) {
      String path = target + "/metadata/" + RewriteTablePathUtil.fileName(pinned);
      TableMetadataParser.overwrite(replaced, routing.newOutputFile(path));
      if (secondary instanceof SupportsNamespaces namespaces
          && !identifier.namespace().isEmpty()
          && !namespaces.namespaceExists(identifier.namespace())) {
        namespaces.createNamespace(identifier.namespace());
      }
      secondary.registerTable(identifier, path);
      return path;
    }

    private void deleteQuietly(String path) {
      try {
        files.apply(path).deleteFile(path);
      } catch (RuntimeException e) {
        LOG.debug("{}: cannot remove {}: {}", name, path, e.getMessage());
      }
    }
  }

  private static final class Counters {
    long copiedFiles;
    long copiedBytes;
    long rewrittenFiles;
  }
}

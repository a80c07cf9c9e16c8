package io.lagoa.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * A table's state before a pipeline run wrote it, so a failed run can put it back exactly:
 * snapshot, schema, partitioning and properties. A table the run created is dropped again.
 *
 * <p>Restoring commits the earlier metadata as the table's new current metadata: one atomic catalog
 * commit. Iceberg's {@code setCurrentSnapshot} would bring back the rows but not a schema or
 * partitioning that the run's replace changed, so the metadata is restored as a whole. The data
 * files the failed run wrote stay behind unreferenced; orphan-file cleanup removes them.
 *
 * @param metadata the metadata before the run; empty when the table did not exist
 */
public record TableState(TableIdentifier identifier, Optional<TableMetadata> metadata) {

  /** Reads the current state of a table (which may not exist yet). */
  public static TableState capture(Catalog catalog, TableIdentifier identifier) {
    try {
      Table table = catalog.loadTable(identifier);
      table.refresh();
      return new TableState(identifier, Optional.of(operations(table).current()));
    } catch (NoSuchTableException e) {
      return new TableState(identifier, Optional.empty());
    }
  }

  public boolean existed() {
    return metadata.isPresent();
  }

  public OptionalLong snapshotId() {
    return metadata
        .map(TableMetadata::currentSnapshot)
        .map(snapshot -> OptionalLong.of(snapshot.snapshotId()))
        .orElse(OptionalLong.empty());
  }

  /**
   * Puts the table back as it was. Refuses (and says so) when someone else has committed to the
   * table since: their commit would be lost.
   *
   * @param written ids of the snapshots the run committed to this table
   * @return what was done, for the run's report
   */
  public String restore(Catalog catalog, Set<Long> written) {
    Table table;
    try {
      table = catalog.loadTable(identifier);
      table.refresh();
    } catch (NoSuchTableException e) {
      return existed() ? identifier + " was dropped by someone else; nothing to restore" : "";
    }
    TableOperations operations = operations(table);
    TableMetadata current = operations.current();
    Set<Long> before = new HashSet<>();
    metadata.ifPresent(m -> m.snapshots().forEach(snapshot -> before.add(snapshot.snapshotId())));
    List<Long> foreign =
        current.snapshots().stream()
            .map(Snapshot::snapshotId)
            .filter(id -> !before.contains(id) && !written.contains(id))
            .toList();
    if (!foreign.isEmpty()) {
      String advice =
          snapshotId().isPresent()
              ? "check its history (lagoa table history "
                  + identifier
                  + ") and roll it back to "
                  + snapshotId().getAsLong()
                  + " if the other writer's data should go too"
              : "it did not exist before the run; check its history (lagoa table history "
                  + identifier
                  + ") and drop it if the other writer's data should go too";
      throw new RestoreException(
          identifier
              + " was left as it is: snapshots "
              + foreign
              + " were committed by another"
              + " writer during the run, and putting the table back would lose them; "
              + advice);
    }
    if (metadata.isEmpty()) {
      catalog.dropTable(identifier, true);
      return "dropped " + identifier + ", which the failed run had created";
    }
    TableMetadata previous = metadata.get();
    if (current.metadataFileLocation() != null
        && current.metadataFileLocation().equals(previous.metadataFileLocation())) {
      return "";
    }
    operations.commit(current, previous);
    return "restored "
        + identifier
        + " to snapshot "
        + (snapshotId().isPresent() ? Long.toString(snapshotId().getAsLong()) : "(none)");
  }

  /**
   * Takes a run's appends back out of the table: {@link #restore} when nobody else committed since;
   * otherwise, when each of the run's snapshots only appended data files, one commit that deletes
   * exactly those files and keeps everything the others committed. For the quarantine commits of a
   * batch that lost its target's commit: their rows must go even when another run has quarantined
   * more since (that run read the same records again and quarantined them itself).
   *
   * @param written ids of the snapshots the run committed to this table
   * @return what was done, for the run's report
   * @throws RestoreException when neither is possible (a snapshot of the run that did more than
   *     append, or its files rewritten since by a compaction)
   */
  public String withdraw(Catalog catalog, Set<Long> written) {
    try {
      return restore(catalog, written);
    } catch (RestoreException e) {
      Table table = catalog.loadTable(identifier);
      table.refresh();
      List<DataFile> appended = new ArrayList<>();
      for (long id : written) {
        Snapshot snapshot = table.snapshot(id);
        if (snapshot == null) {
          continue; // not in the table any more (expired, or put back by someone)
        }
        if (!DataOperations.APPEND.equals(snapshot.operation())) {
          throw e;
        }
        snapshot.addedDataFiles(table.io()).forEach(appended::add);
      }
      if (appended.isEmpty()) {
        return "";
      }
      DeleteFiles delete = table.newDelete().validateFilesExist();
      appended.forEach(delete::deleteFile);
      delete.set(
          PipelineCommits.WITHDRAWS,
          written.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")));
      try {
        delete.commit();
      } catch (RuntimeException failed) {
        e.addSuppressed(failed);
        throw e;
      }
      return "deleted the "
          + appended.size()
          + " data file(s) the run had appended to "
          + identifier
          + "; the commits of other writers since are kept";
    }
  }

  /**
   * The state a table had when its metadata was the file at {@code location} (empty: the table did
   * not exist): how a run noted in a {@link RunJournal} is put back by the next one.
   */
  public static TableState at(
      Catalog catalog, TableIdentifier identifier, Optional<String> location) {
    if (location.isEmpty()) {
      return new TableState(identifier, Optional.empty());
    }
    Table table = catalog.loadTable(identifier);
    return new TableState(
        identifier, Optional.of(TableMetadataParser.read(table.io(), location.get())));
  }

  /** Why a table could not be put back; the message says what to do instead. */
  public static final class RestoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RestoreException(String message) {
      super(message);
    }
  }

  private static TableOperations operations(Table table) {
    if (table instanceof HasTableOperations hasOperations) {
      return hasOperations.operations();
    }
    throw new IllegalStateException(
        "cannot capture the state of " + table.name() + ": it is not a catalog table");
  }
}

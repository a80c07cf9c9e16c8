package io.lagoa.pipeline;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * A table's state before a pipeline run wrote it, so a failed run can put it back exactly:
 * snapshot, schema, partitioning and properties. A table the run created is dropped again.
 *
 * <p>Restoring commits the earlier metadata as the table's new current metadata: one atomic
 * catalog commit. Iceberg's {@code setCurrentSnapshot} would bring back the rows but not a schema
 * or partitioning that the run's replace changed, so the metadata is restored as a whole. The data
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
      throw new IllegalStateException(
          "cannot restore " + identifier + ": snapshots " + foreign + " were committed by another"
              + " writer during the run; restore it by hand with lagoa table rollback "
              + identifier + " " + snapshotId().orElse(-1));
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
    return "restored " + identifier + " to snapshot "
        + (snapshotId().isPresent() ? Long.toString(snapshotId().getAsLong()) : "(none)");
  }

  private static TableOperations operations(Table table) {
    if (table instanceof HasTableOperations hasOperations) {
      return hasOperations.operations();
    }
    throw new IllegalStateException(
        "cannot capture the state of " + table.name() + ": it is not a catalog table");
  }
}

package io.lagoa.server.rest;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.MetadataUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.UpdateRequirement;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.rest.requests.CommitTransactionRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multi-table commit: every table's requirements are checked and its new metadata built before
 * any table changes; then the tables are swapped one by one, and if one swap fails, the tables
 * already swapped are put back to the metadata they had, so the commit lands whole or not at all
 * for every reader that does not look between the swaps.
 */
final class TransactionCommit {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionCommit.class);

  private final Catalog catalog;

  TransactionCommit(Catalog catalog) {
    this.catalog = catalog;
  }

  private record Staged(
      String table, TableOperations operations, TableMetadata base, TableMetadata updated) {}

  void commit(CommitTransactionRequest request) {
    List<Staged> staged = new ArrayList<>();
    for (UpdateTableRequest change : request.tableChanges()) {
      Table table = catalog.loadTable(change.identifier());
      if (!(table instanceof HasTableOperations hasOperations)) {
        throw new IllegalStateException(
            "Cannot commit to " + change.identifier() + ": the catalog gives no table operations");
      }
      TableOperations operations = hasOperations.operations();
      TableMetadata base = operations.current();
      for (UpdateRequirement requirement : change.requirements()) {
        requirement.validate(base);
      }
      TableMetadata.Builder builder = TableMetadata.buildFrom(base);
      for (MetadataUpdate update : change.updates()) {
        update.applyTo(builder);
      }
      staged.add(new Staged(change.identifier().toString(), operations, base, builder.build()));
    }
    List<Staged> done = new ArrayList<>();
    for (Staged table : staged) {
      try {
        table.operations().commit(table.base(), table.updated());
        done.add(table);
      } catch (CommitStateUnknownException e) {
        throw e;
      } catch (RuntimeException e) {
        undo(done);
        if (e instanceof CommitFailedException) {
          throw e;
        }
        throw new CommitFailedException(
            e,
            "Cannot commit the transaction: %s failed (%s); no table was changed",
            table.table(),
            e.getMessage());
      }
    }
  }

  private static void undo(List<Staged> done) {
    for (Staged table : done) {
      try {
        TableMetadata current = table.operations().refresh();
        table
            .operations()
            .commit(current, TableMetadata.buildFrom(table.base()).discardChanges().build());
      } catch (RuntimeException e) {
        LOG.error(
            "Cannot put back {} after a failed transaction; it keeps the transaction's change",
            table.table(),
            e);
        throw new CommitStateUnknownException(e);
      }
    }
  }
}

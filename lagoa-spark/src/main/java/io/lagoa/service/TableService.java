package io.lagoa.service;

import io.lagoa.result.QueryResult;
import io.lagoa.spark.ChangeFeed;
import io.lagoa.table.ChangeRange;
import io.lagoa.table.PointInTime;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.TableDescription;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableSummary;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Tables of one lakehouse: list, inspect, history, rollback and change feeds. Everything but {@link
 * #changes} works on metadata through the Iceberg API and does not start the engine.
 */
public final class TableService {
  private final Lakehouse lakehouse;

  public TableService(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** Every table, or those in a namespace and the ones below it, with their sizes. */
  public List<TableSummary> list(Optional<Namespace> under) {
    return inspector().list(under);
  }

  /** Schema, partitioning, properties and current snapshot of a table. */
  public TableDescription describe(TableIdentifier table) {
    return inspector().describe(table);
  }

  /** The table's snapshots, oldest first. */
  public List<SnapshotEntry> history(TableIdentifier table) {
    return inspector().history(table);
  }

  /** Makes the snapshot current at {@code target} the table's current one again. */
  public TableInspector.RollbackResult rollback(TableIdentifier table, PointInTime target) {
    return inspector().rollback(table, target);
  }

  /**
   * The commits a change feed of the table reads, resolved and checked from metadata (no engine).
   *
   * @param keys the columns that identify a row; empty for the table's identifier fields
   */
  public ChangeRange changeRange(
      TableIdentifier table, PointInTime from, Optional<PointInTime> to, List<String> keys) {
    return inspector().changeRange(table, from, to, keys);
  }

  /** The changed rows of a range, at most {@code maxRows} of them; starts the engine. */
  public QueryResult changes(ChangeRange range, int maxRows) {
    if (maxRows < 0) {
      throw new IllegalArgumentException(
          "Cannot read changes: maxRows must be 0 or more: " + maxRows);
    }
    return new ChangeFeed(lakehouse.session()).read(range, maxRows);
  }

  private TableInspector inspector() {
    return new TableInspector(lakehouse.catalog());
  }
}

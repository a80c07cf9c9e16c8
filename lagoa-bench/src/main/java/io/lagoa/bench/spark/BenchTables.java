package io.lagoa.bench.spark;

import io.lagoa.bench.MissingBenchTableException;
import io.lagoa.bench.Suite;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.table.TableNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The benchmark's tables in the user's lakehouse. Generators only ever replace tables they made
 * themselves (marked {@code lagoa.bench=true}); any other table with the name stops them first.
 */
public final class BenchTables {
  /** The table property that marks a table as the benchmark's own. */
  public static final String OWNER_PROPERTY = "lagoa.bench";

  /** How a conflict's message ends; an adapter may add how to choose the namespace. */
  public static final String OTHER_NAMESPACE = "Use another namespace.";

  private BenchTables() {}

  public static TableIdentifier identifier(String table) {
    return TableNames.parse(table);
  }

  /** The table if it exists. */
  public static Optional<Table> load(Catalog catalog, String table) {
    TableIdentifier id = identifier(table);
    return catalog.tableExists(id) ? Optional.of(catalog.loadTable(id)) : Optional.empty();
  }

  /** Fails, touching nothing, when the table exists and is not the benchmark's own. */
  public static void checkOwnership(Catalog catalog, String table, String command) {
    Optional<Table> existing = load(catalog, table);
    if (existing.isPresent() && !"true".equals(existing.get().properties().get(OWNER_PROPERTY))) {
      throw new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          "cannot "
              + command
              + ": "
              + table
              + " already exists and was not made by lagoa bench (no "
              + OWNER_PROPERTY
              + "=true property); nothing was changed. "
              + OTHER_NAMESPACE);
    }
  }

  /** The table, or an error saying which suite to generate into which namespace. */
  public static Table require(Catalog catalog, String table, Suite suite, String namespace) {
    return load(catalog, table)
        .orElseThrow(() -> new MissingBenchTableException(table, suite, namespace));
  }

  /** Rows, files and bytes on disk of a table's current snapshot, from its summary. */
  public static Map<String, String> describe(Table table) {
    Map<String, String> description = new LinkedHashMap<>();
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot != null) {
      Map<String, String> summary = snapshot.summary();
      description.put("rows", summary.getOrDefault("total-records", "?"));
      description.put("data_files", summary.getOrDefault("total-data-files", "?"));
      description.put("bytes", summary.getOrDefault("total-files-size", "?"));
      description.put("snapshot", Long.toString(snapshot.snapshotId()));
    }
    description.put("partitioning", table.spec().toString().replaceAll("\\s+", " "));
    return description;
  }

  /** Total size in bytes of the table's data files, or 0 when it has no snapshot. */
  public static long bytes(Table table) {
    Snapshot snapshot = table.currentSnapshot();
    return snapshot == null
        ? 0
        : Long.parseLong(snapshot.summary().getOrDefault("total-files-size", "0"));
  }

  public static long rows(Table table) {
    Snapshot snapshot = table.currentSnapshot();
    return snapshot == null
        ? 0
        : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
  }
}

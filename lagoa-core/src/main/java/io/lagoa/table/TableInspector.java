package io.lagoa.table;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SortField;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Reads table state straight from the Iceberg catalog, without starting an engine: listing,
 * schema and layout, history, and rollback. Fast enough for a CLI to answer in about a second.
 */
public final class TableInspector {
  private final Catalog catalog;

  public TableInspector(Catalog catalog) {
    this.catalog = catalog;
  }

  /** Every table in the namespace and the ones below it, or in the whole catalog. */
  public List<TableSummary> list(Optional<Namespace> under) {
    List<TableIdentifier> identifiers = new ArrayList<>();
    collect(under.orElse(Namespace.empty()), identifiers);
    identifiers.sort(Comparator.comparing(TableIdentifier::toString));
    List<TableSummary> summaries = new ArrayList<>();
    for (TableIdentifier identifier : identifiers) {
      Table table;
      try {
        table = catalog.loadTable(identifier);
      } catch (NoSuchTableException e) {
        continue; // dropped while we were listing
      }
      Snapshot current = table.currentSnapshot();
      Map<String, String> summary = current == null ? Map.of() : current.summary();
      summaries.add(
          new TableSummary(
              identifier.toString(),
              number(summary, "total-records"),
              number(summary, "total-data-files"),
              number(summary, "total-files-size"),
              sizeOf(table.snapshots()),
              lastUpdated(table)));
    }
    return summaries;
  }

  private void collect(Namespace namespace, List<TableIdentifier> into) {
    if (!(catalog instanceof SupportsNamespaces namespaces)) {
      into.addAll(catalog.listTables(namespace));
      return;
    }
    try {
      if (!namespace.isEmpty()) {
        into.addAll(catalog.listTables(namespace));
      }
      for (Namespace child : namespaces.listNamespaces(namespace)) {
        collect(child, into);
      }
    } catch (NoSuchNamespaceException e) {
      throw new LagoaException(
          ErrorCode.TABLE_NOT_FOUND, "namespace " + namespace + " does not exist");
    }
  }

  public TableDescription describe(TableIdentifier identifier) {
    Table table = load(identifier);
    Schema schema = table.schema();
    List<ColumnInfo> columns = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      addColumn(field, "", columns);
    }
    Set<String> identifierColumns = new HashSet<>();
    for (Integer id : schema.identifierFieldIds()) {
      identifierColumns.add(schema.findColumnName(id));
    }
    Snapshot current = table.currentSnapshot();
    Map<String, String> summary = current == null ? Map.of() : current.summary();
    return new TableDescription(
        identifier.toString(),
        table.location(),
        formatVersion(table),
        columns,
        identifierColumns.stream().sorted().toList(),
        describe(table.spec(), schema),
        describe(table.sortOrder(), schema),
        new TreeMap<>(table.properties()),
        Optional.ofNullable(current).map(snapshot -> entry(table, snapshot, ancestorIds(table))),
        sizeOf(table.snapshots()),
        number(summary, "total-records"),
        number(summary, "total-data-files"),
        number(summary, "total-delete-files"),
        number(summary, "total-files-size"),
        lastUpdated(table));
  }

  /** Snapshots newest first, marking the current one and those a rollback left behind. */
  public List<SnapshotEntry> history(TableIdentifier identifier) {
    Table table = load(identifier);
    Set<Long> lineage = ancestorIds(table);
    List<SnapshotEntry> entries = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      entries.add(entry(table, snapshot, lineage));
    }
    entries.sort(
        Comparator.comparing(SnapshotEntry::committedAt)
            .thenComparingLong(SnapshotEntry::snapshotId)
            .reversed());
    return entries;
  }

  /**
   * Makes an earlier state current again. A snapshot id may also be one a previous rollback left
   * behind, which is how a rollback is undone. A time picks the last state before that time.
   */
  public RollbackResult rollback(TableIdentifier identifier, PointInTime target) {
    Table table = load(identifier);
    Snapshot before = table.currentSnapshot();
    if (before == null) {
      throw new LagoaException(
          ErrorCode.SNAPSHOT_NOT_FOUND, "cannot roll back " + identifier + ": it has no snapshots yet");
    }
    long targetId;
    if (target.isSnapshot()) {
      targetId = target.snapshotId().getAsLong();
      if (table.snapshot(targetId) == null) {
        throw new LagoaException(
            ErrorCode.SNAPSHOT_NOT_FOUND,
            "cannot roll back " + identifier + ": it has no snapshot " + targetId
                + " (see lagoa table history " + identifier + ")");
      }
    } else {
      Instant time = target.time().get();
      Snapshot atTime = snapshotAt(table, time);
      if (atTime == null) {
        throw new LagoaException(
            ErrorCode.SNAPSHOT_NOT_FOUND,
            "cannot roll back " + identifier + " to " + time + ": the table's history starts at "
                + Instant.ofEpochMilli(SnapshotUtil.oldestAncestor(table).timestampMillis()));
      }
      targetId = atTime.snapshotId();
    }
    if (targetId != before.snapshotId()) {
      // setCurrentSnapshot also accepts snapshots outside the current lineage (undoing a rollback).
      table.manageSnapshots().setCurrentSnapshot(targetId).commit();
    }
    return new RollbackResult(identifier.toString(), before.snapshotId(), targetId);
  }

  /** The snapshot that was current at a time, following the current lineage. */
  public static Snapshot snapshotAt(Table table, Instant time) {
    Snapshot found = null;
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (snapshot.timestampMillis() <= time.toEpochMilli()) {
        found = snapshot;
        break;
      }
    }
    return found;
  }

  public Table load(TableIdentifier identifier) {
    try {
      return catalog.loadTable(identifier);
    } catch (NoSuchTableException e) {
      throw new LagoaException(
          ErrorCode.TABLE_NOT_FOUND,
          "table " + identifier + " does not exist (lagoa tables lists the tables there are)");
    }
  }

  private static SnapshotEntry entry(Table table, Snapshot snapshot, Set<Long> lineage) {
    Snapshot current = table.currentSnapshot();
    return new SnapshotEntry(
        snapshot.snapshotId(),
        snapshot.parentId() == null ? OptionalLong.empty() : OptionalLong.of(snapshot.parentId()),
        Instant.ofEpochMilli(snapshot.timestampMillis()),
        snapshot.operation() == null ? "" : snapshot.operation(),
        current != null && current.snapshotId() == snapshot.snapshotId(),
        lineage.contains(snapshot.snapshotId()),
        snapshot.summary() == null ? Map.of() : Map.copyOf(snapshot.summary()));
  }

  private static Set<Long> ancestorIds(Table table) {
    Set<Long> ids = new HashSet<>();
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      ids.add(snapshot.snapshotId());
    }
    return ids;
  }

  private static void addColumn(Types.NestedField field, String prefix, List<ColumnInfo> into) {
    String name = prefix + field.name();
    into.add(
        new ColumnInfo(
            field.fieldId(), name, field.type().toString(), field.isRequired(), field.doc()));
    Type type = field.type();
    if (type.isStructType()) {
      for (Types.NestedField child : type.asStructType().fields()) {
        addColumn(child, name + ".", into);
      }
    }
  }

  /** Renders a partition spec the way it is written in SQL: {@code days(ts), bucket(16, id)}. */
  public static String describe(PartitionSpec spec, Schema schema) {
    if (spec.isUnpartitioned()) {
      return "unpartitioned";
    }
    return spec.fields().stream()
        .map(field -> transform(field.transform().toString(), schema.findColumnName(field.sourceId())))
        .collect(Collectors.joining(", "));
  }

  public static String describe(SortOrder order, Schema schema) {
    if (order.isUnsorted()) {
      return "unsorted";
    }
    List<String> parts = new ArrayList<>();
    for (SortField field : order.fields()) {
      parts.add(
          transform(field.transform().toString(), schema.findColumnName(field.sourceId()))
              + " " + field.direction() + " " + field.nullOrder().toString().replace('_', ' '));
    }
    return String.join(", ", parts);
  }

  static String transform(String transform, String column) {
    if (transform.equals("identity")) {
      return column;
    }
    if (transform.matches("(year|month|day|hour)")) {
      return transform + "s(" + column + ")";
    }
    int bracket = transform.indexOf('[');
    if (bracket > 0 && transform.endsWith("]")) {
      return transform.substring(0, bracket) + "(" + transform.substring(bracket + 1, transform.length() - 1)
          + ", " + column + ")";
    }
    return transform + "(" + column + ")";
  }

  private static int formatVersion(Table table) {
    if (table instanceof HasTableOperations operations) {
      return operations.operations().current().formatVersion();
    }
    return 0;
  }

  private static Optional<Instant> lastUpdated(Table table) {
    if (table instanceof HasTableOperations operations) {
      return Optional.of(Instant.ofEpochMilli(operations.operations().current().lastUpdatedMillis()));
    }
    return Optional.ofNullable(table.currentSnapshot())
        .map(snapshot -> Instant.ofEpochMilli(snapshot.timestampMillis()));
  }

  private static long number(Map<String, String> summary, String key) {
    String value = summary.get(key);
    return value == null ? 0L : Long.parseLong(value);
  }

  private static int sizeOf(Iterable<?> items) {
    int count = 0;
    for (Object ignored : items) {
      count++;
    }
    return count;
  }

  /** What a rollback changed. */
  public record RollbackResult(String table, long fromSnapshotId, long toSnapshotId) {
    public boolean changed() {
      return fromSnapshotId != toSnapshotId;
    }
  }

}

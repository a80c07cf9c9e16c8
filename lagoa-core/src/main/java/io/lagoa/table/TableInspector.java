package io.lagoa.table;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataOperations;
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
 * Reads table state straight from the Iceberg catalog, without starting an engine: listing, schema
 * and layout, history, and rollback. Fast enough for a CLI to answer in about a second.
 */
public final class TableInspector {
  /**
   * How messages about a change range ({@link #changeRange}'s, the change feed's) name what the
   * caller chose: the range's start and end, the key columns. An adapter may put its own names for
   * them in their place (the CLI's {@code --from}, {@code --to} and {@code --key}).
   */
  public static final String RANGE_START = "the range's start";

  /** See {@link #RANGE_START}. */
  public static final String RANGE_END = "the range's end";

  /** See {@link #RANGE_START}; followed by the column's name. */
  public static final String KEY_COLUMN = "key column";

  /** See {@link #RANGE_START}; what to do when the change feed needs another key. */
  public static final String CHOOSE_KEY = "name the key columns that identify one row";

  private final Catalog catalog;

  public TableInspector(Catalog catalog) {
    this.catalog = catalog;
  }

  /** Every table in the namespace and the ones below it, or in the whole catalog. */
  public List<TableSummary> list(Optional<Namespace> under) {
    Set<TableIdentifier> found = new LinkedHashSet<>();
    collect(under.orElse(Namespace.empty()), found);
    List<TableIdentifier> identifiers = new ArrayList<>(found);
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

  private void collect(Namespace namespace, Set<TableIdentifier> into) {
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
          ErrorCode.TABLE_NOT_FOUND,
          "namespace " + namespace + " does not exist (lagoa tables lists every table there is)");
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
        Optional.ofNullable(current).map(snapshot -> entry(snapshot, SnapshotStatuses.of(table))),
        sizeOf(table.snapshots()),
        number(summary, "total-records"),
        number(summary, "total-data-files"),
        number(summary, "total-delete-files"),
        number(summary, "total-files-size"),
        lastUpdated(table));
  }

  /**
   * Snapshots newest first, marking the current one, its ancestors, and those that left the current
   * history by a rollback or because the table was replaced.
   */
  public List<SnapshotEntry> history(TableIdentifier identifier) {
    Table table = load(identifier);
    Map<Long, SnapshotStatus> statuses = SnapshotStatuses.of(table);
    List<SnapshotEntry> entries = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      entries.add(entry(snapshot, statuses));
    }
    entries.sort(
        Comparator.comparing(SnapshotEntry::committedAt)
            .thenComparingLong(SnapshotEntry::snapshotId)
            .reversed());
    return entries;
  }

  /**
   * Makes an earlier state current again. A snapshot id may also be one a previous rollback left
   * behind, which is how a rollback is undone. A time picks the state the table was in at that
   * time, following the current history.
   */
  public RollbackResult rollback(TableIdentifier identifier, PointInTime target) {
    Table table = load(identifier);
    Snapshot before = table.currentSnapshot();
    if (before == null) {
      throw new LagoaException(
          ErrorCode.SNAPSHOT_NOT_FOUND,
          "cannot roll back " + identifier + ": it has no snapshots yet");
    }
    Snapshot after;
    if (target.isSnapshot()) {
      long targetId = target.snapshotId().getAsLong();
      after = table.snapshot(targetId);
      if (after == null) {
        throw new LagoaException(
            ErrorCode.SNAPSHOT_NOT_FOUND,
            "cannot roll back "
                + identifier
                + ": it has no snapshot "
                + targetId
                + " (lagoa table history "
                + identifier
                + " lists its snapshots)");
      }
    } else {
      Instant time = target.time().get();
      after = snapshotAt(table, time);
      if (after == null) {
        throw new LagoaException(
            ErrorCode.SNAPSHOT_NOT_FOUND,
            "cannot roll back "
                + identifier
                + " to "
                + time
                + ": that is before its history,"
                + " which starts at "
                + Instant.ofEpochMilli(SnapshotUtil.oldestAncestor(table).timestampMillis())
                + " (lagoa table history "
                + identifier
                + " lists its snapshots)");
      }
    }
    if (after.snapshotId() != before.snapshotId()) {
      // setCurrentSnapshot also accepts snapshots outside the current lineage (undoing a rollback),
      // which rollbackTo would refuse.
      table.manageSnapshots().setCurrentSnapshot(after.snapshotId()).commit();
      table.refresh();
    }
    Map<Long, SnapshotStatus> statuses = SnapshotStatuses.of(table);
    return new RollbackResult(
        identifier.toString(), entry(before, statuses), entry(after, statuses));
  }

  /**
   * Resolves the commits a change feed reads. {@code from} and {@code to} are both inclusive: a
   * snapshot id includes the changes that snapshot committed, a time includes changes committed at
   * that millisecond. Without {@code to}, the range ends at the current snapshot.
   *
   * @param keys the columns that identify a row; empty to use the table's identifier fields
   */
  public ChangeRange changeRange(
      TableIdentifier identifier, PointInTime from, Optional<PointInTime> to, List<String> keys) {
    Table table = load(identifier);
    String action = "cannot read the changes of " + identifier;
    List<String> keyColumns = keyColumns(table, action, keys);
    boolean keyFromTable = keys.isEmpty() && !keyColumns.isEmpty();
    if (!from.isSnapshot()
        && to.isPresent()
        && !to.get().isSnapshot()
        && from.time().get().isAfter(to.get().time().get())) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          action
              + ": "
              + RANGE_START
              + " "
              + from.time().get()
              + " is after "
              + RANGE_END
              + " "
              + to.get().time().get());
    }
    Snapshot fromSnapshot =
        from.isSnapshot() ? requireSnapshot(table, identifier, action, from, RANGE_START) : null;
    Snapshot end;
    if (to.isEmpty()) {
      end = table.currentSnapshot();
    } else if (to.get().isSnapshot()) {
      end = requireSnapshot(table, identifier, action, to.get(), RANGE_END);
    } else {
      end = snapshotAt(table, to.get().time().get());
    }
    if (end == null) {
      // No snapshot yet, or the end is before the first commit: nothing to read, unless the start
      // names a snapshot, which then is after the end.
      if (fromSnapshot != null) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            action
                + ": "
                + RANGE_START
                + " snapshot "
                + fromSnapshot.snapshotId()
                + " was committed after "
                + RANGE_END
                + " "
                + to.map(PointInTime::toString).orElse("the current state"));
      }
      return new ChangeRange(
          identifier.toString(),
          List.of(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          keyColumns,
          keyFromTable);
    }
    // The history leading to the end, newest first.
    List<Snapshot> lineage = new ArrayList<>();
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(end.snapshotId(), table::snapshot)) {
      lineage.add(snapshot);
    }
    List<Snapshot> range = new ArrayList<>();
    if (fromSnapshot != null) {
      int index = -1;
      for (int i = 0; i < lineage.size(); i++) {
        if (lineage.get(i).snapshotId() == fromSnapshot.snapshotId()) {
          index = i;
          break;
        }
      }
      if (index < 0) {
        throw notInLineage(table, action, fromSnapshot, end, identifier);
      }
      range.addAll(lineage.subList(0, index + 1));
    } else {
      long startMillis = from.time().get().toEpochMilli();
      for (Snapshot snapshot : lineage) {
        if (snapshot.timestampMillis() < startMillis) {
          break;
        }
        range.add(snapshot);
      }
    }
    Collections.reverse(range);
    if (range.isEmpty()) {
      return new ChangeRange(
          identifier.toString(),
          List.of(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          keyColumns,
          keyFromTable);
    }
    requireNoDeleteFiles(table, action, range, identifier);
    Long parentId = range.get(0).parentId();
    OptionalLong startExclusive =
        parentId != null && table.snapshot(parentId) != null
            ? OptionalLong.of(parentId)
            : OptionalLong.empty(); // the first snapshot, or its parent was expired
    Map<Long, SnapshotStatus> statuses = SnapshotStatuses.of(table);
    List<SnapshotEntry> entries = new ArrayList<>();
    for (Snapshot snapshot : range) {
      entries.add(entry(snapshot, statuses));
    }
    return new ChangeRange(
        identifier.toString(),
        entries,
        startExclusive,
        OptionalLong.of(end.snapshotId()),
        keyColumns,
        keyFromTable);
  }

  private static Snapshot requireSnapshot(
      Table table, TableIdentifier identifier, String action, PointInTime point, String option) {
    long id = point.snapshotId().getAsLong();
    Snapshot snapshot = table.snapshot(id);
    if (snapshot == null) {
      throw new LagoaException(
          ErrorCode.SNAPSHOT_NOT_FOUND,
          action
              + ": it has no snapshot "
              + id
              + " ("
              + option
              + "); lagoa table history "
              + identifier
              + " lists its snapshots");
    }
    return snapshot;
  }

  private static LagoaException notInLineage(
      Table table, String action, Snapshot from, Snapshot end, TableIdentifier identifier) {
    SnapshotStatus status =
        SnapshotStatuses.of(table).getOrDefault(from.snapshotId(), SnapshotStatus.ROLLED_BACK);
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(from.snapshotId(), table::snapshot)) {
      if (snapshot.snapshotId() == end.snapshotId()) {
        return new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            action
                + ": "
                + RANGE_START
                + " snapshot "
                + from.snapshotId()
                + " was committed after "
                + RANGE_END
                + " snapshot "
                + end.snapshotId());
      }
    }
    return new LagoaException(
        ErrorCode.SNAPSHOT_NOT_FOUND,
        action
            + ": snapshot "
            + from.snapshotId()
            + " ("
            + RANGE_START
            + ") is not in the history that leads to"
            + " snapshot "
            + end.snapshotId()
            + switch (status) {
              case ROLLED_BACK -> " (a rollback left it behind)";
              case REPLACED -> " (the table was replaced after it)";
              default -> "";
            }
            + "; lagoa table history "
            + identifier
            + " shows which snapshots are");
  }

  /**
   * Iceberg 1.12's changelog scan refuses any commit whose table state holds delete files (written
   * by merge-on-read DELETE, UPDATE and MERGE); saying so up front names the commit and the fix.
   */
  private static void requireNoDeleteFiles(
      Table table, String action, List<Snapshot> range, TableIdentifier identifier) {
    for (Snapshot snapshot : range) {
      if (DataOperations.REPLACE.equals(snapshot.operation())) {
        continue; // compactions are skipped by the changelog scan
      }
      if (!snapshot.deleteManifests(table.io()).isEmpty()) {
        String copyOnWrite = "'copy-on-write'";
        throw new LagoaException(
            ErrorCode.TABLE_CONFLICT,
            action
                + ": at snapshot "
                + snapshot.snapshotId()
                + " ("
                + snapshot.operation()
                + ", "
                + Instant.ofEpochMilli(snapshot.timestampMillis())
                + ") the table holds"
                + " merge-on-read delete files, which Iceberg's change feed cannot read yet."
                + " Read a range that ends before that snapshot, or switch the table to"
                + " copy-on-write and compact the delete files away; changes committed after"
                + " that can be read:\n  lagoa sql \"ALTER TABLE "
                + identifier
                + " SET TBLPROPERTIES ('write.delete.mode'="
                + copyOnWrite
                + ", 'write.update.mode'="
                + copyOnWrite
                + ", 'write.merge.mode'="
                + copyOnWrite
                + ")\"\n  lagoa sql \"CALL lagoa.system.rewrite_data_files(table => '"
                + identifier
                + "', options => map('delete-file-threshold', '1',"
                + " 'remove-dangling-deletes', 'true'))\"");
      }
    }
  }

  private static List<String> keyColumns(Table table, String action, List<String> keys) {
    Schema schema = table.schema();
    if (keys.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (Types.NestedField column : schema.columns()) {
        if (schema.identifierFieldIds().contains(column.fieldId())) {
          names.add(column.name());
        }
      }
      return names;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String key : keys) {
      Types.NestedField field = schema.caseInsensitiveFindField(key.strip());
      if (field == null) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            action
                + ": "
                + KEY_COLUMN
                + " "
                + key
                + " is not one of its columns ("
                + schema.columns().stream()
                    .map(Types.NestedField::name)
                    .collect(Collectors.joining(", "))
                + ")");
      }
      if (schema.asStruct().field(field.fieldId()) == null) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            action
                + ": "
                + KEY_COLUMN
                + " "
                + key
                + " is a nested field; a key must be made of top-level columns");
      }
      names.add(field.name());
    }
    return List.copyOf(names);
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

  private static SnapshotEntry entry(Snapshot snapshot, Map<Long, SnapshotStatus> statuses) {
    return new SnapshotEntry(
        snapshot.snapshotId(),
        snapshot.parentId() == null ? OptionalLong.empty() : OptionalLong.of(snapshot.parentId()),
        Instant.ofEpochMilli(snapshot.timestampMillis()),
        snapshot.operation() == null ? "" : snapshot.operation(),
        statuses.getOrDefault(snapshot.snapshotId(), SnapshotStatus.ROLLED_BACK),
        snapshot.summary() == null ? Map.of() : Map.copyOf(snapshot.summary()));
  }

  private static void addColumn(Types.NestedField field, String prefix, List<ColumnInfo> into) {
    String name = prefix + field.name();
    into.add(
        new ColumnInfo(
            field.fieldId(), name, typeName(field.type()), field.isRequired(), field.doc()));
    addNested(field.type(), name, into);
  }

  /**
   * Iceberg's type names, with struct fields left out: they follow as their own dotted rows, and
   * Iceberg's {@code struct<5: city: optional string>} is hard to read.
   */
  static String typeName(Type type) {
    if (type.isStructType()) {
      return "struct";
    }
    if (type.isListType()) {
      return "list<" + typeName(type.asListType().elementType()) + ">";
    }
    if (type.isMapType()) {
      return "map<"
          + typeName(type.asMapType().keyType())
          + ", "
          + typeName(type.asMapType().valueType())
          + ">";
    }
    return type.toString();
  }

  /** Fields inside structs, also within lists and maps, named the way Iceberg names them. */
  private static void addNested(Type type, String name, List<ColumnInfo> into) {
    if (type.isStructType()) {
      for (Types.NestedField child : type.asStructType().fields()) {
        addColumn(child, name + ".", into);
      }
    } else if (type.isListType()) {
      addNested(type.asListType().elementType(), name + ".element", into);
    } else if (type.isMapType()) {
      addNested(type.asMapType().keyType(), name + ".key", into);
      addNested(type.asMapType().valueType(), name + ".value", into);
    }
  }

  /** Renders a partition spec the way it is written in SQL: {@code days(ts), bucket(16, id)}. */
  public static String describe(PartitionSpec spec, Schema schema) {
    if (spec.isUnpartitioned()) {
      return "unpartitioned";
    }
    return spec.fields().stream()
        .map(
            field ->
                transform(field.transform().toString(), schema.findColumnName(field.sourceId())))
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
              + " "
              + field.direction()
              + " "
              + field.nullOrder().toString().replace('_', ' '));
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
      return transform.substring(0, bracket)
          + "("
          + transform.substring(bracket + 1, transform.length() - 1)
          + ", "
          + column
          + ")";
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
      return Optional.of(
          Instant.ofEpochMilli(operations.operations().current().lastUpdatedMillis()));
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

  /**
   * What a rollback changed.
   *
   * @param from the snapshot that was current before
   * @param to the snapshot that is current now
   */
  public record RollbackResult(String table, SnapshotEntry from, SnapshotEntry to) {
    public long fromSnapshotId() {
      return from.snapshotId();
    }

    public long toSnapshotId() {
      return to.snapshotId();
    }

    public boolean changed() {
      return from.snapshotId() != to.snapshotId();
    }
  }
}

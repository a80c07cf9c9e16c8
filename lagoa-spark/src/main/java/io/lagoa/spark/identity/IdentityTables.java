package io.lagoa.spark.identity;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.lagoa.identity.GraphEvent;
import io.lagoa.identity.IdentityStore;
import io.lagoa.identity.KeyKind;
import io.lagoa.identity.KeyRow;
import io.lagoa.identity.KeyStatus;
import io.lagoa.identity.MatchRules;
import io.lagoa.identity.Move;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.RecordRow;
import io.lagoa.identity.Resolution;
import io.lagoa.identity.SameAs;
import io.lagoa.table.TableNames;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Iceberg tables of one identity graph and how a {@link Resolution} is written to them: the
 * graph's own table (one row per source record and its person), {@code <graph>_keys} (the key
 * index), {@code <graph>_same_as} (merges), {@code <graph>_moves} (records a split moved to another
 * person) and {@code <graph>_audit}. It is also the graph's {@link IdentityStore}: each read joins
 * the few keys, records or persons asked for against a table.
 */
public final class IdentityTables implements IdentityStore {
  /** Table property naming the graph a table belongs to, and the one with its rules. */
  public static final String GRAPH_PROPERTY = "lagoa.identity.graph";

  public static final String RULES_PROPERTY = "lagoa.identity.rules";

  static final StructType RECORDS =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("record_id", DataTypes.StringType, false)
          .add("person_id", DataTypes.StringType, false)
          .add("name", DataTypes.StringType)
          .add("email", DataTypes.StringType)
          .add("phone", DataTypes.StringType)
          .add("document", DataTypes.StringType)
          .add("match_key", DataTypes.StringType)
          .add("matched_with", DataTypes.StringType)
          .add("match_rule", DataTypes.StringType)
          .add("loaded_at", DataTypes.TimestampType)
          .add("person_since", DataTypes.TimestampType);

  static final StructType KEYS =
      new StructType()
          .add("key", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, false)
          .add("person_id", DataTypes.StringType, false)
          .add("names", DataTypes.createArrayType(DataTypes.StringType))
          .add("records", DataTypes.LongType)
          .add("status", DataTypes.StringType)
          .add("person_since", DataTypes.TimestampType)
          .add("updated_at", DataTypes.TimestampType);

  static final StructType SAME_AS =
      new StructType()
          .add("merged_id", DataTypes.StringType, false)
          .add("survivor_id", DataTypes.StringType, false)
          .add("merged_at", DataTypes.TimestampType)
          .add("key", DataTypes.StringType)
          .add("reason", DataTypes.StringType)
          .add("run_id", DataTypes.StringType);

  static final StructType MOVES =
      new StructType()
          .add("source", DataTypes.StringType, false)
          .add("record_id", DataTypes.StringType, false)
          .add("person_id", DataTypes.StringType, false)
          .add("from_person_id", DataTypes.StringType, false)
          .add("moved_at", DataTypes.TimestampType)
          .add("reason", DataTypes.StringType)
          .add("run_id", DataTypes.StringType);

  static final StructType AUDIT =
      new StructType()
          .add("at", DataTypes.TimestampType)
          .add("run_id", DataTypes.StringType)
          .add("action", DataTypes.StringType)
          .add("person_id", DataTypes.StringType)
          .add("key", DataTypes.StringType)
          .add("detail", DataTypes.StringType);

  private final SparkSession spark;
  private final Catalog catalog;
  private final String graph;
  private final boolean empty;

  /**
   * @param graph the graph's table, {@code namespace.name}
   * @param empty read nothing of the stored tables (they are being built from nothing)
   */
  public IdentityTables(SparkSession spark, Catalog catalog, String graph, boolean empty) {
    this.spark = spark;
    this.catalog = catalog;
    this.graph = graph;
    this.empty = empty;
  }

  public String recordsTable() {
    return graph;
  }

  public String keysTable() {
    return graph + "_keys";
  }

  public String sameAsTable() {
    return graph + "_same_as";
  }

  public String movesTable() {
    return graph + "_moves";
  }

  public String auditTable() {
    return graph + "_audit";
  }

  /** Whether the graph's own table exists, with the property that says it is a graph. */
  public boolean exists() {
    return catalog.tableExists(TableNames.parse(graph));
  }

  private boolean readable(String table) {
    return !empty && catalog.tableExists(TableNames.parse(table));
  }

  // ------------------------------------------------------------------ reading

  @Override
  public List<KeyRow> keyRows(Collection<String> keys) {
    if (keys.isEmpty() || !readable(keysTable())) {
      return List.of();
    }
    Dataset<Row> wanted = strings(keys, "key");
    return spark.table(quoted(keysTable())).join(broadcast(wanted), "key").collectAsList().stream()
        .map(IdentityTables::keyRow)
        .toList();
  }

  @Override
  public List<KeyRow> keyRowsOfPersons(Collection<String> personIds) {
    if (personIds.isEmpty() || !readable(keysTable())) {
      return List.of();
    }
    Dataset<Row> wanted = strings(personIds, "person_id");
    return spark
        .table(quoted(keysTable()))
        .join(broadcast(wanted), "person_id")
        .collectAsList()
        .stream()
        .map(IdentityTables::keyRow)
        .toList();
  }

  @Override
  public Map<RecordRef, RecordRow> records(Collection<RecordRef> refs) {
    if (refs.isEmpty() || !readable(recordsTable())) {
      return Map.of();
    }
    List<Row> rows = new ArrayList<>();
    refs.forEach(ref -> rows.add(RowFactory.create(ref.source(), ref.recordId())));
    Dataset<Row> wanted =
        spark.createDataFrame(
            rows,
            new StructType()
                .add("source", DataTypes.StringType)
                .add("record_id", DataTypes.StringType));
    Map<RecordRef, RecordRow> found = new LinkedHashMap<>();
    for (Row row :
        spark
            .table(quoted(recordsTable()))
            .join(broadcast(wanted), new String[] {"source", "record_id"})
            .collectAsList()) {
      RecordRow record = recordRow(row);
      found.put(record.ref(), record);
    }
    return found;
  }

  @Override
  public List<RecordRow> recordsOfPersons(Collection<String> personIds) {
    if (personIds.isEmpty() || !readable(recordsTable())) {
      return List.of();
    }
    return spark
        .table(quoted(recordsTable()))
        .join(broadcast(strings(personIds, "person_id")), "person_id")
        .collectAsList()
        .stream()
        .map(IdentityTables::recordRow)
        .toList();
  }

  /** The records of a person, sorted by when they arrived. */
  public List<RecordRow> recordsOf(String personId) {
    return recordsOfPersons(List.of(personId)).stream()
        .sorted(java.util.Comparator.comparing(RecordRow::loadedAt).thenComparing(RecordRow::ref))
        .toList();
  }

  /** The persons holding a key (any status), e.g. {@code email:joao@x.com}. */
  public List<KeyRow> holders(String key) {
    return keyRows(List.of(key));
  }

  /** The merges into or out of a person. */
  public List<SameAs> sameAs(String personId) {
    if (!readable(sameAsTable())) {
      return List.of();
    }
    return spark
        .table(quoted(sameAsTable()))
        .where(col("merged_id").equalTo(personId).or(col("survivor_id").equalTo(personId)))
        .orderBy("merged_at")
        .collectAsList()
        .stream()
        .map(
            row ->
                new SameAs(
                    row.getString(row.fieldIndex("merged_id")),
                    row.getString(row.fieldIndex("survivor_id")),
                    instant(row, "merged_at"),
                    row.getString(row.fieldIndex("key")),
                    row.getString(row.fieldIndex("reason")),
                    row.getString(row.fieldIndex("run_id"))))
        .toList();
  }

  /** The audit events of a person, oldest first. */
  public List<GraphEvent> events(String personId) {
    if (!readable(auditTable())) {
      return List.of();
    }
    return spark
        .table(quoted(auditTable()))
        .where(col("person_id").equalTo(personId))
        .orderBy("at")
        .collectAsList()
        .stream()
        .map(
            row ->
                new GraphEvent(
                    instant(row, "at"),
                    row.getString(row.fieldIndex("run_id")),
                    GraphEvent.Action.valueOf(row.getString(row.fieldIndex("action"))),
                    row.getString(row.fieldIndex("person_id")),
                    row.getString(row.fieldIndex("key")),
                    row.getString(row.fieldIndex("detail"))))
        .toList();
  }

  private Dataset<Row> strings(Collection<String> values, String column) {
    List<Row> rows = new ArrayList<>(values.size());
    for (String value : new java.util.LinkedHashSet<>(values)) {
      rows.add(RowFactory.create(value));
    }
    return spark.createDataFrame(rows, new StructType().add(column, DataTypes.StringType));
  }

  static KeyRow keyRow(Row row) {
    List<String> names = row.getList(row.fieldIndex("names"));
    return new KeyRow(
        row.getString(row.fieldIndex("key")),
        row.getString(row.fieldIndex("person_id")),
        names == null ? List.of() : names,
        row.isNullAt(row.fieldIndex("records")) ? 0 : row.getLong(row.fieldIndex("records")),
        KeyStatus.valueOf(row.getString(row.fieldIndex("status"))),
        instant(row, "person_since"),
        instant(row, "updated_at"));
  }

  static RecordRow recordRow(Row row) {
    Map<KeyKind, String> keys = new EnumMap<>(KeyKind.class);
    for (KeyKind kind : KeyKind.values()) {
      String value = row.getString(row.fieldIndex(kind.column()));
      if (value != null) {
        keys.put(kind, value);
      }
    }
    return new RecordRow(
        new RecordRef(
            row.getString(row.fieldIndex("source")), row.getString(row.fieldIndex("record_id"))),
        row.getString(row.fieldIndex("person_id")),
        row.getString(row.fieldIndex("name")),
        keys,
        row.getString(row.fieldIndex("match_key")),
        row.getString(row.fieldIndex("matched_with")),
        row.getString(row.fieldIndex("match_rule")),
        instant(row, "loaded_at"),
        instant(row, "person_since"));
  }

  private static Instant instant(Row row, String column) {
    int index = row.fieldIndex(column);
    if (row.isNullAt(index)) {
      return null;
    }
    Object value = row.get(index);
    return value instanceof Timestamp timestamp ? timestamp.toInstant() : (Instant) value;
  }

  // ------------------------------------------------------------------ writing

  /** Commits one statement over a view of rows to one table (the pipeline's or the service's). */
  @FunctionalInterface
  public interface Committer {
    void commit(String table, Dataset<Row> rows, Function<String, String> statement);
  }

  /**
   * Writes a resolution's side tables: the key index, the merges, the moves and the audit, one
   * commit each (none when it has nothing for a table that exists). The graph's own table is
   * written by {@link #writeRecords}, last, so its commit (which carries the source positions) is
   * the run's end.
   *
   * @param rebuild replace the tables (a create or a full refresh) rather than update them
   */
  public void writeSideTables(
      Resolution resolution, MatchRules rules, boolean rebuild, Committer committer) {
    boolean keysExist = !rebuild && catalog.tableExists(TableNames.parse(keysTable()));
    List<Row> keyRows = new ArrayList<>();
    for (KeyRow row : resolution.keyUpserts()) {
      keyRows.add(keyRowOf(row, "upsert"));
    }
    for (KeyRow.Id id : resolution.keyDeletes()) {
      keyRows.add(
          RowFactory.create(
              id.key(),
              KeyKind.ofKey(id.key()).column(),
              id.personId(),
              null,
              null,
              null,
              null,
              null,
              "delete"));
    }
    if (!keysExist) {
      Dataset<Row> rows =
          spark.createDataFrame(
              resolution.keyUpserts().stream().map(row -> withoutOp(keyRowOf(row, null))).toList(),
              KEYS);
      committer.commit(keysTable(), rows, view -> create(keysTable(), view, rules, rebuild));
    } else if (!keyRows.isEmpty()) {
      Dataset<Row> rows = spark.createDataFrame(keyRows, KEYS.add("__op", DataTypes.StringType));
      committer.commit(
          keysTable(),
          rows,
          view ->
              "MERGE INTO "
                  + quoted(keysTable())
                  + " t USING "
                  + view
                  + " s ON t.key = s.key AND t.person_id = s.person_id"
                  + " WHEN MATCHED AND s.__op = 'delete' THEN DELETE"
                  + " WHEN MATCHED THEN UPDATE SET t.names = s.names, t.records = s.records,"
                  + " t.status = s.status, t.person_since = s.person_since,"
                  + " t.updated_at = s.updated_at"
                  + " WHEN NOT MATCHED AND s.__op = 'upsert' THEN INSERT (key, kind, person_id,"
                  + " names, records, status, person_since, updated_at) VALUES (s.key, s.kind,"
                  + " s.person_id, s.names, s.records, s.status, s.person_since, s.updated_at)");
    }
    List<Row> sameAs = new ArrayList<>();
    for (SameAs link : resolution.sameAs()) {
      sameAs.add(
          RowFactory.create(
              link.mergedId(),
              link.survivorId(),
              timestamp(link.mergedAt()),
              link.key(),
              link.reason(),
              link.runId()));
    }
    append(sameAsTable(), spark.createDataFrame(sameAs, SAME_AS), rules, rebuild, committer);
    List<Row> moves = new ArrayList<>();
    for (Move move : resolution.moves()) {
      moves.add(
          RowFactory.create(
              move.ref().source(),
              move.ref().recordId(),
              move.personId(),
              move.fromPersonId(),
              timestamp(move.movedAt()),
              move.reason(),
              move.runId()));
    }
    append(movesTable(), spark.createDataFrame(moves, MOVES), rules, rebuild, committer);
    List<Row> events = new ArrayList<>();
    for (GraphEvent event : resolution.events()) {
      events.add(
          RowFactory.create(
              timestamp(event.at()),
              event.runId(),
              event.action().name(),
              event.personId(),
              event.key(),
              event.detail()));
    }
    append(auditTable(), spark.createDataFrame(events, AUDIT), rules, rebuild, committer);
  }

  /** The graph's own table: the records upserted, or created from them. */
  public Dataset<Row> recordRows(Resolution resolution) {
    List<Row> rows = new ArrayList<>(resolution.records().size());
    for (RecordRow record : resolution.records()) {
      rows.add(
          RowFactory.create(
              record.ref().source(),
              record.ref().recordId(),
              record.personId(),
              record.name(),
              record.keys().get(KeyKind.EMAIL),
              record.keys().get(KeyKind.PHONE),
              record.keys().get(KeyKind.DOCUMENT),
              record.matchKey(),
              record.matchedWith(),
              record.matchRule(),
              timestamp(record.loadedAt()),
              timestamp(record.personSince())));
    }
    return spark.createDataFrame(rows, RECORDS);
  }

  /**
   * The statement that writes the record rows of {@code view} to the graph's own table.
   *
   * @param replace replace the table (a full refresh); otherwise create it when it does not exist
   */
  public String recordsStatement(String view, MatchRules rules, boolean replace) {
    if (replace || !exists()) {
      return create(recordsTable(), view, rules, replace);
    }
    return "MERGE INTO "
        + quoted(recordsTable())
        + " t USING "
        + view
        + " s ON t.source = s.source AND t.record_id = s.record_id"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *";
  }

  private void append(
      String table, Dataset<Row> rows, MatchRules rules, boolean rebuild, Committer committer) {
    boolean exists = !rebuild && catalog.tableExists(TableNames.parse(table));
    if (!exists) {
      committer.commit(table, rows, view -> create(table, view, rules, rebuild));
    } else if (!rows.isEmpty()) {
      committer.commit(
          table, rows, view -> "INSERT INTO " + quoted(table) + " SELECT * FROM " + view);
    }
  }

  private String create(String table, String view, MatchRules rules, boolean replace) {
    return (replace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ")
        + quoted(table)
        + " USING iceberg TBLPROPERTIES ("
        + literal(GRAPH_PROPERTY)
        + " = "
        + literal(graph)
        + ", "
        + literal(RULES_PROPERTY)
        + " = "
        + literal(rules.describe())
        + ") AS SELECT * FROM "
        + view;
  }

  private static Row keyRowOf(KeyRow row, String op) {
    return RowFactory.create(
        row.key(),
        row.kind().column(),
        row.personId(),
        row.names(),
        row.records(),
        row.status().name(),
        timestamp(row.personSince()),
        timestamp(row.updatedAt()),
        op);
  }

  private static Row withoutOp(Row row) {
    Object[] values = new Object[row.length() - 1];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return RowFactory.create(values);
  }

  private static Timestamp timestamp(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }

  static String quoted(String name) {
    StringBuilder quoted = new StringBuilder("lagoa");
    for (String part : name.split("\\.")) {
      quoted.append(".`").append(part.replace("`", "``")).append('`');
    }
    return quoted.toString();
  }

  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}

package io.lagoa.spark.pipeline;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.lagoa.error.Remedy;
import io.lagoa.pipeline.AutoCdc;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.spark.SparkSql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.sketch.BloomFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link WriteMode.ApplyChanges}: applies a batch of changes to an AUTO CDC table so that the
 * result depends only on the set of changes, never on the order or the number of times they
 * arrived: out-of-order, duplicated and replayed changes give the table in-order delivery gives.
 *
 * <p><b>SCD type 1</b> keeps the latest row of each key. Its companion table {@code
 * <target>_cdc_state} holds the last applied sequence value of every key, deleted keys too (the
 * tombstones, kept for {@value #TOMBSTONE_RETENTION_PROPERTY} seconds, two days by default), and
 * the sequence value of the last truncate. A change is applied only when it is newer than what the
 * state holds, so a late update older than a delete does not bring the row back. The state is a log
 * (a batch appends its keys' new rows; a key's latest row wins), so a batch never rewrites it
 * except when it compacts it, which also drops expired tombstones. A batch commits the state first
 * and then the target, both marked with the batch's number ({@value #BATCH_PROPERTY}); a process
 * killed between the two commits leaves the state one batch ahead, and the next batch first rolls
 * the state back to the target's batch, then reads the same changes again.
 *
 * <p><b>SCD type 2</b> keeps every version, with {@code __START_AT} (the sequence value of the
 * change that made it) and {@code __END_AT} (of the change that replaced or deleted it; null for
 * the current version). A batch rebuilds the history of the keys it touches from the versions
 * stored and the new changes, sorted by sequence, and commits the difference in one MERGE; a late
 * change lands in its place in the history. A new version starts only when a tracked column changes
 * ({@code TRACK HISTORY ON}); other changes update the version in place. Its change state keeps the
 * sequence values of the changes (for the tombstone retention): a delete that arrives before the
 * version it ends still ends it when that version comes, and a change a version absorbed starts a
 * version again when a late change splits that version before it.
 */
final class CdcWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CdcWriter.class);

  /** Snapshot summary key on the target's and the state's commits: the batch's number. */
  static final String BATCH_PROPERTY = PipelineCommits.CDC_BATCH;

  /** The target's table property that says how long tombstones are kept, as in Databricks. */
  static final String TOMBSTONE_RETENTION_PROPERTY = "pipelines.cdc.tombstoneGCThresholdInSeconds";

  static final Duration DEFAULT_TOMBSTONE_RETENTION = Duration.ofDays(2);

  /** Batches with more keys than this are joined without a key filter (see keyFilter). */
  static final long KEY_FILTER_MAX_KEYS = 5_000_000;

  /** SCD type 1: the fewest rows appended to the change state that make a batch compact it. */
  static final long STATE_COMPACTION_MIN_ROWS = 1_000;

  /** SCD type 1: the appends (files) after which a batch compacts the change state anyway. */
  static final long STATE_COMPACTION_FILES = 100;

  // on the state's appends: its rows and files at its last compaction
  private static final String STATE_BASE_RECORDS = "lagoa.cdc.state-base-records";
  private static final String STATE_BASE_FILES = "lagoa.cdc.state-base-files";

  /** SCD type 2: how often (in batches) the state's rows older than the retention are removed. */
  static final int EXPIRY_EVERY = 20;

  // columns of the prepared changes
  static final String SEQUENCE = "__lagoa_sequence";
  static final String DELETE = "__lagoa_delete";
  static final String TRUNCATE = "__lagoa_truncate";
  private static final String FRESH = "__lagoa_fresh";

  // columns of the state table
  static final String STATE_SEQUENCE = "__sequence";
  static final String STATE_DELETED = "__deleted";
  static final String STATE_TRUNCATE = "__truncate";
  static final String STATE_CHANGED_AT = "__changed_at";

  private final WriteMode.ApplyChanges mode;
  private final AutoCdc cdc;
  private final DatasetPlan plan;
  private final TableCommitter committer;
  private final SparkSession spark;
  private final Clock clock;
  private int views;
  private final List<String> functions = new ArrayList<>();

  /** What a batch did: the target's snapshot after it, and how many changes were applied. */
  record Outcome(OptionalLong snapshot, long applied) {}

  CdcWriter(WriteMode.ApplyChanges mode, DatasetPlan plan, TableCommitter committer, Clock clock) {
    this.mode = mode;
    this.cdc = mode.cdc();
    this.plan = plan;
    this.committer = committer;
    this.spark = committer.spark();
    this.clock = clock;
  }

  /**
   * Applies the changes.
   *
   * @param changes the batch's rows as the flow's source gives them
   * @param properties the snapshot summary of the target's commit (positions, run)
   * @param written where every snapshot this run committed is noted, for a restore
   */
  Outcome write(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> changes,
      Map<String, String> properties,
      Map<String, List<Long>> written,
      boolean addsColumns) {
    org.apache.spark.sql.Dataset<Row> events =
        (cdc.fromSnapshot()
                ? snapshotChanges(dataset, changes, properties)
                : prepare(dataset, changes))
            .localCheckpoint();
    requireSequence(dataset, events);
    boolean recordsInputs =
        properties.keySet().stream().anyMatch(key -> key.startsWith(PipelineCommits.INPUT_PREFIX));
    if (cdc.fromSnapshot() && mode.incremental() && !recordsInputs && events.isEmpty()) {
      // a folder's snapshot that equals the table: nothing to commit, no position to keep
      Table table = committer.catalog().loadTable(FlowExecutor.identifier(dataset.name()));
      table.refresh();
      return new Outcome(
          table.currentSnapshot() == null
              ? OptionalLong.empty()
              : OptionalLong.of(table.currentSnapshot().snapshotId()),
          0);
    }
    // a source that is a table (STREAM(bronze.changes)) does not say that it has new columns
    addsColumns |= mode.incremental() && lacksColumns(dataset.name(), dataColumns(events));
    long batch = (mode.incremental() ? recoverState(dataset) : lastBatch(dataset.name())) + 1;
    Map<String, String> targetProperties = new LinkedHashMap<>(properties);
    targetProperties.put(BATCH_PROPERTY, Long.toString(batch));
    List<String> temporary = new ArrayList<>();
    try {
      return cdc.scdType() == AutoCdc.ScdType.TYPE_1
          ? writeType1(dataset, events, targetProperties, written, addsColumns, temporary)
          : writeType2(dataset, events, targetProperties, written, addsColumns, temporary);
    } finally {
      temporary.forEach(view -> spark.catalog().dropTempView(view));
      functions.forEach(name -> spark.sql("DROP TEMPORARY FUNCTION IF EXISTS " + name));
      functions.clear();
    }
  }

  /** Checks the flow's columns and expressions against its source's result, writing nothing. */
  void check(Dataset dataset, org.apache.spark.sql.Dataset<Row> changes) {
    if (cdc.fromSnapshot()) {
      List<String> columns = dataColumns(dataset, List.of(changes.columns()));
      if (!cdc.sequenceBy().isEmpty()) {
        sequence(dataset, changes);
      }
      changes.select(columns.stream().map(this::column).toArray(Column[]::new)).schema();
    } else {
      prepare(dataset, changes).schema();
    }
  }

  /**
   * AUTO CDC FROM SNAPSHOT: the changes that turn the table's current rows into the source's full
   * snapshot: rows new or different are upserts, keys the snapshot no longer has are deletes; all
   * at the snapshot's sequence value (SEQUENCE BY, else the time the source's snapshot was
   * committed).
   */
  private org.apache.spark.sql.Dataset<Row> snapshotChanges(
      Dataset dataset, org.apache.spark.sql.Dataset<Row> snapshot, Map<String, String> properties) {
    List<String> columns = dataColumns(dataset, List.of(snapshot.columns()));
    Column sequence =
        cdc.sequenceBy().isEmpty()
            ? lit(java.sql.Timestamp.from(snapshotTime(properties)))
            : sequence(dataset, snapshot);
    org.apache.spark.sql.Dataset<Row> rows =
        snapshot.select(columns.stream().map(this::column).toArray(Column[]::new));
    Column[] keys = cdc.keys().stream().map(this::column).toArray(Column[]::new);
    List<Row> duplicates =
        rows.groupBy(keys).count().where(col("count").gt(1)).limit(1).collectAsList();
    if (!duplicates.isEmpty()) {
      throw new FlowException(
          cdc.position()
              + ": "
              + dataset.name()
              + ": the snapshot has several rows for one key ("
              + duplicates.get(0).toString()
              + " with its count); a snapshot must hold each key of KEYS ("
              + String.join(", ", cdc.keys())
              + ") once",
          null);
    }
    org.apache.spark.sql.Dataset<Row> withSequence =
        snapshot.select(
            java.util.stream.Stream.concat(
                    columns.stream().map(this::column),
                    java.util.stream.Stream.of(sequence.as(SEQUENCE)))
                .toArray(Column[]::new));
    if (!mode.incremental()) {
      return withSequence.withColumn(DELETE, lit(false)).withColumn(TRUNCATE, lit(false));
    }
    org.apache.spark.sql.Dataset<Row> table = spark.table(FlowExecutor.quoted(dataset.name()));
    if (cdc.scdType() == AutoCdc.ScdType.TYPE_2) {
      table = table.where(col(AutoCdc.END_AT).isNull());
    }
    StructType tableSchema = table.schema();
    List<Column> aligned = new ArrayList<>();
    for (String name : columns) {
      int index = indexOf(tableSchema, name);
      aligned.add(
          index >= 0
              ? col(FlowExecutor.quote(tableSchema.fieldNames()[index]))
                  .cast(rows.schema().apply(name).dataType())
                  .as(name)
              : lit(null).cast(rows.schema().apply(name).dataType()).as(name));
    }
    org.apache.spark.sql.Dataset<Row> current = table.select(aligned.toArray(Column[]::new));
    org.apache.spark.sql.Dataset<Row> changed =
        withSequence.join(rows.exceptAll(current).select(keys), joinKeys(), "left_semi");
    Column on = null;
    for (String key : cdc.keys()) {
      Column equal =
          current.col(FlowExecutor.quote(key)).eqNullSafe(rows.col(FlowExecutor.quote(key)));
      on = on == null ? equal : on.and(equal);
    }
    org.apache.spark.sql.Dataset<Row> gone = current.join(rows, on, "left_anti");
    List<Column> deleted = new ArrayList<>();
    for (String name : columns) {
      deleted.add(
          isKey(name)
              ? col(FlowExecutor.quote(name))
              : lit(null).cast(rows.schema().apply(name).dataType()).as(name));
    }
    deleted.add(lit(java.sql.Timestamp.from(snapshotTime(properties))).as(SEQUENCE));
    if (!cdc.sequenceBy().isEmpty()) {
      // deletes take the snapshot's own sequence value: the greatest in it
      deleted.set(
          deleted.size() - 1,
          lit(withSequence.agg(org.apache.spark.sql.functions.max(SEQUENCE)).first().get(0))
              .as(SEQUENCE));
    }
    return changed
        .withColumn(DELETE, lit(false))
        .unionByName(gone.select(deleted.toArray(Column[]::new)).withColumn(DELETE, lit(true)))
        .withColumn(TRUNCATE, lit(false));
  }

  private scala.collection.immutable.Seq<String> joinKeys() {
    return scala.jdk.javaapi.CollectionConverters.asScala(cdc.keys()).toList();
  }

  /** When the source's snapshot a run reads was committed (the latest of several inputs). */
  private Instant snapshotTime(Map<String, String> properties) {
    Instant latest = null;
    for (Map.Entry<String, String> input : properties.entrySet()) {
      if (!input.getKey().startsWith(PipelineCommits.INPUT_PREFIX)
          || input.getValue().equals("none")) {
        continue;
      }
      String name = input.getKey().substring(PipelineCommits.INPUT_PREFIX.length());
      Table table = committer.catalog().loadTable(FlowExecutor.identifier(name));
      Snapshot snapshot = table.snapshot(Long.parseLong(input.getValue()));
      if (snapshot != null) {
        Instant at = Instant.ofEpochMilli(snapshot.timestampMillis());
        latest = latest == null || at.isAfter(latest) ? at : latest;
      }
    }
    return latest != null ? latest : clock.instant();
  }

  /**
   * The changes with the selected columns, their sequence value and whether each is a delete or a
   * truncate. Each expression is checked on its own, so an error names the clause it is in.
   */
  org.apache.spark.sql.Dataset<Row> prepare(
      Dataset dataset, org.apache.spark.sql.Dataset<Row> changes) {
    List<String> available = List.of(changes.columns());
    List<Column> selected = new ArrayList<>();
    for (String column : dataColumns(dataset, available)) {
      selected.add(col(FlowExecutor.quote(column)));
    }
    selected.add(sequence(dataset, changes).as(SEQUENCE));
    selected.add(condition(dataset, changes, cdc.deleteWhen(), "APPLY AS DELETE WHEN").as(DELETE));
    selected.add(
        condition(dataset, changes, cdc.truncateWhen(), "APPLY AS TRUNCATE WHEN").as(TRUNCATE));
    return changes.select(selected.toArray(Column[]::new));
  }

  /** The source's columns the target keeps, keys first checked to be among them. */
  List<String> dataColumns(Dataset dataset, List<String> available) {
    for (String name : cdc.columns().include()) {
      requireColumn(dataset, available, name, "COLUMNS", cdc.columns().position());
    }
    for (String name : cdc.columns().except()) {
      requireColumn(dataset, available, name, "COLUMNS * EXCEPT", cdc.columns().position());
    }
    List<String> columns = new ArrayList<>();
    for (String name : cdc.columns().select(available)) {
      columns.add(actual(available, name));
    }
    for (String key : cdc.keys()) {
      requireColumn(dataset, available, key, "KEYS", cdc.position());
      if (columns.stream().noneMatch(key::equalsIgnoreCase)) {
        throw new FlowException(
            cdc.position()
                + ": "
                + dataset.name()
                + ": KEYS column "
                + key
                + " is left out by COLUMNS; the target needs its keys: keep "
                + key
                + " in COLUMNS",
            null);
      }
    }
    for (String reserved : List.of(AutoCdc.START_AT, AutoCdc.END_AT)) {
      if (cdc.scdType() == AutoCdc.ScdType.TYPE_2
          && columns.stream().anyMatch(reserved::equalsIgnoreCase)) {
        throw new FlowException(
            cdc.position()
                + ": "
                + dataset.name()
                + ": the source has a column "
                + reserved
                + ", which SCD type 2 adds itself; rename it or leave it out with COLUMNS * EXCEPT"
                + " ("
                + reserved
                + ")",
            null);
      }
    }
    return columns;
  }

  private static void requireColumn(
      Dataset dataset,
      List<String> available,
      String name,
      String clause,
      io.lagoa.pipeline.SourcePosition position) {
    if (available.stream().noneMatch(name::equalsIgnoreCase)) {
      String suggestion =
          io.lagoa.text.EditDistance.closest(name, available)
              .map(closest -> " (did you mean " + closest + "?)")
              .orElse("");
      throw new FlowException(
          (position == null ? dataset.position() : position)
              + ": "
              + clause
              + " names "
              + name
              + ", which is not a column of the source"
              + suggestion
              + "; its columns are "
              + String.join(", ", available),
          null);
    }
  }

  private static String actual(List<String> available, String name) {
    return available.stream().filter(name::equalsIgnoreCase).findFirst().orElse(name);
  }

  /** The SEQUENCE BY value: the expression, or a struct of several compared field by field. */
  private Column sequence(Dataset dataset, org.apache.spark.sql.Dataset<Row> changes) {
    List<Column> parts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (AutoCdc.Expression expression : cdc.sequenceBy()) {
      Column part = checked(dataset, changes, expression, "SEQUENCE BY");
      String name = fieldName(expression.sql(), names.size() + 1);
      while (names.contains(name)) {
        name = name + "_" + (names.size() + 1);
      }
      names.add(name);
      parts.add(part.as(name));
    }
    if (parts.isEmpty()) {
      throw new FlowException(
          cdc.position() + ": " + dataset.name() + ": AUTO CDC needs SEQUENCE BY", null);
    }
    return parts.size() == 1 ? parts.get(0) : struct(parts.toArray(Column[]::new));
  }

  /** A struct field's name for a sequence part: the column's own name, else {@code _2}. */
  static String fieldName(String sql, int position) {
    String text = sql.strip().replace("`", "");
    int dot = text.lastIndexOf('.');
    String last = dot < 0 ? text : text.substring(dot + 1);
    return last.matches("[A-Za-z_][A-Za-z0-9_]*") ? last : "_" + position;
  }

  private Column condition(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> changes,
      Optional<AutoCdc.Expression> expression,
      String clause) {
    if (expression.isEmpty()) {
      return lit(false);
    }
    Column condition = checked(dataset, changes, expression.get(), clause);
    return coalesce(condition.cast("boolean"), lit(false));
  }

  private Column checked(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> changes,
      AutoCdc.Expression expression,
      String clause) {
    Column column;
    try {
      column = expr(expression.sql());
      changes.select(column).schema();
    } catch (Exception e) {
      String message = SparkPipelineParser.withoutExcerpt(SparkSql.translate("", e).getMessage());
      throw new FlowException(
          expression.position() + ": " + dataset.name() + ": in " + clause + ": " + message, e);
    }
    return column;
  }

  /** A change without a sequence value cannot be put in order: stop, and say which. */
  private void requireSequence(Dataset dataset, org.apache.spark.sql.Dataset<Row> events) {
    List<Row> missing =
        events
            .where(col(SEQUENCE).isNull().and(col(TRUNCATE).equalTo(false)))
            .limit(1)
            .collectAsList();
    if (!missing.isEmpty()) {
      String sequence =
          cdc.sequenceBy().stream().map(AutoCdc.Expression::sql).collect(Collectors.joining(", "));
      throw new FlowException(
          cdc.sequenceBy().get(0).position()
              + ": "
              + dataset.name()
              + ": a change has no SEQUENCE BY value ("
              + sequence
              + " is null), so it cannot be put in order: "
              + keysOf(missing.get(0), events.schema())
              + "; filter such changes out in the source query, or drop or quarantine them with"
              + " an expectation (CONSTRAINT has_sequence EXPECT ("
              + sequence
              + " IS NOT NULL) ON VIOLATION QUARANTINE)",
          null);
    }
  }

  private String keysOf(Row row, StructType schema) {
    List<String> parts = new ArrayList<>();
    for (String key : cdc.keys()) {
      int index = indexOf(schema, key);
      parts.add(key + " = " + (index < 0 ? "?" : String.valueOf(row.get(index))));
    }
    return String.join(", ", parts);
  }

  private static int indexOf(StructType schema, String name) {
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- SCD type 1

  private Outcome writeType1(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> events,
      Map<String, String> targetProperties,
      Map<String, List<Long>> written,
      boolean addsColumns,
      List<String> temporary) {
    List<String> columns = dataColumns(events);
    String changes = view(events, temporary);
    String state = FlowExecutor.quoted(dataset.cdcStateTable());
    boolean incremental = mode.incremental();
    String keysOn = keysOn("t", "s");
    String latestView =
        view(spark.sql(latestPerKey(changes, columns)).drop("__rn", "__segment"), temporary);
    // the truncate watermark: the latest truncate so far; changes before it are gone
    String watermark =
        view(
            spark.sql(
                "SELECT "
                    + (incremental ? "greatest(" : "(")
                    + "(SELECT max("
                    + SEQUENCE
                    + ") FROM "
                    + changes
                    + " WHERE "
                    + TRUNCATE
                    + ")"
                    + (incremental
                        ? ", (SELECT max("
                            + STATE_SEQUENCE
                            + ") FROM "
                            + state
                            + " WHERE "
                            + STATE_TRUNCATE
                            + ")"
                        : "")
                    + ") AS wm, (SELECT max("
                    + SEQUENCE
                    + ") FROM "
                    + changes
                    + " WHERE "
                    + TRUNCATE
                    + ") AS bt"),
            temporary);
    String live =
        "SELECT l.* FROM "
            + latestView
            + " l CROSS JOIN "
            + watermark
            + " w WHERE w.wm IS NULL OR l."
            + SEQUENCE
            + " > w.wm";
    org.apache.spark.sql.Dataset<Row> effective;
    org.apache.spark.sql.Dataset<Row> truncated;
    // the batch's keys: the table's MERGE needs more only when a truncate adds keys of the state
    UnaryOperator<String> batchKeys = incremental ? keyFilter(events) : alias -> "true";
    if (incremental) {
      // the state is a log: a key's latest row has its greatest sequence value, so a change is
      // new when no row of its key is as recent (one hash join, no aggregation)
      effective =
          spark.sql(
              "SELECT s.* FROM ("
                  + live
                  + ") s LEFT ANTI JOIN "
                  + state
                  + " t ON NOT t."
                  + STATE_TRUNCATE
                  + " AND "
                  + batchKeys.apply("t")
                  + " AND "
                  + keysOn
                  + " AND t."
                  + STATE_SEQUENCE
                  + " >= s."
                  + SEQUENCE);
    } else {
      effective = spark.sql(live);
    }
    effective = effective.localCheckpoint();
    String effectiveView = view(effective, temporary);
    // keys the batch's truncate removes: older than the truncate and not changed after it
    if (incremental && cdc.truncateWhen().isPresent()) {
      truncated =
          spark.sql(
              "SELECT "
                  + keyList("t")
                  + ", t.__latest."
                  + STATE_SEQUENCE
                  + " AS "
                  + STATE_SEQUENCE
                  + " FROM ("
                  + latestState(state)
                  + ") t CROSS JOIN "
                  + watermark
                  + " w WHERE w.bt IS NOT NULL AND NOT t.__latest."
                  + STATE_DELETED
                  + " AND t.__latest."
                  + STATE_SEQUENCE
                  + " < w.bt AND NOT EXISTS (SELECT 1 FROM "
                  + effectiveView
                  + " s WHERE "
                  + keysOn
                  + ")");
    } else {
      // nothing truncated: no rows, in the shape of the state's
      truncated =
          spark.sql(
              "SELECT "
                  + keyList("s")
                  + ", s."
                  + SEQUENCE
                  + " AS "
                  + STATE_SEQUENCE
                  + " FROM "
                  + effectiveView
                  + " s WHERE false");
    }
    truncated = truncated.localCheckpoint();
    String truncatedView = view(truncated, temporary);
    long truncatedKeys = truncated.count();
    long applied = effective.count() + truncatedKeys;

    Instant now = clock.instant();
    String nowLiteral = timestamp(now);
    org.apache.spark.sql.Dataset<Row> stateRows =
        spark.sql(
            "SELECT "
                + keyList("s")
                + ", s."
                + SEQUENCE
                + " AS "
                + STATE_SEQUENCE
                + ", s."
                + DELETE
                + " AS "
                + STATE_DELETED
                + ", false AS "
                + STATE_TRUNCATE
                + ", "
                + nowLiteral
                + " AS "
                + STATE_CHANGED_AT
                + " FROM "
                + effectiveView
                + " s"
                + (incremental
                    ? " UNION ALL SELECT "
                        + keyList("s")
                        + ", s."
                        + STATE_SEQUENCE
                        + ", true, false, "
                        + nowLiteral
                        + " FROM "
                        + truncatedView
                        + " s"
                    : "")
                // a truncate adds a row; the watermark is the greatest of them
                + " UNION ALL SELECT "
                + nullKeys(events.schema())
                + (incremental ? "w.bt" : "w.wm")
                + ", false, true, "
                + nowLiteral
                + " FROM "
                + watermark
                + (incremental ? " w WHERE w.bt IS NOT NULL" : " w WHERE w.wm IS NOT NULL"));
    Map<String, String> stateProperties = new LinkedHashMap<>();
    stateProperties.put(FlowExecutor.RUN_ID_PROPERTY, committer.runId());
    stateProperties.put(BATCH_PROPERTY, targetProperties.get(BATCH_PROPERTY));
    String target = FlowExecutor.quoted(dataset.name());
    if (incremental) {
      Instant expiry = now.minus(tombstoneRetention(dataset));
      writeState(dataset, stateRows, stateProperties, expiry, written);
      if (addsColumns) {
        new NewColumns(committer)
            .add(
                dataset.name(),
                effective.select(
                    columns.stream().map(this::column).toList().toArray(Column[]::new)));
      }
      org.apache.spark.sql.Dataset<Row> targetRows =
          spark.sql(
              "SELECT "
                  + columns.stream()
                      .map(c -> "s." + FlowExecutor.quote(c))
                      .collect(Collectors.joining(", "))
                  + ", s."
                  + DELETE
                  + (cdc.ignoreNullUpdates() ? ", s." + FRESH : "")
                  + " FROM "
                  + effectiveView
                  + " s UNION ALL SELECT "
                  + columns.stream()
                      .map(
                          c ->
                              isKey(c)
                                  ? "s." + FlowExecutor.quote(c)
                                  : "CAST(NULL AS " + typeOf(events.schema(), c).sql() + ")")
                      .collect(Collectors.joining(", "))
                  + ", true"
                  + (cdc.ignoreNullUpdates() ? ", true" : "")
                  + " FROM "
                  + truncatedView
                  + " s");
      OptionalLong after =
          committer.commitView(
              dataset.name(),
              targetRows,
              "__lagoa_cdc_",
              view ->
                  mergeType1(
                      target,
                      view,
                      columns,
                      (truncatedKeys == 0 ? batchKeys : keyFilter(targetRows)).apply("t")),
              targetProperties,
              written);
      return new Outcome(after, applied);
    }
    committer.commitView(
        dataset.cdcStateTable(),
        stateRows,
        "__lagoa_cdc_state_",
        view -> stateTable(dataset, view),
        stateProperties,
        written);
    org.apache.spark.sql.Dataset<Row> rows =
        effective
            .where(col(DELETE).equalTo(false))
            .select(columns.stream().map(this::column).toList().toArray(Column[]::new));
    OptionalLong after =
        committer.commitView(
            dataset.name(),
            rows,
            "__lagoa_cdc_",
            view ->
                ReplaceWriter.createAsSelect(
                    target, plan, view, mode.phase() == WriteMode.ApplyChanges.Phase.FULL_REFRESH),
            targetProperties,
            written);
    return new Outcome(after, applied);
  }

  private Column column(String name) {
    return col(FlowExecutor.quote(name));
  }

  /** The latest change of each key (a delete wins a tie); with IGNORE NULL UPDATES, per column. */
  private String latestPerKey(String changes, List<String> columns) {
    String partition = "PARTITION BY " + keyList(null);
    String order = "ORDER BY " + SEQUENCE + ", " + DELETE;
    if (!cdc.ignoreNullUpdates()) {
      return "SELECT * FROM (SELECT *, row_number() OVER ("
          + partition
          + " ORDER BY "
          + SEQUENCE
          + " DESC, "
          + DELETE
          + " DESC) AS __rn FROM "
          + changes
          + " WHERE NOT "
          + TRUNCATE
          + ") WHERE __rn = 1";
    }
    // segments start at each delete; a column's value is its last non-null since the last delete
    List<String> values = new ArrayList<>();
    for (String column : columns) {
      String quoted = FlowExecutor.quote(column);
      values.add(
          isKey(column)
              ? quoted
              : "last_value(CASE WHEN "
                  + DELETE
                  + " THEN NULL ELSE "
                  + quoted
                  + " END, true) OVER ("
                  + partition
                  + ", __segment "
                  + order
                  + " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS "
                  + quoted);
    }
    return "SELECT * FROM (SELECT "
        + String.join(", ", values)
        + ", "
        + SEQUENCE
        + ", "
        + DELETE
        + ", "
        + TRUNCATE
        + ", __segment > 0 AS "
        + FRESH
        + ", __segment, row_number() OVER ("
        + partition
        + " ORDER BY "
        + SEQUENCE
        + " DESC, "
        + DELETE
        + " DESC) AS __rn FROM (SELECT *, sum(CASE WHEN "
        + DELETE
        + " THEN 1 ELSE 0 END) OVER ("
        + partition
        + " "
        + order
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS __segment FROM "
        + changes
        + " WHERE NOT "
        + TRUNCATE
        + ")) WHERE __rn = 1";
  }

  private String mergeType1(String target, String view, List<String> columns, String filter) {
    List<String> set = new ArrayList<>();
    for (String column : columns) {
      if (isKey(column)) {
        continue;
      }
      String quoted = FlowExecutor.quote(column);
      set.add(
          quoted
              + " = "
              + (cdc.ignoreNullUpdates()
                  ? "CASE WHEN s."
                      + FRESH
                      + " THEN s."
                      + quoted
                      + " ELSE coalesce(s."
                      + quoted
                      + ", t."
                      + quoted
                      + ") END"
                  : "s." + quoted));
    }
    String insertColumns =
        columns.stream().map(FlowExecutor::quote).collect(Collectors.joining(", "));
    String insertValues =
        columns.stream().map(c -> "s." + FlowExecutor.quote(c)).collect(Collectors.joining(", "));
    return "MERGE INTO "
        + target
        + " t USING "
        + view
        + " s ON "
        + filter
        + " AND "
        + keysOn("t", "s")
        + " WHEN MATCHED AND s."
        + DELETE
        + " THEN DELETE"
        + (set.isEmpty() ? "" : " WHEN MATCHED THEN UPDATE SET " + String.join(", ", set))
        + " WHEN NOT MATCHED AND NOT s."
        + DELETE
        + " THEN INSERT ("
        + insertColumns
        + ") VALUES ("
        + insertValues
        + ")";
  }

  /**
   * SCD type 1: adds the batch's rows to the change state. The state is a log, so a batch only
   * appends; when the rows appended since the state was last compacted reach a quarter of it (or
   * {@value #STATE_COMPACTION_MIN_ROWS} rows), or {@value #STATE_COMPACTION_FILES} appends have
   * left as many small files, the batch instead rewrites it with one row per key, the greatest
   * truncate and no tombstone past its retention. Either way one commit.
   */
  private void writeState(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Instant expiry,
      Map<String, List<Long>> written) {
    Table table = committer.catalog().loadTable(FlowExecutor.identifier(dataset.cdcStateTable()));
    table.refresh();
    Map<String, String> summary = summaryOf(table.currentSnapshot());
    long records = summaryLong(summary, SnapshotSummary.TOTAL_RECORDS_PROP);
    long files = summaryLong(summary, SnapshotSummary.TOTAL_DATA_FILES_PROP);
    // the last commit of this writer (table maintenance may have rewritten files since); a
    // compaction's or the creating commit carries no base: its own totals are the base
    Map<String, String> last = summaryOf(markedSnapshot(table, table.currentSnapshot()));
    long baseRecords =
        last.containsKey(STATE_BASE_RECORDS)
            ? summaryLong(last, STATE_BASE_RECORDS)
            : summaryLong(last, SnapshotSummary.TOTAL_RECORDS_PROP);
    long baseFiles =
        last.containsKey(STATE_BASE_FILES)
            ? summaryLong(last, STATE_BASE_FILES)
            : summaryLong(last, SnapshotSummary.TOTAL_DATA_FILES_PROP);
    boolean compact =
        records - baseRecords >= Math.max(STATE_COMPACTION_MIN_ROWS, baseRecords / 4)
            || files - baseFiles >= STATE_COMPACTION_FILES;
    String state = FlowExecutor.quoted(dataset.cdcStateTable());
    if (!compact) {
      Map<String, String> appendProperties = new LinkedHashMap<>(properties);
      appendProperties.put(STATE_BASE_RECORDS, Long.toString(baseRecords));
      appendProperties.put(STATE_BASE_FILES, Long.toString(baseFiles));
      committer.commitView(
          dataset.cdcStateTable(),
          rows,
          "__lagoa_cdc_state_",
          view -> "INSERT INTO " + state + " SELECT * FROM " + view,
          appendProperties,
          written);
      return;
    }
    LOG.info(
        "{}: compacting the change state ({} rows, {} files; {} rows and {} files at its last"
            + " compaction)",
        dataset.name(),
        records,
        files,
        baseRecords,
        baseFiles);
    String all = view(rows.unionAll(spark.table(state)), new ArrayList<>());
    try {
      String stateColumns =
          STATE_SEQUENCE + ", " + STATE_DELETED + ", " + STATE_TRUNCATE + ", " + STATE_CHANGED_AT;
      org.apache.spark.sql.Dataset<Row> compacted =
          spark.sql(
              "SELECT "
                  + keyList(null)
                  + ", __latest."
                  + STATE_SEQUENCE
                  + ", __latest."
                  + STATE_DELETED
                  + ", false AS "
                  + STATE_TRUNCATE
                  + ", __latest."
                  + STATE_CHANGED_AT
                  + " FROM ("
                  + latestState(all)
                  + ") WHERE NOT (__latest."
                  + STATE_DELETED
                  + " AND __latest."
                  + STATE_CHANGED_AT
                  + " < "
                  + timestamp(expiry)
                  + ") UNION ALL SELECT "
                  + keyList(null)
                  + ", "
                  + stateColumns
                  + " FROM (SELECT *, row_number() OVER (ORDER BY "
                  + STATE_SEQUENCE
                  + " DESC) AS __rn FROM "
                  + all
                  + " WHERE "
                  + STATE_TRUNCATE
                  + ") WHERE __rn = 1");
      committer.overwrite(dataset.cdcStateTable(), compacted, properties, written);
    } finally {
      spark.catalog().dropTempView(all);
    }
  }

  /**
   * The latest row of each key in the change state (a log), truncates left out: {@code keys,
   * __latest} with {@code __latest} a struct of the sequence, the deleted flag and the change time.
   */
  private String latestState(String state) {
    return "SELECT "
        + keyList(null)
        + ", max(struct("
        + STATE_SEQUENCE
        + ", "
        + STATE_DELETED
        + ", "
        + STATE_CHANGED_AT
        + ")) AS __latest FROM "
        + state
        + " WHERE NOT "
        + STATE_TRUNCATE
        + " GROUP BY "
        + keyList(null);
  }

  private static Map<String, String> summaryOf(Snapshot snapshot) {
    return snapshot == null || snapshot.summary() == null ? Map.of() : snapshot.summary();
  }

  private static long summaryLong(Map<String, String> summary, String key) {
    String value = summary.get(key);
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The target's batch number, after putting the state back to it when a process died between the
   * state's commit and the target's.
   */
  private long recoverState(Dataset dataset) {
    long targetBatch = lastBatch(dataset.name());
    Table state;
    try {
      state = committer.catalog().loadTable(FlowExecutor.identifier(dataset.cdcStateTable()));
    } catch (NoSuchTableException e) {
      throw new FlowException(
          dataset.position()
              + ": "
              + dataset.name()
              + " has lost its change state ("
              + dataset.cdcStateTable()
              + " does not exist), which says which changes were applied; the table needs a full"
              + " refresh",
          null,
          Remedy.FULL_REFRESH);
    }
    state.refresh();
    Snapshot marked = markedSnapshot(state, state.currentSnapshot());
    long stateBatch = batchOf(marked);
    if (stateBatch == targetBatch) {
      return targetBatch;
    }
    if (stateBatch == targetBatch + 1) {
      Snapshot back = markedSnapshot(state, parent(state, marked));
      if (back != null && batchOf(back) == targetBatch) {
        LOG.info(
            "{}: the last batch committed its change state but not the table (the process stopped"
                + " in between); putting {} back to batch {} and applying the batch again",
            dataset.name(),
            dataset.cdcStateTable(),
            targetBatch);
        state.manageSnapshots().rollbackTo(back.snapshotId()).commit();
        return targetBatch;
      }
    }
    throw new FlowException(
        dataset.position()
            + ": "
            + dataset.name()
            + " and its change state "
            + dataset.cdcStateTable()
            + " disagree (the table is at batch "
            + targetBatch
            + ", the state at batch "
            + stateBatch
            + "); the table needs a full refresh",
        null,
        Remedy.FULL_REFRESH);
  }

  private long lastBatch(String name) {
    try {
      Table table = committer.catalog().loadTable(FlowExecutor.identifier(name));
      table.refresh();
      return batchOf(markedSnapshot(table, table.currentSnapshot()));
    } catch (NoSuchTableException e) {
      return 0;
    }
  }

  /** The latest snapshot from {@code from} back that a batch marked (compactions are not). */
  private static Snapshot markedSnapshot(Table table, Snapshot from) {
    for (Snapshot snapshot = from; snapshot != null; snapshot = parent(table, snapshot)) {
      if (snapshot.summary() != null && snapshot.summary().containsKey(BATCH_PROPERTY)) {
        return snapshot;
      }
    }
    return null;
  }

  private static Snapshot parent(Table table, Snapshot snapshot) {
    return snapshot == null || snapshot.parentId() == null
        ? null
        : table.snapshot(snapshot.parentId());
  }

  private static long batchOf(Snapshot snapshot) {
    return snapshot == null ? 0 : Long.parseLong(snapshot.summary().get(BATCH_PROPERTY));
  }

  private Duration tombstoneRetention(Dataset dataset) {
    String value = plan.properties().get(TOMBSTONE_RETENTION_PROPERTY);
    if (value == null) {
      return DEFAULT_TOMBSTONE_RETENTION;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new FlowException(
          dataset.position()
              + ": "
              + dataset.name()
              + ": TBLPROPERTIES "
              + TOMBSTONE_RETENTION_PROPERTY
              + " must be a number of seconds (e.g. '172800' for two days), not '"
              + value
              + "'",
          null);
    }
  }

  // ---------------------------------------------------------------- SCD type 2

  private Outcome writeType2(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> events,
      Map<String, String> targetProperties,
      Map<String, List<Long>> written,
      boolean addsColumns,
      List<String> temporary) {
    String target = FlowExecutor.quoted(dataset.name());
    String state = FlowExecutor.quoted(dataset.cdcStateTable());
    events = events.where(col(TRUNCATE).equalTo(false)); // a truncate has no place in a history
    List<String> columns = dataColumns(events);
    if (mode.incremental() && addsColumns) {
      new NewColumns(committer)
          .add(
              dataset.name(),
              events.select(columns.stream().map(this::column).toList().toArray(Column[]::new)));
    }
    if (mode.incremental()) {
      // the table's own columns: a column the source no longer sends stays, with nulls
      StructType schema = spark.table(target).schema();
      List<String> tableColumns = new ArrayList<>();
      for (String name : schema.fieldNames()) {
        if (!name.equalsIgnoreCase(AutoCdc.START_AT) && !name.equalsIgnoreCase(AutoCdc.END_AT)) {
          tableColumns.add(name);
        }
      }
      List<Column> aligned = new ArrayList<>();
      for (String name : tableColumns) {
        int index = indexOf(events.schema(), name);
        aligned.add(
            index >= 0
                ? col(FlowExecutor.quote(events.schema().fieldNames()[index])).as(name)
                : lit(null).cast(schema.apply(name).dataType()).as(name));
      }
      aligned.add(col(SEQUENCE));
      aligned.add(col(DELETE));
      events = events.select(aligned.toArray(Column[]::new));
      columns = tableColumns;
    }
    StructType eventSchema = events.schema();
    DataType sequenceType = eventSchema.apply(SEQUENCE).dataType();
    String changes = view(events, temporary);
    String keysOn = keysOn("t", "s");
    String cols = columns.stream().map(FlowExecutor::quote).collect(Collectors.joining(", "));
    String nulls =
        columns.stream()
            .map(
                c ->
                    isKey(c)
                        ? FlowExecutor.quote(c)
                        : "CAST(NULL AS "
                            + typeOf(eventSchema, c).sql()
                            + ") AS "
                            + FlowExecutor.quote(c))
            .collect(Collectors.joining(", "));
    // the stored versions of the keys this batch changes, as the changes that made them
    String history;
    String stored = null;
    if (mode.incremental()) {
      UnaryOperator<String> batchKeys = keyFilter(events);
      stored =
          view(
              spark
                  .sql(
                      "SELECT t.* FROM "
                          + target
                          + " t LEFT SEMI JOIN (SELECT DISTINCT "
                          + keyList(null)
                          + " FROM "
                          + changes
                          + ") s ON "
                          + batchKeys.apply("t")
                          + " AND "
                          + keysOn)
                  // read once: the history below uses it four times
                  .localCheckpoint(),
              temporary);
      history =
          " UNION ALL SELECT "
              + cols
              + ", "
              + AutoCdc.START_AT
              + " AS "
              + SEQUENCE
              + ", false AS "
              + DELETE
              + ", 1 AS __origin FROM "
              + stored
              // the changes a version absorbed (no tracked column changed): a late change may
              // split the version, and the part after it must start again at these
              + " UNION ALL SELECT "
              + columns.stream()
                  .map(c -> "v." + FlowExecutor.quote(c))
                  .collect(Collectors.joining(", "))
              + ", a."
              + STATE_SEQUENCE
              + ", false, 1 FROM "
              + stored
              + " v JOIN "
              + state
              + " a ON "
              + batchKeys.apply("a")
              + " AND "
              + keysOn("v", "a")
              + " AND a."
              + STATE_SEQUENCE
              + " > v."
              + AutoCdc.START_AT
              + " AND (v."
              + AutoCdc.END_AT
              + " IS NULL OR a."
              + STATE_SEQUENCE
              + " < v."
              + AutoCdc.END_AT
              + ") WHERE NOT a."
              + STATE_DELETED
              + " UNION ALL SELECT "
              + nulls
              + ", h."
              + AutoCdc.END_AT
              + ", true, 1 FROM "
              + stored
              + " h WHERE h."
              + AutoCdc.END_AT
              + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
              + stored
              + " n WHERE "
              + keysOn("n", "h")
              + " AND n."
              + AutoCdc.START_AT
              + " = h."
              + AutoCdc.END_AT
              + ")"
              + " UNION ALL SELECT "
              + nulls
              + ", d."
              + STATE_SEQUENCE
              + ", true, 1 FROM "
              + state
              + " d LEFT SEMI JOIN (SELECT DISTINCT "
              + keyList(null)
              + " FROM "
              + changes
              + ") s ON "
              + batchKeys.apply("d")
              + " AND "
              + keysOn("d", "s")
              + " WHERE d."
              + STATE_DELETED;
    } else {
      history = "";
    }
    String all =
        "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY "
            + keyList(null)
            + ", "
            + SEQUENCE
            + " ORDER BY "
            + DELETE
            + " DESC, __origin DESC) AS __dup FROM (SELECT "
            + cols
            + ", "
            + SEQUENCE
            + ", "
            + DELETE
            + ", 0 AS __origin FROM "
            + changes
            + history
            + ")) WHERE __dup = 1";
    List<String> tracked = trackedColumns(columns);
    String trackedValue =
        tracked.isEmpty()
            ? "''"
            : "to_json(named_struct("
                + tracked.stream()
                    .map(c -> FlowExecutor.literal(c) + ", " + FlowExecutor.quote(c))
                    .collect(Collectors.joining(", "))
                + "))";
    String window = "PARTITION BY " + keyList(null) + " ORDER BY " + SEQUENCE;
    String ordered =
        "SELECT *, sum(CASE WHEN __starts THEN 1 ELSE 0 END) OVER ("
            + window
            + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS __version FROM (SELECT *,"
            + " NOT "
            + DELETE
            + " AND (__previous_delete IS NULL OR __previous_delete OR NOT (__tracked <=>"
            + " __previous_tracked)) AS __starts FROM (SELECT *, lag("
            + DELETE
            + ") OVER ("
            + window
            + ") AS __previous_delete, lag(__tracked) OVER ("
            + window
            + ") AS __previous_tracked, lead("
            + SEQUENCE
            + ") OVER ("
            + window
            + ") AS __next FROM (SELECT *, "
            + trackedValue
            + " AS __tracked FROM ("
            + all
            + "))))";
    String versions =
        "SELECT max_by(named_struct("
            + columns.stream()
                .map(c -> FlowExecutor.literal(c) + ", " + FlowExecutor.quote(c))
                .collect(Collectors.joining(", "))
            + "), "
            + SEQUENCE
            + ") AS __values, min("
            + SEQUENCE
            + ") AS "
            + AutoCdc.START_AT
            + ", max_by(__next, "
            + SEQUENCE
            + ") AS "
            + AutoCdc.END_AT
            + " FROM ("
            + ordered
            + ") WHERE NOT "
            + DELETE
            + " AND __version > 0 GROUP BY "
            + keyList(null)
            + ", __version";
    String expanded =
        "SELECT "
            + columns.stream()
                .map(c -> "__values." + FlowExecutor.quote(c) + " AS " + FlowExecutor.quote(c))
                .collect(Collectors.joining(", "))
            + ", "
            + AutoCdc.START_AT
            + ", CAST("
            + AutoCdc.END_AT
            + " AS "
            + sequenceType.sql()
            + ") AS "
            + AutoCdc.END_AT
            + " FROM ("
            + versions
            + ")";
    org.apache.spark.sql.Dataset<Row> rebuilt = spark.sql(expanded).localCheckpoint();
    commitChanges(dataset, changes, targetProperties, written);
    if (!mode.incremental()) {
      OptionalLong after =
          committer.commitView(
              dataset.name(),
              rebuilt,
              "__lagoa_cdc_",
              view ->
                  ReplaceWriter.createAsSelect(
                      target,
                      plan,
                      view,
                      mode.phase() == WriteMode.ApplyChanges.Phase.FULL_REFRESH),
              targetProperties,
              written);
      return new Outcome(after, rebuilt.count());
    }
    String selectAll = cols + ", " + AutoCdc.START_AT + ", " + AutoCdc.END_AT;
    org.apache.spark.sql.Dataset<Row> before = spark.sql("SELECT " + selectAll + " FROM " + stored);
    org.apache.spark.sql.Dataset<Row> removed = before.exceptAll(rebuilt);
    org.apache.spark.sql.Dataset<Row> added = rebuilt.exceptAll(before);
    org.apache.spark.sql.Dataset<Row> difference =
        removed
            .withColumn("__action", lit("delete"))
            .unionByName(added.withColumn("__action", lit("insert")))
            .localCheckpoint();
    long applied = added.count();
    UnaryOperator<String> differenceKeys = keyFilter(difference);
    String insertValues =
        columns.stream().map(c -> "s." + FlowExecutor.quote(c)).collect(Collectors.joining(", "))
            + ", s."
            + AutoCdc.START_AT
            + ", s."
            + AutoCdc.END_AT;
    OptionalLong after =
        committer.commitView(
            dataset.name(),
            difference,
            "__lagoa_cdc_",
            view ->
                "MERGE INTO "
                    + target
                    + " t USING "
                    + view
                    + " s ON "
                    + differenceKeys.apply("t")
                    + " AND "
                    + keysOn
                    + " AND t."
                    + AutoCdc.START_AT
                    + " <=> s."
                    + AutoCdc.START_AT
                    + " AND s.__action = 'delete' WHEN MATCHED THEN DELETE WHEN NOT MATCHED AND"
                    + " s.__action = 'insert' THEN INSERT ("
                    + selectAll
                    + ") VALUES ("
                    + insertValues
                    + ")",
            targetProperties,
            written);
    return new Outcome(after, applied);
  }

  /**
   * Keeps the sequence values of the batch's changes in the change state, for the tombstone
   * retention: a delete that arrives before the version it ends has nothing to close yet and must
   * still end that version when it comes; a change absorbed by a version (it changed no tracked
   * column) must start a version again when a late change splits that version before it.
   */
  private void commitChanges(
      Dataset dataset,
      String changes,
      Map<String, String> targetProperties,
      Map<String, List<Long>> written) {
    Instant now = clock.instant();
    String state = FlowExecutor.quoted(dataset.cdcStateTable());
    org.apache.spark.sql.Dataset<Row> sequences =
        spark.sql(
            "SELECT DISTINCT "
                + keyList(null)
                + ", "
                + SEQUENCE
                + " AS "
                + STATE_SEQUENCE
                + ", "
                + DELETE
                + " AS "
                + STATE_DELETED
                + ", false AS "
                + STATE_TRUNCATE
                + ", "
                + timestamp(now)
                + " AS "
                + STATE_CHANGED_AT
                + " FROM "
                + changes);
    Map<String, String> stateProperties = new LinkedHashMap<>();
    stateProperties.put(FlowExecutor.RUN_ID_PROPERTY, committer.runId());
    stateProperties.put(BATCH_PROPERTY, targetProperties.get(BATCH_PROPERTY));
    Instant expiry = now.minus(tombstoneRetention(dataset));
    committer.commitView(
        dataset.cdcStateTable(),
        sequences,
        "__lagoa_cdc_state_",
        view ->
            mode.incremental()
                ? "MERGE INTO "
                    + state
                    + " t USING "
                    + view
                    + " s ON "
                    + keysOn("t", "s")
                    + " AND t."
                    + STATE_SEQUENCE
                    + " <=> s."
                    + STATE_SEQUENCE
                    + " AND t."
                    + STATE_DELETED
                    + " = s."
                    + STATE_DELETED
                    + " WHEN NOT MATCHED THEN INSERT *"
                    + expireTombstones(targetProperties, "", expiry)
                : stateTable(dataset, view),
        stateProperties,
        written);
  }

  /**
   * Every {@value #EXPIRY_EVERY}th batch, the clause that removes the state's rows older than the
   * retention: it makes the MERGE read (and rewrite) the whole state, so it is not paid on every
   * batch; rows are removed within that many batches after their retention passed.
   */
  private static String expireTombstones(
      Map<String, String> targetProperties, String condition, Instant expiry) {
    long batch = Long.parseLong(targetProperties.get(BATCH_PROPERTY));
    if (batch % EXPIRY_EVERY != 0) {
      return "";
    }
    return " WHEN NOT MATCHED BY SOURCE AND "
        + condition
        + "t."
        + STATE_CHANGED_AT
        + " < "
        + timestamp(expiry)
        + " THEN DELETE";
  }

  private static String stateTable(Dataset dataset, String view) {
    return "CREATE OR REPLACE TABLE "
        + FlowExecutor.quoted(dataset.cdcStateTable())
        + " USING iceberg TBLPROPERTIES ('lagoa.cdc.state-of' = "
        + FlowExecutor.literal(dataset.name())
        + ") AS SELECT * FROM "
        + view;
  }

  /**
   * The columns whose changes make a new version: TRACK HISTORY ON, all but the keys by default.
   */
  private List<String> trackedColumns(List<String> columns) {
    AutoCdc.Columns track = cdc.trackHistory();
    List<String> tracked = new ArrayList<>();
    for (String column : columns) {
      boolean chosen =
          track.isAll()
              ? track.except().stream().noneMatch(column::equalsIgnoreCase)
              : track.include().stream().anyMatch(column::equalsIgnoreCase);
      if (chosen && !isKey(column)) {
        tracked.add(column);
      }
    }
    return tracked;
  }

  // ---------------------------------------------------------------- helpers

  private List<String> dataColumns(org.apache.spark.sql.Dataset<Row> events) {
    List<String> columns = new ArrayList<>();
    for (String name : events.columns()) {
      if (!name.equals(SEQUENCE) && !name.equals(DELETE) && !name.equals(TRUNCATE)) {
        columns.add(name);
      }
    }
    return columns;
  }

  /** Whether the target lacks some of these columns (an upstream ADD COLUMN). */
  private boolean lacksColumns(String target, List<String> columns) {
    if (!spark.catalog().tableExists(target)) {
      return false;
    }
    Set<String> present = new HashSet<>();
    for (String name : spark.table(FlowExecutor.quoted(target)).columns()) {
      present.add(name.toLowerCase(Locale.ROOT));
    }
    return columns.stream().anyMatch(c -> !present.contains(c.toLowerCase(Locale.ROOT)));
  }

  private boolean isKey(String column) {
    return cdc.keys().stream().anyMatch(column::equalsIgnoreCase);
  }

  private static DataType typeOf(StructType schema, String column) {
    int index = indexOf(schema, column);
    return schema.fields()[index].dataType();
  }

  /** The keys as a select list, each with a table alias in front when one is given. */
  private String keyList(String alias) {
    return cdc.keys().stream()
        .map(key -> (alias == null ? "" : alias + ".") + FlowExecutor.quote(key))
        .collect(Collectors.joining(", "));
  }

  /** Null keys (the state's truncate row) as the start of a select list. */
  private String nullKeys(StructType schema) {
    StringBuilder sql = new StringBuilder();
    for (String key : cdc.keys()) {
      sql.append("CAST(NULL AS ")
          .append(typeOf(schema, key).sql())
          .append(") AS ")
          .append(FlowExecutor.quote(key))
          .append(", ");
    }
    return sql.toString();
  }

  /**
   * A condition on the keys of {@code alias} that holds for every key of {@code rows} and for few
   * others (a Bloom filter of their hashes, 1% false positives), or {@code true} for batches too
   * large to be worth it. In a join's {@code ON}, Spark applies it right after the scan of the big
   * side (the table, the state), so only rows that may match are shuffled: a batch of 100k changes
   * into a 10M-row table moves about 200k rows instead of 10M.
   */
  private UnaryOperator<String> keyFilter(org.apache.spark.sql.Dataset<Row> rows) {
    long count = rows.count();
    if (count == 0 || count > KEY_FILTER_MAX_KEYS) {
      // nothing to filter by (a constant false would break Spark's MERGE planning), or too many
      return alias -> "true";
    }
    BloomFilter bloom =
        rows.select(expr("xxhash64(" + keyList(null) + ") AS __key_hash"))
            .stat()
            .bloomFilter("__key_hash", count, 0.01);
    String name =
        "__lagoa_cdc_keys_" + Integer.toHexString(System.identityHashCode(this)) + "_" + ++views;
    spark
        .udf()
        .register(
            name,
            (UDF1<Long, Boolean>) hash -> hash != null && bloom.mightContainLong(hash),
            DataTypes.BooleanType);
    functions.add(name);
    return alias -> name + "(xxhash64(" + keyList(alias) + "))";
  }

  /** The keys compared null-safely: a null key is a key like any other. */
  private String keysOn(String left, String right) {
    return cdc.keys().stream()
        .map(
            key ->
                left
                    + "."
                    + FlowExecutor.quote(key)
                    + " <=> "
                    + right
                    + "."
                    + FlowExecutor.quote(key))
        .collect(Collectors.joining(" AND "));
  }

  private String view(org.apache.spark.sql.Dataset<Row> rows, List<String> temporary) {
    String name =
        "__lagoa_cdc_" + Integer.toHexString(System.identityHashCode(this)) + "_" + ++views;
    rows.createOrReplaceTempView(name);
    temporary.add(name);
    return name;
  }

  private static String timestamp(Instant instant) {
    String text = instant.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    return "TIMESTAMP '" + text.replace("T", " ").replace("Z", "") + " UTC'";
  }
}

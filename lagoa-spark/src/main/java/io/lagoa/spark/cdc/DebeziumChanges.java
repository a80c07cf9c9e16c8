package io.lagoa.spark.cdc;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Debezium change events (JSON, as Kafka Connect's JsonConverter writes them, with or without the
 * embedded schema) decoded into change rows, the shape {@code read_kafka(..., format =>
 * 'debezium')} and the PostgreSQL CDC source both produce:
 *
 * <table>
 *   <caption>Change rows</caption>
 *   <tr><th>column</th><th>type</th><th></th></tr>
 *   <tr><td>the table's columns</td><td>from the event's schema</td><td>the {@code after} image
 *     for c/u/r, the {@code before} image for d; null for t</td></tr>
 *   <tr><td>{@code _rescued_data}</td><td>STRING</td><td>only with a declared schema and {@code
 *     rescue}: image fields it lacks, as a JSON object</td></tr>
 *   <tr><td>{@code _op}</td><td>STRING</td><td>c, u, d, r (snapshot read), t (truncate)</td></tr>
 *   <tr><td>{@code _before}</td><td>STRUCT of the table's columns</td><td>the before image</td></tr>
 *   <tr><td>{@code _ts_ms}</td><td>BIGINT</td><td>the envelope's {@code ts_ms}</td></tr>
 *   <tr><td>{@code _sequence}</td><td>STRUCT&lt;commit_lsn BIGINT, lsn BIGINT&gt;</td><td>from
 *     {@code source.sequence}, else (null, {@code source.lsn}); null without either</td></tr>
 *   <tr><td>{@code _source}</td><td>{@link #SOURCE}</td><td>the envelope's source</td></tr>
 *   <tr><td>{@code _transaction}</td><td>{@link #TRANSACTION}</td><td></td></tr>
 *   <tr><td>the caller's metadata columns</td><td></td><td>as they came</td></tr>
 * </table>
 *
 * <p>Use: build a dataset with one row per record and call {@link #decode}:
 *
 * <pre>{@code
 * Dataset<Row> values = ...;   // value STRING, _position STRING, and metadata such as _postgres
 * DebeziumChanges.Result result =
 *     DebeziumChanges.decode(spark, values, Optional.empty(), Optional.ofNullable(stored),
 *         true, "postgres:shop.public.customers", runId);
 * try {
 *   write(result.rows());  quarantine(result.rejected());
 *   store(result.imageSchema().json());    // pass it back as knownSchema next time
 * } finally {
 *   result.release().run();
 * }
 * }</pre>
 *
 * <p>Columns of the input:
 *
 * <ul>
 *   <li>{@code value} STRING (required): the event's JSON; null is a tombstone, skipped and counted
 *       ({@link Result#tombstones()}).
 *   <li>{@code _position} STRING (required): where the record is, for the quarantine ({@code
 *       topic/partition@offset}, an LSN).
 *   <li>{@code _error} STRING (optional): a reason the caller already has to reject the record
 *       (e.g. too large); such records are not decoded.
 *   <li>{@code _raw} BINARY (optional): the record's exact bytes for the quarantine; where null,
 *       the value's UTF-8 bytes.
 *   <li>{@code _kafka_topic} STRING, {@code _kafka_partition} INT, {@code _kafka_offset} BIGINT,
 *       {@code _kafka_key} STRING, {@code _source_file} STRING (optional): copied to the quarantine
 *       rows (null when absent).
 *   <li>any other column (e.g. {@code _kafka}): metadata, passed through to the change rows after
 *       the Debezium columns.
 * </ul>
 *
 * <p>The rejected rows have the source quarantine's shape ({@code _source, _position, _kafka_topic,
 * _kafka_partition, _kafka_offset, _kafka_key, _source_file, _raw, _error, _run_id,
 * _quarantined_at}); {@code _error} says what is wrong: {@code not a Debezium change event: no "op"
 * field}, {@code ... unknown op "m" (expected c, u, d, r or t)}, {@code ... op "c" without an
 * "after" image}, {@code ... invalid JSON (...)}, {@code the schema and the payload do not match:
 * id is int32 in the schema, but the payload has "x"}, {@code values do not match the schema: id
 * (BIGINT)}.
 *
 * <p>The table's columns: the known schema (what earlier batches stored) or the declared one, then
 * the columns of the batch's embedded schemas the known one lacks (an upstream {@code ALTER TABLE
 * ADD COLUMN}: {@link Result#addsColumns()}); events without an embedded schema have their columns
 * learned from their images when nothing is declared, as {@code format => 'json'} learns them. A
 * column keeps the type it was first given.
 */
public final class DebeziumChanges {
  /** The fixed shape of {@code _source}: the fields of every connector; absent ones are null. */
  public static final StructType SOURCE =
      StructType.fromDDL(
          "version STRING, connector STRING, name STRING, ts_ms BIGINT, snapshot STRING, db STRING,"
              + " sequence STRING, schema STRING, table STRING, txId BIGINT, lsn BIGINT,"
              + " xmin BIGINT, file STRING, pos BIGINT, row INT, server_id BIGINT, gtid STRING");

  /** The shape of {@code _transaction}. */
  public static final StructType TRANSACTION =
      StructType.fromDDL("id STRING, total_order BIGINT, data_collection_order BIGINT");

  /** The shape of {@code _sequence}. */
  public static final StructType SEQUENCE = StructType.fromDDL("commit_lsn BIGINT, lsn BIGINT");

  /** The Debezium columns every change row has after the table's columns, in this order. */
  public static final List<String> COLUMNS =
      List.of("_op", "_before", "_ts_ms", "_sequence", "_source", "_transaction");

  static final String RESCUED = "_rescued_data";
  private static final String CORRUPT = "_corrupt_record";
  private static final String EVENT = "__lagoa_event";
  private static final String RAW = "__lagoa_raw";
  private static final String ERROR = "__lagoa_error";
  private static final String IMAGE = "__lagoa_image";
  private static final List<String> QUARANTINE_COLUMNS =
      List.of("_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_key", "_source_file");
  private static final Map<String, DataType> QUARANTINE_TYPES =
      Map.of(
          "_kafka_topic", DataTypes.StringType,
          "_kafka_partition", DataTypes.IntegerType,
          "_kafka_offset", DataTypes.LongType,
          "_kafka_key", DataTypes.StringType,
          "_source_file", DataTypes.StringType);

  private DebeziumChanges() {}

  /**
   * What {@link #decode} returns.
   *
   * @param rows the change rows (see the class comment), tombstones and rejected records left out
   * @param rejected the records that are not readable change events, in the source quarantine's
   *     shape
   * @param imageSchema the table's columns after this batch: store it and pass it as {@code
   *     knownSchema} to the next batch
   * @param addsColumns whether {@code imageSchema} has columns {@code knownSchema} did not
   * @param release frees the cached batch; call it when both datasets are written
   * @param tombstones counts the tombstones (null values) of the batch, which are skipped
   */
  public record Result(
      Dataset<Row> rows,
      Dataset<Row> rejected,
      StructType imageSchema,
      boolean addsColumns,
      Runnable release,
      LongSupplier tombstones) {}

  /**
   * Decodes a batch of Debezium change events (see the class comment for the columns).
   *
   * @param input one row per record: {@code value STRING}, {@code _position STRING}, optional
   *     quarantine columns, metadata columns
   * @param declaredSchema the table's columns as the user declared them ({@code schema =>}); for
   *     events without an embedded schema, other fields go to {@code _rescued_data} unless {@code
   *     addFields}
   * @param knownSchema the columns earlier batches stored ({@link Result#imageSchema()})
   * @param addFields whether fields outside a declared schema become columns ({@code
   *     schema_evolution => 'add'}); without a declared schema they always do
   * @param sourceName the quarantine's {@code _source}, e.g. {@code kafka:<topic>}
   * @param runId the quarantine's {@code _run_id}
   */
  public static Result decode(
      SparkSession spark,
      Dataset<Row> input,
      Optional<StructType> declaredSchema,
      Optional<StructType> knownSchema,
      boolean addFields,
      String sourceName,
      String runId) {
    List<String> names = Arrays.asList(input.columns());
    if (!names.contains("value") || !names.contains("_position")) {
      throw new IllegalArgumentException(
          "Cannot decode Debezium changes: the input needs the columns value and _position, not "
              + names);
    }
    boolean rescue = declaredSchema.isPresent() && !addFields;
    Set<String> declared = null;
    if (rescue) {
      declared = new HashSet<>();
      for (String name : declaredSchema.get().fieldNames()) {
        declared.add(name.toLowerCase(Locale.ROOT));
      }
    }
    Column event = udf(new DebeziumEvent(declared), DebeziumEvent.WIRE).apply(col("value"));
    Column given = names.contains("_error") ? col("_error") : lit(null).cast("string");
    List<Column> kept = new ArrayList<>();
    List<String> metadata = new ArrayList<>();
    for (String name : names) {
      if (!name.equals("value")
          && !name.equals("_error")
          && !name.equals("_raw")
          && !name.equals("_position")
          && !QUARANTINE_COLUMNS.contains(name)) {
        kept.add(col(quote(name)));
        metadata.add(name);
      }
    }
    kept.add(col("_position"));
    for (String name : QUARANTINE_COLUMNS) {
      kept.add(
          names.contains(name)
              ? col(name).cast(QUARANTINE_TYPES.get(name)).as(name)
              : lit(null).cast(QUARANTINE_TYPES.get(name)).as(name));
    }
    Column raw =
        names.contains("_raw")
            ? coalesce(col("_raw"), expr("CAST(value AS BINARY)"))
            : expr("CAST(value AS BINARY)");
    Dataset<Row> checked =
        input
            .withColumn(EVENT, when(given.isNull(), event))
            .select(
                withAll(
                    kept,
                    col(EVENT),
                    given.as("__lagoa_given"),
                    when(given.isNotNull().or(col(EVENT + ".error").isNotNull()), raw).as(RAW),
                    // kept for the records whose values may not fit the columns' types
                    when(given.isNull(), col("value")).as("__lagoa_value")))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Runnable release = checked::unpersist;

    StructType known = knownSchema.orElse(null);
    if (declaredSchema.isPresent()) {
      known = known == null ? declaredSchema.get() : merge(declaredSchema.get(), known);
    }
    StructType schema = known == null ? new StructType() : known;
    List<String> embedded =
        checked
            .where(col(EVENT + ".schema").isNotNull())
            .select(col(EVENT + ".schema"))
            .distinct()
            .as(Encoders.STRING())
            .collectAsList();
    List<StructType> schemas = new ArrayList<>();
    for (String json : embedded) {
      schemas.add((StructType) DataType.fromJson(json));
    }
    schemas.sort(
        Comparator.<StructType>comparingInt(s -> s.fields().length)
            .thenComparing(StructType::json));
    for (StructType batch : schemas) {
      schema = merge(schema, batch);
    }
    if (declaredSchema.isEmpty() || addFields) {
      Dataset<String> images =
          checked
              .where(col(EVENT + ".schema").isNull().and(col(EVENT + ".error").isNull()))
              .select(col(EVENT + ".image").as("json"))
              .union(
                  checked
                      .where(col(EVENT + ".schema").isNull().and(col(EVENT + ".error").isNull()))
                      .select(col(EVENT + ".before").as("json")))
              .where(col("json").isNotNull())
              .as(Encoders.STRING());
      if (!images.isEmpty()) {
        StructType inferred = spark.read().option("mode", "DROPMALFORMED").json(images).schema();
        schema = merge(schema, inferred);
      }
    }
    boolean adds =
        known == null ? schema.fields().length > 0 : schema.fields().length > known.fields().length;

    Map<String, String> options =
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    StructType withCorrupt = schema.add(CORRUPT, DataTypes.StringType);
    Dataset<Row> parsed =
        checked.withColumn(IMAGE, from_json(col(EVENT + ".image"), withCorrupt, options));
    Column typeError =
        when(
            col(IMAGE + "." + CORRUPT).isNotNull(),
            expr(typeError(schema, EVENT + ".image", IMAGE)));
    Dataset<Row> errors =
        parsed.withColumn(ERROR, coalesce(col("__lagoa_given"), col(EVENT + ".error"), typeError));

    List<Column> output = new ArrayList<>();
    for (StructField field : schema.fields()) {
      output.add(col(IMAGE + "." + quote(field.name())).as(field.name()));
    }
    if (rescue) {
      output.add(col(EVENT + ".rescued").as(RESCUED));
    }
    output.add(col(EVENT + ".op").as("_op"));
    output.add(from_json(col(EVENT + ".before"), schema, Map.of()).as("_before"));
    output.add(col(EVENT + ".ts_ms").as("_ts_ms"));
    output.add(
        when(
                col(EVENT + ".sequenced"),
                struct(col(EVENT + ".commit_lsn").as("commit_lsn"), col(EVENT + ".lsn").as("lsn")))
            .as("_sequence"));
    output.add(from_json(col(EVENT + ".source"), SOURCE, Map.of()).as("_source"));
    output.add(from_json(col(EVENT + ".transaction"), TRANSACTION, Map.of()).as("_transaction"));
    for (String name : metadata) {
      output.add(col(quote(name)));
    }
    Dataset<Row> rows =
        errors
            .where(col(ERROR).isNull().and(col(EVENT + ".tombstone").equalTo(false)))
            .select(output.toArray(new Column[0]));
    Dataset<Row> rejected =
        errors
            .where(col(ERROR).isNotNull())
            .select(
                lit(sourceName).as("_source"),
                col("_position"),
                col("_kafka_topic"),
                col("_kafka_partition"),
                col("_kafka_offset"),
                col("_kafka_key"),
                col("_source_file"),
                coalesce(col(RAW), expr("CAST(__lagoa_value AS BINARY)")).as("_raw"),
                col(ERROR).as("_error"),
                lit(runId).as("_run_id"),
                current_timestamp().as("_quarantined_at"));
    LongSupplier tombstones = () -> checked.where(col(EVENT + ".tombstone").equalTo(true)).count();
    return new Result(rows, rejected, schema, adds, release, tombstones);
  }

  /** Why an image did not fit the columns' types: the top-level fields whose type is wrong. */
  private static String typeError(StructType schema, String json, String parsed) {
    StringBuilder fields = new StringBuilder("concat_ws(', '");
    for (StructField field : schema.fields()) {
      String name = field.name().replace("\\", "\\\\").replace("'", "\\'");
      fields
          .append(", CASE WHEN from_json(")
          .append(json)
          .append(", 'map<string,string>')['")
          .append(name)
          .append("'] IS NOT NULL AND ")
          .append(parsed)
          .append('.')
          .append(quote(field.name()))
          .append(" IS NULL THEN '")
          .append(name)
          .append(" (")
          .append(field.dataType().sql())
          .append(")' END");
    }
    fields.append(")");
    return "concat('values do not match the schema: ', coalesce(nullif("
        + fields
        + ", ''), 'a nested field'))";
  }

  /** The first schema with the fields of the second that it lacks appended; types stay. */
  static StructType merge(StructType first, StructType second) {
    StructType merged = first;
    for (StructField field : second.fields()) {
      if (field.name().equals(CORRUPT)) {
        continue;
      }
      boolean present = false;
      for (String name : merged.fieldNames()) {
        present |= name.equalsIgnoreCase(field.name());
      }
      if (!present) {
        merged = merged.add(field.name(), field.dataType(), true);
      }
    }
    return merged;
  }

  private static Column[] withAll(List<Column> columns, Column... more) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(List.of(more));
    return all.toArray(new Column[0]);
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}

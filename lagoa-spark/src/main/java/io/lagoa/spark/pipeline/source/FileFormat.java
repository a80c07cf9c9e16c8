package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.SourceArguments;
import io.lagoa.pipeline.SourceCall;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How {@code read_files} reads one format: the per-format readers (json, csv, parquet, text,
 * airbyte) and what they share: the declared, learned and hinted schema, the {@code _source_file}
 * column, and the shape of rejected records.
 */
abstract sealed class FileFormat
    permits JsonFileFormat, CsvFileFormat, ParquetFileFormat, TextFileFormat, AirbyteFileFormat {
  static final String METADATA = "_source_file";
  static final String CORRUPT = KafkaSourceReader.CORRUPT;
  static final String RESCUED = KafkaSourceReader.RESCUED;

  static final StructType QUARANTINE =
      new StructType()
          .add("_source", DataTypes.StringType)
          .add("_position", DataTypes.StringType)
          .add("_kafka_topic", DataTypes.StringType)
          .add("_kafka_partition", DataTypes.IntegerType)
          .add("_kafka_offset", DataTypes.LongType)
          .add("_kafka_key", DataTypes.BinaryType)
          .add("_source_file", DataTypes.StringType)
          .add("_raw", DataTypes.BinaryType)
          .add("_error", DataTypes.StringType)
          .add("_run_id", DataTypes.StringType);

  /** A batch as read: the rows, the rejected records, and the schema learned so far. */
  record Built(
      Dataset<Row> rows,
      Dataset<Row> rejected,
      StructType schema,
      boolean addsColumns,
      Dataset<Row> checked,
      Runnable release) {}

  final SparkSession spark;
  final SourceCall call;
  final String format;
  final long maxRecordBytes;
  private final String schemaKey;
  final FileStaging staging;

  /** What every format's reader is built with: the source call and how its files are read. */
  record Context(
      SparkSession spark,
      SourceCall call,
      String format,
      long maxRecordBytes,
      String schemaKey,
      FileStaging staging) {}

  FileFormat(Context context) {
    this.spark = context.spark();
    this.call = context.call();
    this.format = context.format();
    this.maxRecordBytes = context.maxRecordBytes();
    this.schemaKey = context.schemaKey();
    this.staging = context.staging();
  }

  /**
   * The reader of {@code format} (json, csv, parquet, airbyte; anything else reads lines as text).
   */
  static FileFormat of(
      String format,
      SparkSession spark,
      SourceCall call,
      long maxRecordBytes,
      String schemaKey,
      FileStaging staging,
      Configuration conf,
      Map<String, List<String>> headers) {
    Context context = new Context(spark, call, format, maxRecordBytes, schemaKey, staging);
    return switch (format) {
      case "json" -> new JsonFileFormat(context);
      case "csv" -> new CsvFileFormat(context, conf, headers);
      case "parquet" -> new ParquetFileFormat(context);
      case "airbyte" -> new AirbyteFileFormat(context);
      default -> new TextFileFormat(context);
    };
  }

  /**
   * Reads the files (their downloaded copies, when staged) into rows and rejected records; Spark
   * reads lazily, and {@link Built#checked()} is what to count to read them for real.
   */
  abstract Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId);

  /**
   * What a read batch left out on purpose, as {@code ", skipped ..."} for the batch's description;
   * empty when nothing (as for every format but airbyte).
   */
  String skipped(Built built) {
    return "";
  }

  /** Where Spark reads each file: the file itself, or its downloaded copy. */
  String[] paths(List<FileLog.Entry> files) {
    return files.stream().map(staging::localPath).toArray(String[]::new);
  }

  /** {@code _source_file}: where each row came from (see {@link FileStaging#fileColumn}). */
  Column fileColumn() {
    return staging.fileColumn();
  }

  Dataset<Row> rejected(Dataset<Row> checked, Column raw, String runId) {
    return checked
        .where("__error IS NOT NULL")
        .select(
            lit(call.displayName()).as("_source"),
            col(METADATA + ".path").as("_position"),
            lit(null).cast("string").as("_kafka_topic"),
            lit(null).cast("int").as("_kafka_partition"),
            lit(null).cast("bigint").as("_kafka_offset"),
            lit(null).cast("binary").as("_kafka_key"),
            col(METADATA + ".path").as("_source_file"),
            raw.as("_raw"),
            col("__error").as("_error"),
            lit(runId).as("_run_id"),
            current_timestamp().as("_quarantined_at"));
  }

  Dataset<Row> emptyRejected(String runId) {
    return spark
        .createDataFrame(List.of(), QUARANTINE)
        .withColumn("_quarantined_at", current_timestamp());
  }

  /** The columns each row has before the known schema's (none but for airbyte). */
  StructType leading() {
    return new StructType();
  }

  /** A batch without rows, shaped like the source's known schema. */
  Built empty(Map<String, String> stored, String runId) {
    StructType known =
        format.equals("text")
            ? new StructType().add("value", DataTypes.StringType)
            : known(declared(), stored);
    StructType schema = leading();
    for (StructField field : known == null ? new StructField[0] : known.fields()) {
      schema = schema.add(field);
    }
    if ((format.equals("json") || format.equals("csv") || format.equals("airbyte"))
        && evolution(declared()).equals("rescue")) {
      schema = schema.add(RESCUED, DataTypes.StringType);
    }
    schema =
        schema.add(
            METADATA,
            new StructType()
                .add("path", DataTypes.StringType)
                .add("name", DataTypes.StringType)
                .add("size", DataTypes.LongType)
                .add("modification_time", DataTypes.TimestampType));
    Dataset<Row> rows = spark.createDataFrame(List.of(), schema);
    return new Built(
        rows, emptyRejected(runId), format.equals("text") ? null : known, false, rows, () -> {});
  }

  StructType declared() {
    if (call.argument("schema").isEmpty() || format.equals("parquet") || format.equals("text")) {
      return null;
    }
    return ddl("schema");
  }

  StructType ddl(String argument) {
    try {
      return StructType.fromDDL(call.argument(argument).orElseThrow());
    } catch (RuntimeException e) {
      throw new FlowException(
          call.positionOf(argument)
              + ": "
              + argument
              + " is not a valid list"
              + " of columns (e.g. 'id BIGINT, price DECIMAL(10,2)'): "
              + SourceText.firstLine(String.valueOf(e.getMessage())),
          e);
    }
  }

  String evolution(StructType declared) {
    return SourceArguments.schemaEvolution(call, declared != null);
  }

  /** The declared schema with the fields earlier batches added; or the learned schema. */
  StructType known(StructType declared, Map<String, String> stored) {
    String learned = stored.get(schemaKey);
    StructType fromSummary = learned == null ? null : (StructType) DataType.fromJson(learned);
    if (declared == null) {
      return fromSummary;
    }
    return fromSummary == null ? declared : KafkaSourceReader.merge(declared, fromSummary);
  }

  /** An inferred schema with the types schema_hints gives (hinted columns it lacks added). */
  StructType hinted(StructType inferred) {
    if (call.argument("schema_hints").isEmpty()) {
      return inferred;
    }
    StructType hints = ddl("schema_hints");
    StructType result = new StructType();
    for (StructField field : inferred.fields()) {
      StructField hint = field(hints, field.name());
      result =
          result.add(
              hint == null
                  ? field
                  : new StructField(field.name(), hint.dataType(), true, field.metadata()));
    }
    for (StructField hint : hints.fields()) {
      if (field(inferred, hint.name()) == null) {
        result = result.add(hint);
      }
    }
    return result;
  }

  static StructField field(StructType schema, String name) {
    if (schema == null) {
      return null;
    }
    for (StructField field : schema.fields()) {
      if (field.name().equalsIgnoreCase(name)) {
        return field;
      }
    }
    return null;
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}

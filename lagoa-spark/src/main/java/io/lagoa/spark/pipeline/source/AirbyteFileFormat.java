package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;

import io.lagoa.pipeline.SourceArguments.Files;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code format => 'airbyte'}: JSON Lines of what Airbyte writes, one record a line, in one of
 * three shapes:
 *
 * <ul>
 *   <li>a raw record as Destinations V2 write it: {@code {"_airbyte_raw_id",
 *       "_airbyte_extracted_at", "_airbyte_meta", "_airbyte_generation_id", "_airbyte_data":
 *       {...}}};
 *   <li>a raw record of the older destinations: {@code {"_airbyte_ab_id", "_airbyte_emitted_at",
 *       "_airbyte_data"}};
 *   <li>a protocol message as a source connector prints it: {@code {"type": "RECORD", "record":
 *       {"stream", "namespace", "data": {...}, "emitted_at", "meta"}}}. The other messages (STATE,
 *       LOG, TRACE, SPEC, CATALOG, CONNECTION_STATUS, CONTROL) are skipped and counted.
 * </ul>
 *
 * <p>Each row has {@code _airbyte_raw_id}, {@code _airbyte_extracted_at}, {@code _airbyte_stream}
 * and {@code _airbyte_meta}, then the data's fields, parsed as the json format parses a line
 * (declared or learned schema, new fields added or rescued; {@link JsonFileFormat#objects}). A
 * protocol message has no id: it gets a name-based UUID of its file's path and its line's place in
 * the file, the same on every read of the file.
 */
final class AirbyteFileFormat extends FileFormat {
  static final String RAW_ID = "_airbyte_raw_id";
  static final String EXTRACTED_AT = "_airbyte_extracted_at";
  static final String STREAM = "_airbyte_stream";
  static final String META = "_airbyte_meta";

  /** The columns before the data's fields. */
  static final StructType LEADING =
      new StructType()
          .add(RAW_ID, DataTypes.StringType)
          .add(EXTRACTED_AT, DataTypes.TimestampType)
          .add(STREAM, DataTypes.StringType)
          .add(META, DataTypes.StringType);

  /** The messages of the protocol that carry no record: skipped, not rejected. */
  private static final List<String> NOT_RECORDS =
      List.of("STATE", "LOG", "TRACE", "SPEC", "CATALOG", "CONNECTION_STATUS", "CONTROL");

  /** The fields of the three shapes, objects read as their JSON text. */
  private static final StructType ENVELOPE =
      new StructType()
          .add("type", DataTypes.StringType)
          .add(
              "record",
              new StructType()
                  .add("stream", DataTypes.StringType)
                  .add("namespace", DataTypes.StringType)
                  .add("data", DataTypes.StringType)
                  .add("emitted_at", DataTypes.StringType)
                  .add("meta", DataTypes.StringType))
          .add("_airbyte_raw_id", DataTypes.StringType)
          .add("_airbyte_ab_id", DataTypes.StringType)
          .add("_airbyte_extracted_at", DataTypes.StringType)
          .add("_airbyte_emitted_at", DataTypes.StringType)
          .add("_airbyte_meta", DataTypes.StringType)
          .add("_airbyte_stream", DataTypes.StringType)
          .add("_airbyte_data", DataTypes.StringType);

  private final JsonFileFormat json;

  AirbyteFileFormat(Context context) {
    super(context);
    this.json = new JsonFileFormat(context);
  }

  @Override
  StructType leading() {
    return LEADING;
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    Dataset<Row> text =
        spark
            .read()
            .format("text")
            .load(paths(files))
            .select(
                col("value").as("__line"),
                fileColumn(),
                col("_metadata.file_block_start").as("__block"));
    StructType numbered =
        new StructType()
            .add("__line", DataTypes.StringType)
            .add(text.schema().apply(METADATA))
            .add("__id", DataTypes.StringType);
    Dataset<Row> lines =
        text.mapPartitions(new LineIds(), Encoders.row(numbered))
            .where("length(trim(__line)) > 0")
            .withColumn("__e", from_json(col("__line"), ENVELOPE, Map.of("mode", "PERMISSIVE")))
            .withColumn("__ts", expr(timeText()))
            .withColumn("__skip", expr(skipped()))
            .withColumn(
                "value",
                expr("CASE WHEN __e.type IS NULL THEN __e._airbyte_data ELSE __e.record.data END"));
    List<Column> leading =
        List.of(
            expr("coalesce(__e._airbyte_raw_id, __e._airbyte_ab_id, __id)").as(RAW_ID),
            expr(timestamp("__ts")).as(EXTRACTED_AT),
            expr("coalesce(__e.record.stream, __e._airbyte_stream)").as(STREAM),
            expr("coalesce(__e._airbyte_meta, __e.record.meta)").as(META));
    return json.objects(
        new JsonFileFormat.Objects(lines, "__line", error(), "__skip IS NOT NULL", leading),
        stored,
        runId);
  }

  /** {@code ", skipped 3 messages (2 STATE, 1 LOG)"}, when it skipped any. */
  @Override
  String skipped(Built built) {
    if (!Arrays.asList(built.checked().columns()).contains("__skip")) {
      return "";
    }
    List<Row> counts =
        built
            .checked()
            .where("__skip IS NOT NULL")
            .groupBy("__skip")
            .count()
            .orderBy("__skip")
            .collectAsList();
    long total = 0;
    StringBuilder kinds = new StringBuilder();
    for (Row count : counts) {
      total += count.getLong(1);
      kinds
          .append(kinds.isEmpty() ? "" : ", ")
          .append(count.getLong(1))
          .append(' ')
          .append(count.getString(0));
    }
    return total == 0 ? "" : ", skipped " + total + " messages (" + kinds + ")";
  }

  /** The extraction time as written: epoch milliseconds or an ISO 8601 text. */
  private static String timeText() {
    return "coalesce(__e._airbyte_extracted_at, __e._airbyte_emitted_at, __e.record.emitted_at)";
  }

  /**
   * The timestamp a text of {@link #timeText()} means; null when none (numbers beyond the year
   * 30000 too: they would overflow, and fail the batch, rather than be quarantined).
   */
  private static String timestamp(String text) {
    String number = "try_cast(" + text + " AS DOUBLE)";
    return "CASE WHEN "
        + text
        + " RLIKE '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'"
        + " THEN CASE WHEN abs("
        + number
        + ") < 1e15 THEN timestamp_millis(CAST("
        + number
        + " AS BIGINT)) END"
        + " ELSE try_cast("
        + text
        + " AS TIMESTAMP) END";
  }

  /** Why a line is skipped (its message type, or that its stream is another): null when kept. */
  private String skipped() {
    StringBuilder types = new StringBuilder();
    for (String type : NOT_RECORDS) {
      types.append(types.isEmpty() ? "" : ", ").append('\'').append(type).append('\'');
    }
    String skip = "CASE WHEN upper(__e.type) IN (" + types + ") THEN upper(__e.type)";
    String stream = call.argument(Files.STREAM.name()).map(String::strip).orElse(null);
    if (stream != null) {
      String literal = "'" + stream.replace("\\", "\\\\").replace("'", "\\'") + "'";
      skip +=
          " WHEN upper(__e.type) = 'RECORD' AND __e.record.stream IS DISTINCT FROM "
              + literal
              + " THEN 'RECORD of another stream'"
              + " WHEN __e.type IS NULL AND __e._airbyte_stream <> "
              + literal
              + " THEN 'record of another stream'";
    }
    return skip + " END";
  }

  /** Why a line that is JSON is not an Airbyte record; null when it is one. */
  private static String error() {
    return "CASE WHEN json_object_keys(__line) IS NULL THEN"
        + " 'not a JSON object: invalid JSON, or JSON that is not {...}'"
        + " WHEN __e.type IS NOT NULL AND upper(__e.type) <> 'RECORD' THEN concat('not an Airbyte"
        + " record: a message of type ', __e.type, ' (RECORD, or one of "
        + String.join(", ", NOT_RECORDS)
        + " to skip)')"
        + " WHEN value IS NULL THEN 'not an Airbyte record: no \"_airbyte_data\" or"
        + " \"record.data\"'"
        + " WHEN json_object_keys(value) IS NULL THEN concat('not an Airbyte record: ',"
        + " CASE WHEN __e.type IS NULL THEN '\"_airbyte_data\"' ELSE '\"record.data\"' END,"
        + " ' is not a JSON object')"
        + " WHEN __ts IS NULL THEN 'not an Airbyte record: no \"_airbyte_extracted_at\","
        + " \"_airbyte_emitted_at\" or \"record.emitted_at\"'"
        + " WHEN "
        + timestamp("__ts")
        + " IS NULL THEN concat('the extraction time is not epoch milliseconds or an ISO 8601"
        + " timestamp: ', __ts)"
        + " END";
  }

  /**
   * Gives each line the id of a record that has none: a name-based UUID of its file's path, the
   * start of the part of the file Spark read it in, and its place in that part. Lines of one part
   * come in order in one partition, so reading the file again gives each line the same id.
   */
  private static final class LineIds implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return new Iterator<>() {
        private String part;
        private long index;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          Row row = rows.next();
          Row file = row.getStruct(1);
          String path = file.getString(0);
          String here = path + "\n" + row.getLong(2);
          if (!here.equals(part)) {
            part = here;
            index = 0;
          }
          String id =
              UUID.nameUUIDFromBytes((here + "\n" + index++).getBytes(StandardCharsets.UTF_8))
                  .toString();
          return RowFactory.create(row.getString(0), file, id);
        }
      };
    }
  }
}

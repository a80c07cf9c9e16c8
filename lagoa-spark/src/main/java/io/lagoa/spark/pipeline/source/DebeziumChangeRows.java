package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Debezium change events in JSON with their schema ({@code {"schema":...,"payload":...}}) as rows
 * of the change-row shape every Debezium source shares: the table's columns (the {@code after}
 * image, the {@code before} image for a delete, null for a truncate), {@code _op}, {@code _before},
 * {@code _ts_ms}, {@code _sequence}, {@code _source} and {@code _transaction}. Column types come
 * from the events' schemas; columns seen once stay (a later event without them has nulls there).
 *
 * <p>A minimal decoder for {@code read_postgres_cdc}: {@code read_kafka(format => 'debezium')} is
 * to get a fuller one, which can take its place behind {@link #decode}.
 */
final class DebeziumChangeRows {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> OPS = Set.of("c", "u", "d", "r", "t");

  static final StructType SEQUENCE =
      new StructType().add("commit_lsn", DataTypes.LongType).add("lsn", DataTypes.LongType);

  static final StructType SOURCE =
      new StructType()
          .add("version", DataTypes.StringType)
          .add("connector", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("ts_ms", DataTypes.LongType)
          .add("snapshot", DataTypes.StringType)
          .add("db", DataTypes.StringType)
          .add("sequence", DataTypes.StringType)
          .add("schema", DataTypes.StringType)
          .add("table", DataTypes.StringType)
          .add("txId", DataTypes.LongType)
          .add("lsn", DataTypes.LongType)
          .add("xmin", DataTypes.LongType)
          .add("file", DataTypes.StringType)
          .add("pos", DataTypes.LongType)
          .add("row", DataTypes.IntegerType)
          .add("server_id", DataTypes.LongType)
          .add("gtid", DataTypes.StringType);

  static final StructType TRANSACTION =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("total_order", DataTypes.LongType)
          .add("data_collection_order", DataTypes.LongType);

  private DebeziumChangeRows() {}

  /** One event: its JSON and where it is in the stream (for the quarantine). */
  record Event(String json, String position) {}

  /** An event that cannot be decoded, and why. */
  record Rejected(Event event, String error) {}

  /**
   * The decoded batch.
   *
   * @param columns the table's columns as far as known (the earlier ones first)
   * @param rows the rows, in {@link #shape}(columns)
   * @param rejected the events that could not be decoded
   */
  record Decoded(StructType columns, List<Row> rows, List<Rejected> rejected) {}

  /** The row type for a table with these columns. */
  static StructType shape(StructType columns) {
    return columns
        .add("_op", DataTypes.StringType)
        .add("_before", columns)
        .add("_ts_ms", DataTypes.LongType)
        .add("_sequence", SEQUENCE)
        .add("_source", SOURCE)
        .add("_transaction", TRANSACTION);
  }

  /**
   * Decodes events in order.
   *
   * @param known the columns learned by earlier batches, or null
   */
  static Decoded decode(List<Event> events, StructType known) {
    Map<String, StructField> columns = new LinkedHashMap<>();
    if (known != null) {
      for (StructField field : known.fields()) {
        columns.put(field.name().toLowerCase(Locale.ROOT), field);
      }
    }
    List<JsonNode> parsed = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    List<Event> accepted = new ArrayList<>();
    for (Event event : events) {
      try {
        JsonNode node = JSON.readTree(event.json());
        JsonNode payload = node == null ? null : node.get("payload");
        JsonNode op = payload == null ? null : payload.get("op");
        if (payload == null || op == null || !OPS.contains(op.asText())) {
          rejected.add(
              new Rejected(
                  event,
                  "not a Debezium change event: "
                      + (payload == null ? "no payload" : "op is " + op)));
          continue;
        }
        String conflict = learnColumns(node.get("schema"), columns);
        if (conflict != null) {
          rejected.add(new Rejected(event, conflict));
          continue;
        }
        parsed.add(node);
        accepted.add(event);
      } catch (Exception e) {
        rejected.add(new Rejected(event, "not JSON: " + e.getMessage()));
      }
    }
    StructType table = new StructType(columns.values().toArray(new StructField[0]));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      try {
        rows.add(row(parsed.get(i), table));
      } catch (RuntimeException e) {
        rejected.add(new Rejected(accepted.get(i), "cannot decode: " + e.getMessage()));
      }
    }
    return new Decoded(table, rows, rejected);
  }

  /** Adds the columns of an event's before/after schema; a conflict of types is an error. */
  private static String learnColumns(JsonNode envelope, Map<String, StructField> columns) {
    if (envelope == null || !envelope.has("fields")) {
      return null;
    }
    for (JsonNode image : envelope.get("fields")) {
      String name = image.path("field").asText();
      if (!name.equals("after") && !name.equals("before")) {
        continue;
      }
      for (JsonNode field : image.path("fields")) {
        String column = field.path("field").asText();
        DataType type = type(field);
        StructField known = columns.get(column.toLowerCase(Locale.ROOT));
        if (known == null) {
          columns.put(
              column.toLowerCase(Locale.ROOT),
              new StructField(column, type, true, org.apache.spark.sql.types.Metadata.empty()));
        } else if (!known.dataType().sameType(type)) {
          return "column "
              + column
              + " changed type from "
              + known.dataType().sql()
              + " to "
              + type.sql()
              + "; the table keeps "
              + known.dataType().sql();
        }
      }
    }
    return null;
  }

  private static Row row(JsonNode node, StructType table) {
    JsonNode payload = node.get("payload");
    Map<String, JsonNode> schemas = imageSchemas(node.get("schema"));
    String op = payload.get("op").asText();
    JsonNode before = payload.get("before");
    JsonNode after = payload.get("after");
    JsonNode image =
        switch (op) {
          case "d" -> before;
          case "t" -> null;
          default -> after;
        };
    Object[] values = new Object[table.fields().length + 6];
    Row imageRow = image(image, schemas, table);
    for (int i = 0; i < table.fields().length; i++) {
      values[i] = imageRow == null ? null : imageRow.get(i);
    }
    int at = table.fields().length;
    values[at] = op;
    values[at + 1] = image(before, schemas, table);
    values[at + 2] = longOrNull(payload.get("ts_ms"));
    JsonNode source = payload.get("source");
    values[at + 3] = sequence(source);
    values[at + 4] = source(source);
    values[at + 5] = transaction(payload.get("transaction"));
    return RowFactory.create(values);
  }

  /** The schema of each column of the event's before/after images, by lower-case name. */
  private static Map<String, JsonNode> imageSchemas(JsonNode envelope) {
    Map<String, JsonNode> schemas = new LinkedHashMap<>();
    if (envelope == null) {
      return schemas;
    }
    for (JsonNode image : envelope.path("fields")) {
      String name = image.path("field").asText();
      if (name.equals("after") || name.equals("before")) {
        for (JsonNode field : image.path("fields")) {
          schemas.put(field.path("field").asText().toLowerCase(Locale.ROOT), field);
        }
      }
    }
    return schemas;
  }

  private static Row image(JsonNode image, Map<String, JsonNode> schemas, StructType table) {
    if (image == null || image.isNull()) {
      return null;
    }
    Map<String, JsonNode> values = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = image.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      values.put(field.getKey().toLowerCase(Locale.ROOT), field.getValue());
    }
    Object[] row = new Object[table.fields().length];
    for (int i = 0; i < row.length; i++) {
      String name = table.fields()[i].name().toLowerCase(Locale.ROOT);
      JsonNode value = values.get(name);
      JsonNode schema = schemas.get(name);
      row[i] = value == null || value.isNull() || schema == null ? null : value(schema, value);
    }
    return RowFactory.create(row);
  }

  /** The Spark type of a Kafka Connect field schema, with Debezium's logical types. */
  static DataType type(JsonNode schema) {
    String name = schema.path("name").asText("");
    String type = schema.path("type").asText("");
    switch (name) {
      case "io.debezium.time.Date":
        return DataTypes.DateType;
      case "io.debezium.time.Timestamp":
      case "io.debezium.time.MicroTimestamp":
      case "io.debezium.time.NanoTimestamp":
        return DataTypes.TimestampNTZType;
      case "io.debezium.time.ZonedTimestamp":
        return DataTypes.TimestampType;
      case "io.debezium.time.Time":
      case "io.debezium.time.MicroTime":
      case "io.debezium.time.NanoTime":
        return DataTypes.LongType;
      case "org.apache.kafka.connect.data.Decimal":
        {
          JsonNode parameters = schema.path("parameters");
          int scale = Integer.parseInt(parameters.path("scale").asText("0"));
          int precision =
              Integer.parseInt(parameters.path("connect.decimal.precision").asText("38"));
          precision = Math.min(38, Math.max(precision, scale));
          return DataTypes.createDecimalType(precision, Math.min(scale, precision));
        }
      case "io.debezium.data.VariableScaleDecimal":
        return DataTypes.createDecimalType(38, 18);
      default:
        break;
    }
    return switch (type) {
      case "int8" -> DataTypes.ByteType;
      case "int16" -> DataTypes.ShortType;
      case "int32" -> DataTypes.IntegerType;
      case "int64" -> DataTypes.LongType;
      case "float32" -> DataTypes.FloatType;
      case "float64" -> DataTypes.DoubleType;
      case "boolean" -> DataTypes.BooleanType;
      case "bytes" -> DataTypes.BinaryType;
      case "array" -> ArrayType.apply(type(schema.path("items")), true);
      case "struct" -> {
        StructType struct = new StructType();
        for (JsonNode field : schema.path("fields")) {
          struct = struct.add(field.path("field").asText(), type(field), true);
        }
        yield struct;
      }
      default -> DataTypes.StringType; // string, and maps as their JSON
    };
  }

  /** A value as Spark takes it for {@link #type}(schema). */
  static Object value(JsonNode schema, JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    String name = schema.path("name").asText("");
    switch (name) {
      case "io.debezium.time.Date":
        return LocalDate.ofEpochDay(value.asLong());
      case "io.debezium.time.Timestamp":
        return micros(value.asLong() * 1000);
      case "io.debezium.time.MicroTimestamp":
        return micros(value.asLong());
      case "io.debezium.time.NanoTimestamp":
        return micros(Math.floorDiv(value.asLong(), 1000));
      case "io.debezium.time.ZonedTimestamp":
        return OffsetDateTime.parse(value.asText()).toInstant();
      case "io.debezium.time.Time":
        return value.asLong() * 1000;
      case "io.debezium.time.MicroTime":
        return value.asLong();
      case "io.debezium.time.NanoTime":
        return Math.floorDiv(value.asLong(), 1000);
      case "org.apache.kafka.connect.data.Decimal":
        {
          int scale = Integer.parseInt(schema.path("parameters").path("scale").asText("0"));
          return new BigDecimal(new BigInteger(Base64.getDecoder().decode(value.asText())), scale);
        }
      case "io.debezium.data.VariableScaleDecimal":
        {
          BigDecimal decimal =
              new BigDecimal(
                  new BigInteger(Base64.getDecoder().decode(value.path("value").asText())),
                  value.path("scale").asInt());
          return decimal.setScale(18, RoundingMode.HALF_UP);
        }
      default:
        break;
    }
    String type = schema.path("type").asText("");
    return switch (type) {
      case "int8" -> (byte) value.asInt();
      case "int16" -> (short) value.asInt();
      case "int32" -> value.asInt();
      case "int64" -> value.asLong();
      case "float32" -> (float) value.asDouble();
      case "float64" -> value.asDouble();
      case "boolean" -> value.asBoolean();
      case "bytes" -> Base64.getDecoder().decode(value.asText());
      case "array" -> {
        List<Object> items = new ArrayList<>();
        for (JsonNode item : value) {
          items.add(value(schema.path("items"), item));
        }
        yield items;
      }
      case "struct" -> {
        List<Object> fields = new ArrayList<>();
        for (JsonNode field : schema.path("fields")) {
          fields.add(value(field, value.get(field.path("field").asText())));
        }
        yield RowFactory.create(fields.toArray());
      }
      default -> value.isTextual() ? value.asText() : value.toString();
    };
  }

  private static LocalDateTime micros(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }

  /** {@code source.sequence} {@code ["<last commit lsn>","<lsn>"]}, else (null, source.lsn). */
  private static Row sequence(JsonNode source) {
    if (source == null || source.isNull()) {
      return null;
    }
    JsonNode sequence = source.get("sequence");
    if (sequence != null && sequence.isTextual()) {
      try {
        JsonNode parsed = JSON.readTree(sequence.asText());
        if (parsed.isArray() && parsed.size() == 2) {
          return RowFactory.create(parsedLong(parsed.get(0)), parsedLong(parsed.get(1)));
        }
      } catch (Exception e) {
        // fall through to the change's own LSN
      }
    }
    Long lsn = longOrNull(source.get("lsn"));
    return lsn == null ? null : RowFactory.create(null, lsn);
  }

  private static Long parsedLong(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return node.isNumber() ? node.asLong() : Long.parseLong(node.asText());
  }

  private static Row source(JsonNode source) {
    if (source == null || source.isNull()) {
      return null;
    }
    Object[] values = new Object[SOURCE.fields().length];
    for (int i = 0; i < values.length; i++) {
      StructField field = SOURCE.fields()[i];
      JsonNode value = source.get(field.name());
      if (value == null || value.isNull()) {
        continue;
      }
      if (field.dataType() == DataTypes.LongType) {
        values[i] = value.asLong();
      } else if (field.dataType() == DataTypes.IntegerType) {
        values[i] = value.asInt();
      } else {
        values[i] = value.isTextual() ? value.asText() : value.toString();
      }
    }
    return RowFactory.create(values);
  }

  private static Row transaction(JsonNode transaction) {
    if (transaction == null || transaction.isNull()) {
      return null;
    }
    JsonNode id = transaction.get("id");
    return RowFactory.create(
        id == null || id.isNull() ? null : id.asText(),
        longOrNull(transaction.get("total_order")),
        longOrNull(transaction.get("data_collection_order")));
  }

  private static Long longOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asLong();
  }
}

package io.lagoa.spark.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Kafka Connect schemas, as Debezium's JsonConverter writes them ({@code {"type":"int32",
 * "name":"io.debezium.time.Date", "field":"birth"}}), mapped to Spark types; and the values of a
 * payload converted to the JSON that Spark's {@code from_json} reads as those types.
 *
 * <table>
 *   <caption>Connect schema to Spark type</caption>
 *   <tr><th>schema</th><th>Spark</th><th>the value in the JSON payload</th></tr>
 *   <tr><td>int8, int16, int32</td><td>INT</td><td>a number</td></tr>
 *   <tr><td>int64</td><td>BIGINT</td><td>a number</td></tr>
 *   <tr><td>float32, float64</td><td>FLOAT, DOUBLE</td><td>a number</td></tr>
 *   <tr><td>boolean, string, bytes</td><td>BOOLEAN, STRING, BINARY</td><td>bytes in base64</td></tr>
 *   <tr><td>array, map, struct</td><td>ARRAY, MAP, STRUCT</td><td></td></tr>
 *   <tr><td>io.debezium.time.Date, org.apache.kafka.connect.data.Date</td><td>DATE</td>
 *     <td>days since 1970-01-01</td></tr>
 *   <tr><td>io.debezium.time.Timestamp, MicroTimestamp, NanoTimestamp,
 *     org.apache.kafka.connect.data.Timestamp</td><td>TIMESTAMP_NTZ</td>
 *     <td>milli-, micro-, nanoseconds since 1970-01-01T00:00</td></tr>
 *   <tr><td>io.debezium.time.ZonedTimestamp</td><td>TIMESTAMP</td>
 *     <td>ISO-8601 text with an offset</td></tr>
 *   <tr><td>io.debezium.time.Time, MicroTime, NanoTime, org.apache.kafka.connect.data.Time</td>
 *     <td>BIGINT (microseconds since midnight)</td><td>milli-, micro-, nanoseconds</td></tr>
 *   <tr><td>org.apache.kafka.connect.data.Decimal</td>
 *     <td>DECIMAL(p, s): p from {@code connect.decimal.precision} (else 38), s from {@code
 *     scale}; STRING when p &gt; 38</td><td>the unscaled two's-complement bytes in base64</td></tr>
 *   <tr><td>io.debezium.data.VariableScaleDecimal</td><td>DECIMAL(38, 18)</td>
 *     <td>{@code {"scale":2,"value":"<base64>"}}</td></tr>
 *   <tr><td>io.debezium.data.Json, Uuid, Xml, Enum, ZonedTime, ...</td><td>STRING</td>
 *     <td>text</td></tr>
 * </table>
 *
 * <p>Other logical types are read as their base type.
 */
public final class DebeziumTypes {
  public static final String DATE = "io.debezium.time.Date";
  public static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
  public static final String TIMESTAMP = "io.debezium.time.Timestamp";
  public static final String MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
  public static final String NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
  public static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";
  public static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
  public static final String TIME = "io.debezium.time.Time";
  public static final String MICRO_TIME = "io.debezium.time.MicroTime";
  public static final String NANO_TIME = "io.debezium.time.NanoTime";
  public static final String CONNECT_TIME = "org.apache.kafka.connect.data.Time";
  public static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
  public static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
  static final DecimalType VARIABLE_SCALE = DataTypes.createDecimalType(38, 18);
  private static final DateTimeFormatter NTZ =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private DebeziumTypes() {}

  /**
   * The Spark type of a Connect struct schema's fields ({@code {"type":"struct","fields":[...]}}).
   *
   * @throws IllegalArgumentException when it is not a struct schema, or a field's type is unknown
   */
  public static StructType structType(JsonNode schema) {
    if (!"struct".equals(text(schema, "type"))) {
      throw new IllegalArgumentException(
          "Cannot map schema: expected a struct schema, not " + describe(schema));
    }
    StructType struct = new StructType();
    JsonNode fields = schema.get("fields");
    if (fields == null || !fields.isArray()) {
      throw new IllegalArgumentException("Cannot map schema: a struct schema without \"fields\"");
    }
    for (JsonNode field : fields) {
      String name = text(field, "field");
      if (name == null) {
        throw new IllegalArgumentException(
            "Cannot map schema: a field without a name: " + describe(field));
      }
      struct = struct.add(name, dataType(field), true);
    }
    return struct;
  }

  /** The Spark type of one Connect schema (a field's schema). */
  public static DataType dataType(JsonNode schema) {
    String logical = text(schema, "name");
    String type = text(schema, "type");
    if (type == null) {
      throw new IllegalArgumentException("Cannot map schema: no \"type\" in " + describe(schema));
    }
    if (logical != null) {
      switch (logical) {
        case DATE, CONNECT_DATE:
          return DataTypes.DateType;
        case TIMESTAMP, MICRO_TIMESTAMP, NANO_TIMESTAMP, CONNECT_TIMESTAMP:
          return DataTypes.TimestampNTZType;
        case ZONED_TIMESTAMP:
          return DataTypes.TimestampType;
        case TIME, MICRO_TIME, NANO_TIME, CONNECT_TIME:
          return DataTypes.LongType;
        case DECIMAL:
          return decimalType(schema);
        case VARIABLE_SCALE_DECIMAL:
          return VARIABLE_SCALE;
        default:
          break; // io.debezium.data.Json, Uuid, Xml, Enum, ...: the base type
      }
    }
    switch (type) {
      case "int8", "int16", "int32":
        return DataTypes.IntegerType;
      case "int64":
        return DataTypes.LongType;
      case "float32":
        return DataTypes.FloatType;
      case "float64":
        return DataTypes.DoubleType;
      case "boolean":
        return DataTypes.BooleanType;
      case "string":
        return DataTypes.StringType;
      case "bytes":
        return DataTypes.BinaryType;
      case "array":
        return DataTypes.createArrayType(dataType(required(schema, "items")), true);
      case "map":
        return DataTypes.createMapType(
            dataType(required(schema, "keys")), dataType(required(schema, "values")), true);
      case "struct":
        return structType(schema);
      default:
        throw new IllegalArgumentException(
            "Cannot map schema: unknown type \"" + type + "\" in " + describe(schema));
    }
  }

  private static DataType decimalType(JsonNode schema) {
    JsonNode parameters = schema.get("parameters");
    int scale = intParameter(parameters, "scale", 0);
    int precision = intParameter(parameters, "connect.decimal.precision", 38);
    if (precision > 38 || scale > 38 || scale < 0) {
      return DataTypes.StringType;
    }
    return DataTypes.createDecimalType(Math.max(precision, scale), scale);
  }

  private static int intParameter(JsonNode parameters, String name, int otherwise) {
    if (parameters == null || parameters.get(name) == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(parameters.get(name).asText());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Cannot map schema: parameter " + name + " is not a number: " + parameters.get(name), e);
    }
  }

  /**
   * A payload value of this schema as the JSON Spark's {@code from_json} reads as {@link
   * #dataType}: dates as {@code "2021-03-01"}, timestamps without zone as {@code
   * "2021-03-01T12:00:00.123456"}, decimals as numbers, times as microseconds.
   *
   * @param path the field's name, for errors
   * @throws IllegalArgumentException when the value does not have the schema's type
   */
  public static JsonNode sparkValue(JsonNode schema, JsonNode value, String path) {
    if (value == null || value.isNull()) {
      return NODES.nullNode();
    }
    String logical = text(schema, "name");
    String type = text(schema, "type");
    if (logical != null) {
      switch (logical) {
        case DATE, CONNECT_DATE:
          return NODES.textNode(LocalDate.ofEpochDay(integral(value, path, type)).toString());
        case TIMESTAMP, CONNECT_TIMESTAMP:
          return ntz(Math.multiplyExact(integral(value, path, type), 1000L));
        case MICRO_TIMESTAMP:
          return ntz(integral(value, path, type));
        case NANO_TIMESTAMP:
          return ntz(Math.floorDiv(integral(value, path, type), 1000L));
        case TIME, CONNECT_TIME:
          return NODES.numberNode(Math.multiplyExact(integral(value, path, type), 1000L));
        case MICRO_TIME:
          return NODES.numberNode(integral(value, path, type));
        case NANO_TIME:
          return NODES.numberNode(Math.floorDiv(integral(value, path, type), 1000L));
        case DECIMAL:
          {
            BigDecimal decimal =
                new BigDecimal(
                    new BigInteger(bytes(value, path, type)),
                    intParameter(schema.get("parameters"), "scale", 0));
            return decimalType(schema) instanceof DecimalType
                ? NODES.numberNode(decimal)
                : NODES.textNode(decimal.toPlainString());
          }
        case VARIABLE_SCALE_DECIMAL:
          {
            if (!value.isObject() || !value.path("scale").canConvertToInt()) {
              throw mismatch(path, logical, value);
            }
            return NODES.numberNode(
                new BigDecimal(
                    new BigInteger(bytes(value.get("value"), path, logical)),
                    value.get("scale").intValue()));
          }
        case ZONED_TIMESTAMP:
          if (!value.isTextual()) {
            throw mismatch(path, logical, value);
          }
          return value;
        default:
          break;
      }
    }
    switch (String.valueOf(type)) {
      case "int8", "int16", "int32", "int64":
        if (!value.isIntegralNumber()) {
          throw mismatch(path, type, value);
        }
        return value;
      case "float32", "float64":
        if (!value.isNumber() && !(value.isTextual() && isSpecialFloat(value.asText()))) {
          throw mismatch(path, type, value);
        }
        return value;
      case "boolean":
        if (!value.isBoolean()) {
          throw mismatch(path, type, value);
        }
        return value;
      case "string":
        if (!value.isTextual()) {
          throw mismatch(path, type, value);
        }
        return value;
      case "bytes":
        bytes(value, path, type);
        return value;
      case "array":
        {
          if (!value.isArray()) {
            throw mismatch(path, type, value);
          }
          ArrayNode array = NODES.arrayNode();
          int index = 0;
          for (JsonNode item : value) {
            array.add(sparkValue(schema.get("items"), item, path + "[" + index++ + "]"));
          }
          return array;
        }
      case "map":
        {
          if (!value.isObject()) {
            throw mismatch(path, type, value);
          }
          ObjectNode map = NODES.objectNode();
          for (Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
              entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            map.set(
                entry.getKey(),
                sparkValue(schema.get("values"), entry.getValue(), path + "." + entry.getKey()));
          }
          return map;
        }
      case "struct":
        return struct(schema, value, path);
      default:
        throw new IllegalArgumentException(
            path + " has the unknown type \"" + type + "\" in the schema");
    }
  }

  /**
   * A struct payload converted field by field ({@link #sparkValue}).
   *
   * @throws IllegalArgumentException when it is not an object, has a field the schema lacks, or a
   *     value of the wrong type
   */
  public static ObjectNode struct(JsonNode schema, JsonNode value, String path) {
    if (!value.isObject()) {
      throw mismatch(path, "struct", value);
    }
    ObjectNode converted = NODES.objectNode();
    JsonNode fields = schema.path("fields");
    for (JsonNode field : fields) {
      String name = text(field, "field");
      String inner = path.isEmpty() ? name : path + "." + name;
      converted.set(name, sparkValue(field, value.get(name), inner));
    }
    for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (field(schema, name) == null) {
        throw new IllegalArgumentException(
            (path.isEmpty() ? "" : path + ".") + name + " is in the payload but not in the schema");
      }
    }
    return converted;
  }

  /** The field of a struct schema with this name, or null. */
  public static JsonNode field(JsonNode structSchema, String name) {
    for (JsonNode field : structSchema.path("fields")) {
      if (name.equals(text(field, "field"))) {
        return field;
      }
    }
    return null;
  }

  private static boolean isSpecialFloat(String text) {
    return text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
  }

  private static JsonNode ntz(long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
    LocalDateTime time =
        LocalDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), ZoneOffset.UTC);
    return NODES.textNode(NTZ.format(time));
  }

  private static long integral(JsonNode value, String path, String type) {
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw mismatch(path, type, value);
    }
    return value.longValue();
  }

  private static byte[] bytes(JsonNode value, String path, String type) {
    if (value == null || !value.isTextual()) {
      throw mismatch(path, type, value);
    }
    try {
      return Base64.getDecoder().decode(value.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          path + " is " + type + " (base64 bytes) in the schema, not base64: " + abbreviate(value),
          e);
    }
  }

  private static IllegalArgumentException mismatch(String path, String type, JsonNode value) {
    return new IllegalArgumentException(
        path + " is " + type + " in the schema, but the payload has " + abbreviate(value));
  }

  private static String abbreviate(JsonNode value) {
    String text = String.valueOf(value);
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static JsonNode required(JsonNode schema, String name) {
    JsonNode node = schema.get(name);
    if (node == null) {
      throw new IllegalArgumentException(
          "Cannot map schema: no \"" + name + "\" in " + describe(schema));
    }
    return node;
  }

  static String text(JsonNode node, String name) {
    JsonNode value = node == null ? null : node.get(name);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String describe(JsonNode schema) {
    return abbreviate(schema);
  }
}

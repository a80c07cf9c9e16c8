package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The common record in one pass over its UTF-8 bytes: a JSON object whose fields hold strings,
 * integers, floating-point numbers, booleans or null, read into the schema's columns exactly as
 * Spark's {@code JacksonParser} reads them, or {@link Outcome#NOT_PLAIN} when the record is
 * anything else, and then the caller reads it Spark's way.
 *
 * <p>Spark's parser decodes each record into a {@code String} and reads it through a {@code
 * Reader}; it is a third of a Kafka batch's CPU. Here Jackson reads the bytes themselves, with its
 * default (strict) features, a subset of what Spark's JSON options accept (they add single quotes
 * and NaN): a record this reader accepts, Spark's accepts and reads the same. It gives up on
 * whatever could convert differently or fail: bytes that are not well-formed UTF-8 (or could be
 * taken for UTF-16), a root that is not an object, a value of a field whose type is not below, a
 * value whose JSON type does not convert without loss (a string for a number, a number for a
 * string, an integer too large), any parse error. Names match exactly, the last of a duplicated
 * name wins and unknown fields are skipped, as in Spark; what follows the object is not read by
 * either. Types read here: STRING (the default collation), BIGINT, INT, DOUBLE, BOOLEAN; a JSON
 * null is null for any type.
 */
final class ScalarJsonFields {
  /** What reading a record found. */
  enum Outcome {
    /** The values are Spark's; every field name was in the schema. */
    KNOWN_FIELDS,
    /** The values are Spark's; some field names were not in the schema. */
    UNKNOWN_FIELDS,
    /** Not read: the caller reads the record Spark's way. */
    NOT_PLAIN
  }

  private enum Kind {
    STRING,
    LONG,
    INT,
    DOUBLE,
    BOOLEAN,
    /** any other type: only a JSON null is read here */
    OTHER
  }

  private final Map<String, Integer> index = new HashMap<>();
  private final Kind[] kinds;
  private final JsonFactory factory = new JsonFactory();

  /**
   * @param schema the columns, in the order {@link #read} fills them
   */
  ScalarJsonFields(StructType schema) {
    StructField[] fields = schema.fields();
    kinds = new Kind[fields.length];
    for (int i = 0; i < fields.length; i++) {
      kinds[i] = kind(fields[i]);
      index.put(fields[i].name(), i); // as StructType.getFieldIndex: the last of a duplicate
    }
  }

  private static Kind kind(StructField field) {
    if (field.metadata().contains("EXISTS_DEFAULT")) {
      return Kind.OTHER; // Spark fills a missing field with its default: not done here
    }
    DataType type = field.dataType();
    if (type == DataTypes.StringType) {
      return Kind.STRING;
    } else if (type == DataTypes.LongType) {
      return Kind.LONG;
    } else if (type == DataTypes.IntegerType) {
      return Kind.INT;
    } else if (type == DataTypes.DoubleType) {
      return Kind.DOUBLE;
    } else if (type == DataTypes.BooleanType) {
      return Kind.BOOLEAN;
    }
    return Kind.OTHER;
  }

  /**
   * Reads the record in {@code bytes[offset, offset + length)} into {@code values[0, schema size)}
   * (left null for fields the record lacks). On {@link Outcome#NOT_PLAIN} the values are partly
   * written and must not be used.
   */
  Outcome read(byte[] bytes, int offset, int length, Object[] values) {
    if (length == 0 || !RescuedFields.plainUtf8(bytes, offset, length)) {
      return Outcome.NOT_PLAIN;
    }
    boolean unknown = false;
    try (JsonParser parser = factory.createParser(bytes, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Outcome.NOT_PLAIN;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        Integer field = index.get(parser.currentName());
        JsonToken value = parser.nextToken();
        if (field == null) {
          unknown = true;
          parser.skipChildren();
          continue;
        }
        int i = field;
        if (value == JsonToken.VALUE_NULL) {
          values[i] = null;
          continue;
        }
        Object converted = convert(kinds[i], value, parser, bytes, offset, offset + length);
        if (converted == null) {
          return Outcome.NOT_PLAIN;
        }
        values[i] = converted;
      }
      if (token != JsonToken.END_OBJECT) {
        return Outcome.NOT_PLAIN;
      }
    } catch (IOException | RuntimeException e) {
      return Outcome.NOT_PLAIN;
    }
    return unknown ? Outcome.UNKNOWN_FIELDS : Outcome.KNOWN_FIELDS;
  }

  /**
   * The string the parser stands at. Without escapes its UTF-8 bytes are the record's own (checked
   * well-formed before), copied as they are; Jackson then skips them instead of decoding them to
   * characters that Spark encodes back to UTF-8 (most of the cost of a long text field).
   */
  private static UTF8String string(JsonParser parser, byte[] bytes, int offset, int end)
      throws IOException {
    long after = parser.currentLocation().getByteOffset(); // just after the opening quote
    int start = offset + (int) after;
    if (after > 0 && start <= end && bytes[start - 1] == '"') {
      int close = plainStringEnd(bytes, start, end);
      if (close >= 0) {
        return UTF8String.fromBytes(Arrays.copyOfRange(bytes, start, close));
      }
    }
    return UTF8String.fromString(parser.getText());
  }

  /**
   * The index of the quote that ends a string starting at {@code from}, or -1 when the string has
   * an escape or a control character (Jackson decides those) or does not end before {@code end}.
   * Eight bytes at a time: most of a record's bytes are in its strings.
   */
  static int plainStringEnd(byte[] bytes, int from, int end) {
    int i = from;
    while (i + 8 <= end) {
      long word = (long) RescuedFields.LONGS.get(bytes, i);
      if (special(word) != 0) {
        break;
      }
      i += 8;
    }
    for (; i < end; i++) {
      byte b = bytes[i];
      if (b == '"') {
        return i;
      }
      if (b == '\\' || (b >= 0 && b < 0x20)) {
        return -1;
      }
    }
    return -1;
  }

  /** Non-zero when a byte of the word is a quote, a backslash or below 0x20 (ASCII control). */
  private static long special(long word) {
    long quote = word ^ 0x2222222222222222L;
    long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
    return (zeroByte(quote) | zeroByte(backslash) | ((word - 0x2020202020202020L) & ~word))
        & 0x8080808080808080L;
  }

  private static long zeroByte(long word) {
    return (word - 0x0101010101010101L) & ~word;
  }

  /** The value as Spark's converter for the kind gives it, or null where this reader gives up. */
  private static Object convert(
      Kind kind, JsonToken value, JsonParser parser, byte[] bytes, int offset, int end)
      throws IOException {
    switch (kind) {
      case STRING:
        return value == JsonToken.VALUE_STRING ? string(parser, bytes, offset, end) : null;
      case LONG:
        if (value == JsonToken.VALUE_NUMBER_INT) {
          JsonParser.NumberType type = parser.getNumberType();
          if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
            return parser.getLongValue();
          }
        }
        return null;
      case INT:
        return value == JsonToken.VALUE_NUMBER_INT
                && parser.getNumberType() == JsonParser.NumberType.INT
            ? parser.getIntValue()
            : null;
      case DOUBLE:
        return value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT
            ? parser.getDoubleValue()
            : null;
      case BOOLEAN:
        if (value == JsonToken.VALUE_TRUE) {
          return Boolean.TRUE;
        }
        return value == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
      default:
        return null;
    }
  }
}

package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.objects.Invoke;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The {@code _rescued_data} of a JSON record: its top-level fields whose names the schema lacks, as
 * a JSON object of strings, null when there are none (or when the record is not a JSON object).
 *
 * <p>One streaming pass over the record's UTF-8 bytes: the values of known fields are skipped,
 * those of unknown ones written out. The result is exactly that of the SQL expression it replaced
 * (TestRescuedFields compares them record by record):
 *
 * <pre>
 * CASE WHEN size(array_except(json_object_keys(v), array(known...))) &gt; 0
 *   THEN to_json(map_filter(from_json(v, 'map&lt;string,string&gt;'),
 *                           (k, x) -&gt; array_contains(array_except(...), k))) END
 * </pre>
 *
 * which parsed each record two or three times, each through a {@code java.io.Reader}. So: names
 * compare case-sensitively; a duplicated unknown name appears as often as in the record; strings
 * are unescaped, other values (numbers, booleans, objects, arrays) become their JSON text as a
 * string, re-written by Jackson as {@code from_json} does (1.50 becomes "1.5"); JSON null stays
 * null; what follows the object's closing brace is not read; invalid JSON gives null (single quotes
 * are accepted, as they were; the error column rejects invalid records anyway). Bytes that are not
 * valid UTF-8, and escaped lone surrogates (U+D800 written as a JSON escape), are rare: for them a
 * slower pass repeats what Spark did step by step.
 *
 * <p>{@link #column} makes the column: Spark's generated code calls {@link #invoke} on this object
 * ({@link Invoke}), which is serializable (it travels with the plan) and keeps no state between
 * records.
 */
public final class RescuedFields implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The record's bytes read eight at a time (also by {@link ScalarJsonFields}). */
  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long HIGH_BITS = 0x8080808080808080L;

  /** The schema's field names as Spark compares them (lone surrogates read as '?'). */
  private final Set<String> known;

  /**
   * JSON as both {@code json_object_keys} and {@code from_json} accepted it: single quotes, no
   * control characters in strings ({@code from_json} refused those), no NaN ({@code
   * json_object_keys} refused it).
   */
  private final transient JsonFactory factory =
      JsonFactory.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

  RescuedFields(StructType schema) {
    this(names(schema));
  }

  private RescuedFields(Set<String> known) {
    this.known = known;
  }

  private static Set<String> names(StructType schema) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : schema.fieldNames()) {
      names.add(asSpark(name));
    }
    return names;
  }

  /** A copy with its own parser factory, for the copy a task deserializes. */
  private Object readResolve() {
    return new RescuedFields(known);
  }

  /** The rescued-data column of {@code value} (a STRING or BINARY column holding the JSON text). */
  static Column column(Column value, StructType schema) {
    return RecordCalls.onText(new RescuedFields(schema), DataTypes.StringType, value);
  }

  /** The rescued fields of a record's JSON text, or null; generated code calls it per record. */
  public UTF8String invoke(UTF8String value) {
    if (value == null) {
      return null;
    }
    if (value.getBaseObject() instanceof byte[] bytes) {
      long offset = value.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET;
      return rescued(bytes, (int) offset, value.numBytes());
    }
    return rescued(value.getBytes(), 0, value.numBytes());
  }

  UTF8String rescued(byte[] bytes, int offset, int length) {
    if (!plainUtf8(bytes, offset, length)) {
      // Spark decoded such bytes with replacement characters; do the same, then parse the chars.
      try (JsonParser parser =
          factory.createParser(
              new InputStreamReader(
                  new ByteArrayInputStream(bytes, offset, length), StandardCharsets.UTF_8))) {
        return rescued(parser, true);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    UTF8String result;
    boolean failed = false;
    try (JsonParser parser = factory.createParser(bytes, offset, length)) {
      result = rescued(parser, false);
    } catch (IOException | RuntimeException e) {
      result = null;
      failed = true;
    }
    if ((result == null && !failed) || !hasEscapedSurrogate(bytes, offset, length)) {
      return result;
    }
    try (JsonParser parser = factory.createParser(bytes, offset, length)) {
      return rescued(parser, true);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The unknown fields of the object the parser starts at.
   *
   * @param exact convert every value as {@code from_json(v, 'map<string,string>')} did (a value it
   *     could not convert made the whole result null) and read names as Spark strings; without it
   *     known values are skipped, which gives the same result unless the record holds lone
   *     surrogates
   */
  private UTF8String rescued(JsonParser parser, boolean exact) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    CharArrayWriter out = null;
    JsonGenerator writer = null;
    ByteArrayOutputStream scratch = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = exact ? asSpark(parser.currentName()) : parser.currentName();
      JsonToken token = parser.nextToken();
      boolean unknown = !known.contains(name);
      if (!unknown && !exact) {
        parser.skipChildren();
        continue;
      }
      String value;
      if (token == JsonToken.VALUE_NULL) {
        value = null;
      } else if (token == JsonToken.VALUE_STRING) {
        value = exact ? asSpark(parser.getText()) : parser.getText();
      } else {
        // what from_json does for a non-string value of a STRING map: Jackson re-writes it
        if (scratch == null) {
          scratch = new ByteArrayOutputStream(64);
        } else {
          scratch.reset();
        }
        try (JsonGenerator copy = factory.createGenerator(scratch, JsonEncoding.UTF8)) {
          copy.copyCurrentStructure(parser);
        }
        value = scratch.toString(StandardCharsets.UTF_8);
      }
      if (!unknown) {
        continue;
      }
      if (writer == null) {
        // chars, then UTF-8, as to_json did: Jackson's UTF-8 writer would escape surrogate pairs
        out = new CharArrayWriter(128);
        writer = factory.createGenerator(out);
        writer.writeStartObject();
      }
      writer.writeFieldName(name);
      if (value == null) {
        writer.writeNull();
      } else {
        writer.writeString(value);
      }
    }
    if (writer == null) {
      return null;
    }
    writer.writeEndObject();
    writer.close();
    return UTF8String.fromString(out.toString());
  }

  /**
   * Whether Jackson's byte parser reads these bytes as Spark's {@code Reader} did: valid UTF-8
   * (Jackson does not reject overlong forms or encoded surrogates, the JDK's decoder replaces
   * them), without a byte-order mark or a zero byte at the start (Jackson would take those as
   * another encoding).
   */
  static boolean plainUtf8(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < Math.min(end, offset + 4); i++) {
      if (bytes[i] == 0) {
        return false;
      }
    }
    int i = offset;
    while (i + 8 <= end && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
      i += 8;
    }
    while (i < end && bytes[i] >= 0) {
      i++;
    }
    if (i == end) {
      return true;
    }
    if (i == offset && length >= 3 && (bytes[i] & 0xFF) == 0xEF) {
      if ((bytes[i + 1] & 0xFF) == 0xBB && (bytes[i + 2] & 0xFF) == 0xBF) {
        return false;
      }
    }
    return validUtf8(bytes, i, end);
  }

  /** Well-formed UTF-8 (RFC 3629): what the JDK decodes without replacement characters. */
  private static boolean validUtf8(byte[] bytes, int from, int end) {
    int i = from;
    while (i < end) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int count;
      int low = 0x80;
      int high = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        count = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        count = 2;
        if (b == 0xE0) {
          low = 0xA0;
        } else if (b == 0xED) {
          high = 0x9F;
        }
      } else if (b >= 0xF0 && b <= 0xF4) {
        count = 3;
        if (b == 0xF0) {
          low = 0x90;
        } else if (b == 0xF4) {
          high = 0x8F;
        }
      } else {
        return false;
      }
      if (i + count >= end) {
        return false;
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < low || second > high) {
        return false;
      }
      for (int k = 2; k <= count; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += count + 1;
    }
    return true;
  }

  /** Whether the text may hold a JSON escape of a surrogate (U+D800 to U+DFFF). */
  static boolean hasEscapedSurrogate(byte[] bytes, int offset, int length) {
    int end = offset + length - 3;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\\' && bytes[i + 1] == 'u' && (bytes[i + 2] | 0x20) == 'd') {
        int c = bytes[i + 3] | 0x20;
        if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f')) {
          return true;
        }
      }
    }
    return false;
  }

  /** The string as a Spark string reads back: lone surrogates become '?'. */
  static String asSpark(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isSurrogate(text.charAt(i))) {
        return UTF8String.fromString(text).toString();
      }
    }
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RescuedFields that && that.known.equals(known);
  }

  @Override
  public int hashCode() {
    return known.hashCode();
  }

  @Override
  public String toString() {
    return "rescued_fields" + Arrays.toString(known.toArray());
  }
}

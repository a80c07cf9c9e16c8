package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.objects.Invoke;
import org.apache.spark.sql.catalyst.json.CreateJacksonParser;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonParser;
import org.apache.spark.sql.catalyst.util.FailureSafeParser;
import org.apache.spark.sql.catalyst.util.PermissiveMode$;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A JSON record's columns as {@code from_json(value, schema, map('mode', 'PERMISSIVE',
 * 'columnNameOfCorruptRecord', corrupt))} reads them, with Spark's own {@link JacksonParser}, in
 * generated code and without a decoder per record.
 *
 * <p>{@code from_json} wraps every record in a {@code java.io.Reader} (an 8 KB buffer and a
 * character decoder per record) and is evaluated interpreted inside generated code (it has no code
 * generation of its own), which copies the record's bytes once more. Here generated code calls
 * {@link #invoke} ({@link Invoke}) with the record's text, and records whose bytes are plain UTF-8
 * are decoded to a string at once and read through a {@code StringReader}; the others (bytes that
 * are not valid UTF-8, a byte-order mark, a zero byte at the start) go through the same Reader as
 * before. The parse, the corrupt-record column, and the partial results of a record that fails half
 * way are Spark's ({@link FailureSafeParser}); TestJsonColumns compares both over tricky and random
 * records.
 *
 * <p>The object is serializable (it travels with the plan); its parser is made on first use in each
 * deserialized copy, as {@code from_json}'s is.
 */
public final class JsonColumns implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The name of the rescued-data field that {@link #column} adds when asked to. */
  static final String RESCUED = "__lagoa_rescued";

  /**
   * The name of the field that holds the byte count of a record longer than the limit given to
   * {@link #column(Column, StructType, String, String, boolean, long)}, which is not parsed (its
   * other fields are null); null for the others.
   */
  static final String OVERSIZED = "__lagoa_oversized";

  /** No limit on a record's bytes, and no {@link #OVERSIZED} field. */
  static final long NO_LIMIT = -1;

  /**
   * The schema with the corrupt-record column, all nullable, as from_json parses into; then the
   * rescued-data field and the byte-count field ({@link #OVERSIZED}), each when asked for.
   */
  private final StructType schema;

  private final String corrupt;
  private final String timeZone;

  /** The record's rescued data ({@link RescuedFields}) in field {@link #RESCUED}, or null. */
  private final RescuedFields rescued;

  /** The most bytes a record may have, or {@link #NO_LIMIT}. */
  private final long maxBytes;

  private transient FailureSafeParser<UTF8String> parser;

  /** Null once most records turned out not to be plain (then trying first only costs). */
  private transient ScalarJsonFields plain;

  private transient long tried;
  private transient long notPlain;

  private JsonColumns(
      StructType schema, String corrupt, String timeZone, RescuedFields rescued, long maxBytes) {
    this.schema = schema;
    this.corrupt = corrupt;
    this.timeZone = timeZone;
    this.rescued = rescued;
    this.maxBytes = maxBytes;
  }

  /**
   * The parsed columns of {@code value} (a STRING or BINARY column holding JSON text), a struct of
   * {@code schema}'s fields and {@code corrupt}, the record's text when it cannot be read.
   *
   * @param timeZone the session's time zone, for timestamp fields (from_json's)
   */
  static Column column(Column value, StructType schema, String corrupt, String timeZone) {
    return column(value, schema, corrupt, timeZone, false);
  }

  /**
   * As {@link #column(Column, StructType, String, String)}, with the record's {@code _rescued_data}
   * ({@link RescuedFields}: the fields the schema lacks) in a last field, {@link #RESCUED}, when
   * {@code rescue}: found in the same pass over the record.
   */
  static Column column(
      Column value, StructType schema, String corrupt, String timeZone, boolean rescue) {
    return column(value, schema, corrupt, timeZone, rescue, NO_LIMIT);
  }

  /**
   * As {@link #column(Column, StructType, String, String, boolean)}, and a record of more than
   * {@code maxBytes} bytes is not parsed: its {@link #OVERSIZED} field (added last) holds its byte
   * count, the others are null. The caller need not read the record's bytes again to find its
   * length (for a BINARY column Spark's {@code octet_length} copies them).
   */
  static Column column(
      Column value,
      StructType schema,
      String corrupt,
      String timeZone,
      boolean rescue,
      long maxBytes) {
    StructType fields = schema.add(corrupt, DataTypes.StringType);
    if (rescue) {
      fields = fields.add(RESCUED, DataTypes.StringType);
    }
    if (maxBytes != NO_LIMIT) {
      fields = fields.add(OVERSIZED, DataTypes.IntegerType);
    }
    JsonColumns function =
        new JsonColumns(
            (StructType) fields.asNullable(),
            corrupt,
            timeZone,
            rescue ? new RescuedFields(schema) : null,
            maxBytes);
    return RecordCalls.onText(
        function, function.schema, value); // no value, no struct (as from_json)
  }

  /** The record's columns, or null for a null record; generated code calls it per record. */
  public InternalRow invoke(UTF8String value) {
    if (value == null) {
      return null;
    }
    if (maxBytes != NO_LIMIT && value.numBytes() > maxBytes) {
      Object[] values = new Object[schema.size()];
      values[values.length - 1] = value.numBytes();
      return new GenericInternalRow(values);
    }
    if (parser == null) {
      StructType parsed = parsed();
      parser = parser(parsed);
      plain = new ScalarJsonFields(parsed);
    }
    if (plain != null && value.getBaseObject() instanceof byte[] bytes) {
      // most records: a flat object of plain values, read from the bytes in one pass
      Object[] values = new Object[schema.size()];
      int offset = (int) (value.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET);
      ScalarJsonFields.Outcome read = plain.read(bytes, offset, value.numBytes(), values);
      if (read != ScalarJsonFields.Outcome.NOT_PLAIN) {
        if (read == ScalarJsonFields.Outcome.UNKNOWN_FIELDS && rescued != null) {
          values[rescuedIndex()] = rescued.invoke(value);
        }
        tried++;
        return new GenericInternalRow(values);
      }
      if (++notPlain * 2 > ++tried && tried >= 1000) {
        plain = null;
      }
    }
    scala.collection.Iterator<InternalRow> rows = parser.parse(value);
    InternalRow row = rows.hasNext() ? rows.next() : null;
    if (row == null || (rescued == null && maxBytes == NO_LIMIT)) {
      return row;
    }
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < row.numFields(); i++) {
      values[i] = row.isNullAt(i) ? null : row.get(i, schema.fields()[i].dataType());
    }
    if (rescued != null) {
      values[rescuedIndex()] = rescued.invoke(value);
    }
    return new GenericInternalRow(values);
  }

  /** The fields after the corrupt-record field: the rescued data's and the byte count's. */
  private int added() {
    return (rescued != null ? 1 : 0) + (maxBytes != NO_LIMIT ? 1 : 0);
  }

  /** The rescued-data field comes right after the corrupt-record field. */
  private int rescuedIndex() {
    return schema.size() - added();
  }

  /** The columns JacksonParser reads: the schema without the corrupt-record and added fields. */
  private StructType parsed() {
    StructType fields = new StructType();
    for (int i = 0; i < schema.size() - added(); i++) {
      if (!schema.fields()[i].name().equals(corrupt)) {
        fields = fields.add(schema.fields()[i]);
      }
    }
    return fields;
  }

  private FailureSafeParser<UTF8String> parser(StructType fields) {
    JSONOptions options =
        new JSONOptions(
            scala.collection.immutable.Map$.MODULE$.from(
                CollectionConverters.asScala(
                    Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", corrupt))),
            timeZone,
            corrupt);
    StructType output = new StructType(Arrays.copyOf(schema.fields(), schema.size() - added()));
    JacksonParser json =
        new JacksonParser(
            fields, options, false, CollectionConverters.asScala(List.<Filter>of()).toList());
    scala.Function2<JsonFactory, UTF8String, JsonParser> create = JsonColumns::createParser;
    scala.Function1<UTF8String, UTF8String> literal = record -> record;
    return new FailureSafeParser<>(
        record -> json.parse(record, create, literal), PermissiveMode$.MODULE$, output, corrupt);
  }

  /**
   * A parser over the record's text decoded at once when its bytes are plain UTF-8, else over
   * Spark's Reader. Both are character parsers reading a {@code Reader}: given the bytes themselves
   * Jackson would make another parser, and Spark's would then copy non-string values into STRING
   * fields as their exact text (1e2 stays "1e2"; from_json gives "100.0").
   */
  private static JsonParser createParser(JsonFactory factory, UTF8String record) {
    if (record.getBaseObject() instanceof byte[] bytes) {
      int offset = (int) (record.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET);
      int length = record.numBytes();
      if (length > 0 && RescuedFields.plainUtf8(bytes, offset, length)) {
        try {
          return factory.createParser(
              new StringReader(new String(bytes, offset, length, StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return CreateJacksonParser.utf8String(factory, record);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JsonColumns that
        && that.schema.equals(schema)
        && that.corrupt.equals(corrupt)
        && that.timeZone.equals(timeZone)
        && (that.rescued == null) == (rescued == null)
        && that.maxBytes == maxBytes;
  }

  @Override
  public int hashCode() {
    return schema.hashCode() * 31 + timeZone.hashCode();
  }

  @Override
  public String toString() {
    return "json_columns(" + schema.simpleString() + ")";
  }
}

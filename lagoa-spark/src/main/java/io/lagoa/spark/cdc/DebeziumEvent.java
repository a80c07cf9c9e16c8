package io.lagoa.spark.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One Debezium change event taken apart, without Spark: the checks of its envelope, its images
 * converted to the JSON Spark reads as the schema's types ({@link DebeziumTypes}), and the
 * envelope's fields. It is the function {@link DebeziumChanges} applies to every record; it is also
 * a Spark UDF from the value to {@link #WIRE}.
 */
final class DebeziumEvent implements UDF1<String, Row>, Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final String NOT_AN_EVENT = "not a Debezium change event: ";
  private static final String MISMATCH = "the schema and the payload do not match: ";
  private static final int CACHED_SCHEMAS = 64;

  /** The UDF's result: what {@link Decoded} holds, as a Spark struct. */
  static final StructType WIRE =
      new StructType()
          .add("error", DataTypes.StringType)
          .add("tombstone", DataTypes.BooleanType)
          .add("op", DataTypes.StringType)
          .add("image", DataTypes.StringType)
          .add("before", DataTypes.StringType)
          .add("ts_ms", DataTypes.LongType)
          .add("source", DataTypes.StringType)
          .add("transaction", DataTypes.StringType)
          .add("sequenced", DataTypes.BooleanType)
          .add("commit_lsn", DataTypes.LongType)
          .add("lsn", DataTypes.LongType)
          .add("schema", DataTypes.StringType)
          .add("rescued", DataTypes.StringType);

  /**
   * One event, taken apart.
   *
   * @param error why it is not a readable change event, or null
   * @param tombstone whether the value was null (Kafka's marker after a delete)
   * @param image the row's columns as JSON: {@code after} for c/u/r, {@code before} for d
   * @param before the {@code before} image as JSON
   * @param schema the Spark type (JSON) of the images, from the embedded schema; null without one
   * @param rescued image fields outside the declared columns, as a JSON object (when rescuing)
   */
  record Decoded(
      String error,
      boolean tombstone,
      String op,
      String image,
      String before,
      Long tsMs,
      String source,
      String transaction,
      boolean sequenced,
      Long commitLsn,
      Long lsn,
      String schema,
      String rescued) {
    static Decoded failed(String error) {
      return new Decoded(
          error, false, null, null, null, null, null, null, false, null, null, null, null);
    }

    static Decoded tombstoneRecord() {
      return new Decoded(
          null, true, null, null, null, null, null, null, false, null, null, null, null);
    }

    Row row() {
      return RowFactory.create(
          error,
          tombstone,
          op,
          image,
          before,
          tsMs,
          source,
          transaction,
          sequenced,
          commitLsn,
          lsn,
          schema,
          rescued);
    }
  }

  private final Set<String> declared;
  private transient Map<JsonNode, String> schemas;

  /**
   * @param declared the declared columns (lower case) whose other image fields go to {@code
   *     rescued}; null to rescue nothing
   */
  DebeziumEvent(Set<String> declared) {
    this.declared = declared;
  }

  @Override
  public Row call(String value) {
    return decode(value).row();
  }

  /** Takes one record's value apart; never throws for bad input, it names it in {@code error}. */
  Decoded decode(String value) {
    if (value == null) {
      return Decoded.tombstoneRecord();
    }
    JsonNode root;
    try {
      root = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      return Decoded.failed(
          NOT_AN_EVENT + "invalid JSON (" + firstLine(e.getOriginalMessage()) + ")");
    }
    if (root == null || !root.isObject()) {
      return Decoded.failed(
          NOT_AN_EVENT + "JSON that is not an object {...}: " + abbreviate(String.valueOf(root)));
    }
    JsonNode envelope = root;
    JsonNode envelopeSchema = null;
    if (root.has("payload") && root.has("schema") && !root.has("op")) {
      envelope = root.get("payload");
      envelopeSchema = root.get("schema");
      if (envelope.isNull()) {
        return Decoded.tombstoneRecord();
      }
      if (!envelope.isObject()) {
        return Decoded.failed(NOT_AN_EVENT + "\"payload\" is not an object");
      }
      if (!envelopeSchema.isObject()) {
        return Decoded.failed(MISMATCH + "\"schema\" is not an object but the payload is");
      }
    }
    JsonNode op = envelope.get("op");
    if (op == null || op.isNull()) {
      return Decoded.failed(NOT_AN_EVENT + "no \"op\" field");
    }
    String operation = op.isTextual() ? op.asText() : null;
    if (operation == null || !Set.of("c", "u", "d", "r", "t").contains(operation)) {
      return Decoded.failed(
          NOT_AN_EVENT + "unknown op " + abbreviate(op.toString()) + " (expected c, u, d, r or t)");
    }
    JsonNode after = nullToAbsent(envelope.get("after"));
    JsonNode before = nullToAbsent(envelope.get("before"));
    if ((operation.equals("c") || operation.equals("u") || operation.equals("r"))
        && after == null) {
      return Decoded.failed(NOT_AN_EVENT + "op \"" + operation + "\" without an \"after\" image");
    }
    if (operation.equals("d") && before == null) {
      return Decoded.failed(NOT_AN_EVENT + "op \"d\" without a \"before\" image");
    }
    for (String name : new String[] {"after", "before"}) {
      JsonNode image = nullToAbsent(envelope.get(name));
      if (image != null && !image.isObject()) {
        return Decoded.failed(NOT_AN_EVENT + "\"" + name + "\" is not an object");
      }
    }
    String schema = null;
    if (envelopeSchema != null) {
      JsonNode afterSchema = DebeziumTypes.field(envelopeSchema, "after");
      JsonNode beforeSchema = DebeziumTypes.field(envelopeSchema, "before");
      if (after != null && afterSchema == null) {
        return Decoded.failed(MISMATCH + "the payload has \"after\", the schema does not");
      }
      if (before != null && beforeSchema == null) {
        return Decoded.failed(MISMATCH + "the payload has \"before\", the schema does not");
      }
      JsonNode imageSchema = afterSchema != null ? afterSchema : beforeSchema;
      try {
        if (imageSchema != null) {
          schema = sparkSchema(imageSchema);
        }
        after = after == null ? null : DebeziumTypes.struct(afterSchema, after, "");
        before = before == null ? null : DebeziumTypes.struct(beforeSchema, before, "");
      } catch (IllegalArgumentException | ArithmeticException e) {
        return Decoded.failed(MISMATCH + e.getMessage());
      }
    }
    JsonNode image =
        switch (operation) {
          case "d" -> before;
          case "t" -> null;
          default -> after;
        };
    JsonNode tsMs = envelope.get("ts_ms");
    JsonNode source = nullToAbsent(envelope.get("source"));
    JsonNode transaction = nullToAbsent(envelope.get("transaction"));
    Long commitLsn = null;
    Long lsn = null;
    boolean sequenced = false;
    if (source != null && source.isObject()) {
      JsonNode sequence = source.get("sequence");
      if (sequence != null && sequence.isTextual()) {
        try {
          JsonNode pair = JSON.readTree(sequence.asText());
          if (pair != null && pair.isArray() && pair.size() == 2) {
            commitLsn = lsnOf(pair.get(0));
            lsn = lsnOf(pair.get(1));
            sequenced = true;
          }
        } catch (JsonProcessingException | NumberFormatException e) {
          return Decoded.failed(
              NOT_AN_EVENT
                  + "source.sequence is not [\"<commit lsn>\",\"<lsn>\"]: "
                  + abbreviate(sequence.asText()));
        }
      }
      if (!sequenced && source.get("lsn") != null && source.get("lsn").canConvertToLong()) {
        lsn = source.get("lsn").longValue();
        sequenced = true;
      }
    }
    return new Decoded(
        null,
        false,
        operation,
        image == null ? null : image.toString(),
        before == null ? null : before.toString(),
        tsMs != null && tsMs.canConvertToLong() ? tsMs.longValue() : null,
        source == null ? null : source.toString(),
        transaction == null ? null : transaction.toString(),
        sequenced,
        commitLsn,
        lsn,
        schema,
        rescued(image, envelopeSchema != null));
  }

  private String rescued(JsonNode image, boolean embedded) {
    if (declared == null || embedded || image == null) {
      return null;
    }
    ObjectNode extra = JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = image.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!declared.contains(field.getKey().toLowerCase(Locale.ROOT))) {
        JsonNode value = field.getValue();
        extra.put(field.getKey(), value.isTextual() ? value.asText() : value.toString());
      }
    }
    return extra.isEmpty() ? null : extra.toString();
  }

  private String sparkSchema(JsonNode imageSchema) {
    if (schemas == null) {
      schemas = new HashMap<>();
    }
    String known = schemas.get(imageSchema);
    if (known == null) {
      known = DebeziumTypes.structType(imageSchema).json();
      if (schemas.size() >= CACHED_SCHEMAS) {
        schemas.clear();
      }
      schemas.put(imageSchema, known);
    }
    return known;
  }

  private static Long lsnOf(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return node.isNumber() ? node.longValue() : Long.parseLong(node.asText());
  }

  private static JsonNode nullToAbsent(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private static String firstLine(String text) {
    String line = String.valueOf(text).lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 197) + "..." : line;
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }
}

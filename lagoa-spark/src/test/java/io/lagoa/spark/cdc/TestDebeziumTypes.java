package io.lagoa.spark.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Connect schemas to Spark types, and payload values to what from_json reads; no Spark needed. */
class TestDebeziumTypes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String field(String type, String name, String logical, String parameters) {
    return "{\"type\":\""
        + type
        + "\",\"optional\":true,"
        + (logical == null ? "" : "\"name\":\"" + logical + "\",\"version\":1,")
        + (parameters == null ? "" : "\"parameters\":" + parameters + ",")
        + "\"field\":\""
        + name
        + "\"}";
  }

  /**
   * The value schema of a table with a column of every kind Debezium's PostgreSQL connector sends.
   */
  static final String ROW_SCHEMA =
      "{\"type\":\"struct\",\"optional\":true,\"name\":\"shop.public.orders.Value\","
          + "\"field\":\"after\",\"fields\":["
          + "{\"type\":\"int32\",\"optional\":false,\"default\":0,\"field\":\"id\"},"
          + field("int16", "qty", null, null)
          + ","
          + field("int64", "big", null, null)
          + ","
          + field("float64", "ratio", null, null)
          + ","
          + field("boolean", "paid", null, null)
          + ","
          + field("string", "note", null, null)
          + ","
          + field(
              "bytes",
              "price",
              "org.apache.kafka.connect.data.Decimal",
              "{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"}")
          + ","
          + field("int32", "ordered_on", "io.debezium.time.Date", null)
          + ","
          + field("int64", "created", "io.debezium.time.MicroTimestamp", null)
          + ","
          + field("int64", "created_ms", "io.debezium.time.Timestamp", null)
          + ","
          + field("string", "updated", "io.debezium.time.ZonedTimestamp", null)
          + ","
          + field("int64", "at", "io.debezium.time.MicroTime", null)
          + ","
          + "{\"type\":\"struct\",\"optional\":true,\"name\":\"io.debezium.data.VariableScaleDecimal\","
          + "\"version\":1,\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"},"
          + "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}],\"field\":\"amount\"},"
          + field("string", "attrs", "io.debezium.data.Json", null)
          + ","
          + field("string", "uid", "io.debezium.data.Uuid", null)
          + ","
          + "{\"type\":\"array\",\"optional\":true,\"items\":{\"type\":\"string\",\"optional\":true},"
          + "\"field\":\"tags\"}"
          + "]}";

  @Test
  void mapsEveryTypeOfTheSchema() {
    StructType type = DebeziumTypes.structType(json(ROW_SCHEMA));
    assertThat(type.toDDL())
        .isEqualTo(
            "id INT,qty INT,big BIGINT,ratio DOUBLE,paid BOOLEAN,note STRING,price DECIMAL(10,2),"
                + "ordered_on DATE,created TIMESTAMP_NTZ,created_ms TIMESTAMP_NTZ,updated TIMESTAMP,"
                + "at BIGINT,amount DECIMAL(38,18),attrs STRING,uid STRING,tags ARRAY<STRING>");
  }

  @Test
  void decimalsWithoutPrecisionOrTooWide() {
    assertThat(
            DebeziumTypes.dataType(
                json(field("bytes", "p", DebeziumTypes.DECIMAL, "{\"scale\":\"3\"}"))))
        .isEqualTo(DataTypes.createDecimalType(38, 3));
    assertThat(
            DebeziumTypes.dataType(
                json(
                    field(
                        "bytes",
                        "p",
                        DebeziumTypes.DECIMAL,
                        "{\"scale\":\"0\",\"connect.decimal.precision\":\"50\"}"))))
        .isEqualTo(DataTypes.StringType);
    assertThat(
            DebeziumTypes.sparkValue(
                    json(
                        field(
                            "bytes",
                            "p",
                            DebeziumTypes.DECIMAL,
                            "{\"scale\":\"0\",\"connect.decimal.precision\":\"50\"}")),
                    json("\"AQ==\""),
                    "p")
                .asText())
        .isEqualTo("1");
  }

  @Test
  void convertsValuesToWhatSparkReads() {
    JsonNode schema = json(ROW_SCHEMA);
    // 12345 = 0x3039 ("MDk="), -1 = 0xff ("/w=="); 2021-03-01 = day 18687
    JsonNode value =
        json(
            "{\"id\":1,\"qty\":2,\"big\":9007199254740993,\"ratio\":0.5,\"paid\":true,\"note\":\"x\","
                + "\"price\":\"MDk=\",\"ordered_on\":18687,\"created\":1614600000123456,"
                + "\"created_ms\":1614600000123,\"updated\":\"2021-03-01T12:00:00.5Z\","
                + "\"at\":45296000000,\"amount\":{\"scale\":3,\"value\":\"/w==\"},"
                + "\"attrs\":\"{\\\"a\\\":1}\",\"uid\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\","
                + "\"tags\":[\"a\",null]}");
    JsonNode converted = DebeziumTypes.struct(schema, value, "");
    assertThat(converted.get("price").decimalValue()).isEqualByComparingTo("123.45");
    assertThat(converted.get("price").toString()).isEqualTo("123.45");
    assertThat(converted.get("ordered_on").asText()).isEqualTo("2021-03-01");
    assertThat(converted.get("created").asText()).isEqualTo("2021-03-01T12:00:00.123456");
    assertThat(converted.get("created_ms").asText()).isEqualTo("2021-03-01T12:00:00.123000");
    assertThat(converted.get("updated").asText()).isEqualTo("2021-03-01T12:00:00.5Z");
    assertThat(converted.get("at").longValue()).isEqualTo(45_296_000_000L);
    assertThat(converted.get("amount").toString()).isEqualTo("-0.001");
    assertThat(converted.get("big").longValue()).isEqualTo(9007199254740993L);
    assertThat(converted.get("tags").toString()).isEqualTo("[\"a\",null]");
  }

  @Test
  void negativeTimesAreBeforeTheEpoch() {
    JsonNode micro = json(field("int64", "t", DebeziumTypes.MICRO_TIMESTAMP, null));
    assertThat(DebeziumTypes.sparkValue(micro, json("-1"), "t").asText())
        .isEqualTo("1969-12-31T23:59:59.999999");
    JsonNode date = json(field("int32", "d", DebeziumTypes.DATE, null));
    assertThat(DebeziumTypes.sparkValue(date, json("-1"), "d").asText()).isEqualTo("1969-12-31");
  }

  @Test
  void valuesOfTheWrongTypeAreNamed() {
    JsonNode schema = json(ROW_SCHEMA);
    assertThatThrownBy(() -> DebeziumTypes.struct(schema, json("{\"id\":\"one\"}"), ""))
        .hasMessage("id is int32 in the schema, but the payload has \"one\"");
    assertThatThrownBy(() -> DebeziumTypes.struct(schema, json("{\"id\":1,\"extra\":2}"), ""))
        .hasMessage("extra is in the payload but not in the schema");
    assertThatThrownBy(() -> DebeziumTypes.struct(schema, json("{\"price\":\"%%%\"}"), ""))
        .hasMessageContaining("price is bytes (base64 bytes) in the schema, not base64");
    assertThatThrownBy(() -> DebeziumTypes.dataType(json("{\"type\":\"int128\"}")))
        .hasMessageContaining("unknown type \"int128\"");
  }

  @Test
  void eventsAreTakenApart() {
    DebeziumEvent decoder = new DebeziumEvent(null);
    String envelope =
        "{\"type\":\"struct\",\"name\":\"shop.public.orders.Envelope\",\"fields\":["
            + ROW_SCHEMA.replace("\"field\":\"after\"", "\"field\":\"before\"")
            + ","
            + ROW_SCHEMA
            + ",{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}"
            + ",{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}]}";
    DebeziumEvent.Decoded created =
        decoder.decode(
            "{\"schema\":"
                + envelope
                + ",\"payload\":{\"before\":null,\"after\":{\"id\":1,\"price\":\"MDk=\"},"
                + "\"source\":{\"connector\":\"postgresql\",\"sequence\":\"[\\\"24023119\\\",\\\"24023128\\\"]\","
                + "\"lsn\":24023128},\"op\":\"c\",\"ts_ms\":1559033904863}}");
    assertThat(created.error()).isNull();
    assertThat(created.op()).isEqualTo("c");
    assertThat(created.image()).contains("\"id\":1").contains("\"price\":123.45");
    assertThat(created.commitLsn()).isEqualTo(24023119L);
    assertThat(created.lsn()).isEqualTo(24023128L);
    assertThat(created.tsMs()).isEqualTo(1559033904863L);
    assertThat(created.schema()).contains("\"decimal(10,2)\"").doesNotContain("_corrupt");

    DebeziumEvent.Decoded plain =
        new DebeziumEvent(Set.of("id"))
            .decode(
                "{\"before\":{\"id\":7,\"name\":\"x\"},\"after\":null,"
                    + "\"source\":{\"lsn\":5},\"op\":\"d\",\"ts_ms\":1}");
    assertThat(plain.image()).isEqualTo("{\"id\":7,\"name\":\"x\"}");
    assertThat(plain.commitLsn()).isNull();
    assertThat(plain.lsn()).isEqualTo(5L);
    assertThat(plain.rescued()).isEqualTo("{\"name\":\"x\"}");
    assertThat(plain.schema()).isNull();

    assertThat(decoder.decode(null).tombstone()).isTrue();
    assertThat(decoder.decode("{\"after\":{\"id\":1}}").error())
        .isEqualTo("not a Debezium change event: no \"op\" field");
    assertThat(decoder.decode("{\"op\":\"m\"}").error())
        .isEqualTo("not a Debezium change event: unknown op \"m\" (expected c, u, d, r or t)");
    assertThat(decoder.decode("{\"op\":\"u\",\"after\":null}").error())
        .isEqualTo("not a Debezium change event: op \"u\" without an \"after\" image");
    assertThat(decoder.decode("{\"op\":\"d\"}").error())
        .isEqualTo("not a Debezium change event: op \"d\" without a \"before\" image");
    assertThat(decoder.decode("not json").error())
        .startsWith("not a Debezium change event: invalid JSON (");
    assertThat(decoder.decode("[1]").error())
        .isEqualTo("not a Debezium change event: JSON that is not an object {...}: [1]");
    assertThat(
            decoder
                .decode(
                    "{\"schema\":"
                        + envelope
                        + ",\"payload\":{\"after\":{\"id\":\"x\"},\"op\":\"c\"}}")
                .error())
        .isEqualTo(
            "the schema and the payload do not match: id is int32 in the schema, but the payload"
                + " has \"x\"");
    assertThat(decoder.decode("{\"op\":\"t\",\"source\":{\"lsn\":9}}").image()).isNull();
  }
}

package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RescuedFields} gives, record by record, what the SQL expression it replaced gave: over
 * tricky records (nested values, numbers, escapes, duplicate names, names differing in case,
 * invalid JSON and invalid UTF-8) and random ones, as Kafka's BINARY value and as a file's STRING.
 */
class TestRescuedFields {
  private static final StructType SCHEMA =
      StructType.fromDDL(
          "id BIGINT, name STRING, tags ARRAY<STRING>, info STRUCT<a: INT, b: STRING>,"
              + " `it's` STRING, `a.b` INT, `ünï` STRING, `?` STRING");
  private static final String[] NAMES = {
    "id", "name", "tags", "info", "it's", "a.b", "ünï", "?", "x", "y", "ID", "Name", "", "ñ", "😀"
  };
  private static TestingWarehouse warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  /** The expression KafkaSourceReader and JsonFileFormat used before RescuedFields. */
  private static Column previous(StructType schema, String text) {
    StringBuilder known = new StringBuilder("array(");
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      known
          .append(i == 0 ? "" : ", ")
          .append('\'')
          .append(names[i].replace("'", "\\'"))
          .append('\'');
    }
    known.append(")");
    String extra = "array_except(json_object_keys(" + text + "), " + known + ")";
    return expr(
        "CASE WHEN size("
            + extra
            + ") > 0 THEN to_json(map_filter(from_json("
            + text
            + ", 'map<string,string>'), (k, v) -> array_contains("
            + extra
            + ", k))) END");
  }

  static List<byte[]> tricky() {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "{\"id\":1,\"name\":\"a\"}",
                "{}",
                "{\"x\":\"s\"}",
                "{\"id\":1,\"x\":{\"a\":[1,2,{\"b\":null}],\"c\":{}},\"y\":[1,\"two\",true,[]]}",
                "{\"x\":1.50,\"y\":1E2,\"z\":-0,\"w\":12345678901234567890123,\"v\":0.1e-400}",
                "{\"x\":1e400,\"y\":-0.0,\"z\":1.0e+1,\"w\":9223372036854775808,\"v\":-12}",
                "{\"x\":true,\"y\":false,\"z\":null,\"id\":null}",
                "{\"x\\\"q\":\"a\\nb\\t\\u0001\\u00e9\\/\\\\\",\"\\u0069d\":5,\"\\u0078\":1}",
                "{\"ñ\":\"ç😀\",\"id\":2,\"ünï\":\"u\",\"\\u00fcn\\u00ef\":3}",
                "{\"e\":\"\\ud83d\\ude00\",\"f\":{\"k\":\"😀\",\"\\ud83d\\ude00\":[\"\\u00e9\"]}}",
                "{\"x\":\"\\ud800\"}",
                "{\"\\udc00\":1}",
                "{\"\\udc00\":1,\"?\":2}",
                "{\"id\":{\"k\":\"\\ud800\"},\"x\":1}",
                "{\"id\":{\"k\":\"\\ud800\"}}",
                "{\"x\":[\"\\udfff\"],\"id\":1}",
                "{\"x\":\"\\\\ud800\"}",
                "{\"x\":1,\"x\":2,\"id\":1,\"id\":2}",
                "{\"x\":1,\"y\":2,\"x\":3}",
                "{\"ID\":1,\"Name\":\"a\",\"id\":3}",
                "{\"it's\":1,\"a.b\":2,\"\":3,\"a\":{\"b\":4}}",
                "{\"x\":\"</script>\\u2028\\u2029\u2028\",\"y\":\"\\u0000\\u001f\\u007f\"}",
                "{\"id\":\"not a number\",\"tags\":\"nope\",\"x\":1}",
                "{\"info\":{\"a\":1,\"zz\":2},\"tags\":[\"t\"],\"x\":{\"a\":1}}",
                "  {\"x\":1}  ",
                "\n\t{\"x\":1}\r\n",
                "{\"x\":1} trailing",
                "{\"x\":1}{\"y\":2}",
                "{\"x\":1}]",
                "{\"id\":1,",
                "{\"id\":1,\"x\":}",
                "{\"id\":1,\"x\":2",
                "{\"x\":1,}",
                "not json",
                "[1,2]",
                "[{\"x\":1}]",
                "\"text\"",
                "42",
                "null",
                "true",
                "",
                "   ",
                "{'x':1}",
                "{\"id\":1,'x':1}",
                "{'x':'a\\'b',\"y\":'c\"d','id':'\\u00e9'}",
                "{\"x\":NaN}",
                "{\"x\":Infinity}",
                "{\"x\":01}",
                "{x:1}",
                "{\"x\":1 /* comment */}",
                "{\"x\":\"tab\there\"}",
                "{\"id\":\"tab\there\"}",
                "{\"id\":\"tab\there\",\"x\":1}",
                "{\"x\":\"\\q\"}",
                "{\"x\":\"a\u0000b\"}",
                "{\"x\":\"" + "long ".repeat(20000) + "\",\"id\":1}",
                "{\"x\":" + "[".repeat(998) + "]".repeat(998) + "}",
                "{\"x\":" + "[".repeat(1100) + "]".repeat(1100) + "}",
                "{\"id\":" + "[".repeat(1100) + "]".repeat(1100) + ",\"x\":1}",
                "{\"x\":" + "1".repeat(1001) + "}",
                "{\"x\":" + "1".repeat(999) + "}"));
    List<byte[]> records = new ArrayList<>();
    for (String text : texts) {
      records.add(text.getBytes(StandardCharsets.UTF_8));
    }
    HexFormat hex = HexFormat.of();
    for (String bytes :
        List.of(
            "7b2278223a22ff227d", // {"x":"\xff"}
            "7b2278c0af79223a317d", // overlong '/' in a name
            "7b22c1a964223a317d", // overlong 'i': "id" to Jackson, not to the JDK
            "7b22c1a964223a312c2278223a327d",
            "7b2278223a22eda080227d", // an encoded surrogate
            "7b2278223a22f4908080227d", // above U+10FFFF
            "7b226964223a312c226e223a22e974e9227d", // Latin-1
            "7b2278223a22e282227d", // a truncated sequence
            "7b2278223a22e282", // truncated at the end
            "efbbbf7b2278223a317d", // a byte-order mark
            "feff007b002200780022003a0031007d", // UTF-16 with a mark
            "7b0022007800220030003a0031007d00", // UTF-16LE
            "0000007b", // UTF-32-looking
            "7b2278223a2261006222", // a NUL inside a string, unterminated
            "7b2278223a22e282ac227d", // a valid euro sign
            "7b226964223a312c2278223a22f09f9880227d")) { // a valid emoji
      records.add(hex.parseHex(bytes));
    }
    records.add(null);
    return records;
  }

  /** Random objects over a pool of known and unknown names, with values of every kind. */
  static List<byte[]> random(int count) {
    Random random = new Random(20261203L);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder json = new StringBuilder("{");
      int fields = random.nextInt(6);
      for (int f = 0; f < fields; f++) {
        if (f > 0) {
          json.append(',');
        }
        json.append(quoted(NAMES[random.nextInt(NAMES.length)])).append(':');
        value(json, random, 0);
      }
      json.append('}');
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(20) == 0) {
        // damage: cut it, or put in a byte that is not UTF-8
        ByteArrayOutputStream damaged = new ByteArrayOutputStream();
        int at = random.nextInt(bytes.length);
        damaged.write(bytes, 0, at);
        if (random.nextBoolean()) {
          damaged.write(0x80 + random.nextInt(0x80));
          damaged.write(bytes, at, bytes.length - at);
        }
        bytes = damaged.toByteArray();
      }
      records.add(bytes);
    }
    return records;
  }

  private static void value(StringBuilder json, Random random, int depth) {
    switch (random.nextInt(depth > 2 ? 6 : 8)) {
      case 0 ->
          json.append(
              quoted(List.of("a", "é", "x\"y", "😀", "\t", "\\u00e9").get(random.nextInt(6))));
      case 1 ->
          json.append(
              List.of("0", "-0", "1.50", "1e2", "-3.25E-3", "123456789012345678901")
                  .get(random.nextInt(6)));
      case 2 -> json.append(random.nextBoolean());
      case 3 -> json.append("null");
      case 4 -> json.append("\"\\ud83d\\ude00 \\u0041\"");
      case 5 -> json.append("\"\"");
      case 6 -> {
        json.append('[');
        int n = random.nextInt(3);
        for (int k = 0; k < n; k++) {
          json.append(k > 0 ? "," : "");
          value(json, random, depth + 1);
        }
        json.append(']');
      }
      default -> {
        json.append('{');
        int n = random.nextInt(3);
        for (int k = 0; k < n; k++) {
          json.append(k > 0 ? "," : "")
              .append(quoted(NAMES[random.nextInt(NAMES.length)]))
              .append(':');
          value(json, random, depth + 1);
        }
        json.append('}');
      }
    }
  }

  private static String quoted(String text) {
    if (text.startsWith("\\u")) {
      return "\"" + text + "\"";
    }
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t") + "\"";
  }

  private static void assertSameAsBefore(List<byte[]> records) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      rows.add(RowFactory.create(i, records.get(i)));
    }
    StructType input =
        new StructType().add("n", DataTypes.IntegerType).add("value", DataTypes.BinaryType);
    // repartition: the projection then runs in a stage, compiled, not folded over a local relation
    Dataset<Row> binary = spark.createDataFrame(rows, input).repartition(2);
    Dataset<Row> text = binary.select(col("n"), col("value").cast("string").as("value"));
    for (Dataset<Row> values : List.of(binary, text)) {
      List<Row> results =
          values
              .select(
                  col("n"),
                  previous(SCHEMA, "CAST(value AS STRING)").as("before"),
                  RescuedFields.column(col("value"), SCHEMA).as("after"))
              .collectAsList();
      assertThat(results).hasSize(records.size());
      int rescued = 0;
      for (Row row : results) {
        byte[] record = records.get(row.getInt(0));
        String shown = record == null ? "NULL" : new String(record, StandardCharsets.UTF_8);
        assertThat(row.getString(2))
            .as("record %d: %s (%s)", row.getInt(0), abbreviated(shown), hexIfShort(record))
            .isEqualTo(row.getString(1));
        rescued += row.isNullAt(1) ? 0 : 1;
      }
      assertThat(rescued).isGreaterThan(records.size() / 10);
    }
  }

  private static String abbreviated(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static String hexIfShort(byte[] record) {
    return record == null || record.length > 64 ? "" : HexFormat.of().formatHex(record);
  }

  @Test
  void trickyRecordsGiveWhatTheSqlExpressionGave() {
    assertSameAsBefore(tricky());
  }

  @Test
  void randomRecordsGiveWhatTheSqlExpressionGave() {
    assertSameAsBefore(random(3000));
  }

  @Test
  void readsTheBytesOfAStringWhereverTheyStart() {
    RescuedFields fields = new RescuedFields(SCHEMA);
    byte[] padded = "xx{\"id\":1,\"x\":2}yy".getBytes(StandardCharsets.UTF_8);
    assertThat(fields.rescued(padded, 2, padded.length - 4).toString()).isEqualTo("{\"x\":\"2\"}");
    UTF8String slice = UTF8String.fromString("[{\"id\":1,\"y\":[1]}]").substring(1, 17);
    assertThat(fields.invoke(slice).toString()).isEqualTo("{\"y\":\"[1]\"}");
    assertThat(fields.invoke(null)).isNull();
    assertThat(RescuedFields.plainUtf8(new byte[] {'{', '}'}, 0, 2)).isTrue();
  }
}

package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.octet_length;
import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonColumns} gives, record by record, what {@code from_json} in PERMISSIVE mode with a
 * corrupt-record column gives: the columns, the partial results of a record that fails half way,
 * and the corrupt record's text, over the tricky and random records of {@link TestRescuedFields}
 * (invalid JSON and invalid UTF-8 among them), as Kafka's BINARY value and as a file's STRING.
 */
class TestJsonColumns {
  private static final StructType SCHEMA =
      StructType.fromDDL(
          "id BIGINT, name STRING, tags ARRAY<STRING>, info STRUCT<a: INT, b: STRING>,"
              + " `it's` STRING, `a.b` INT, `ünï` STRING, `?` STRING, x DOUBLE, y TIMESTAMP,"
              + " e STRING, f MAP<STRING, STRING>, ID DECIMAL(10, 2)");
  private static final String CORRUPT = "_corrupt_record";

  /** The byte limit of the "limited" column: some records of each test are longer. */
  private static final long LIMIT = 60;

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

  private static void assertSameAsFromJson(List<byte[]> records) {
    assertSameAsFromJson(records, SCHEMA);
  }

  /**
   * JsonColumns' struct equals from_json's for every record, as BINARY and as STRING; with the
   * rescued data asked for, the struct's last field equals RescuedFields' column.
   */
  private static void assertSameAsFromJson(List<byte[]> records, StructType schema) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      rows.add(RowFactory.create(i, records.get(i)));
    }
    StructType input =
        new StructType().add("n", DataTypes.IntegerType).add("value", DataTypes.BinaryType);
    // repartition: the projection then runs in a stage, compiled, not folded over a local relation
    Dataset<Row> binary = spark.createDataFrame(rows, input).repartition(2);
    Dataset<Row> text = binary.select(col("n"), col("value").cast("string").as("value"));
    String timeZone = spark.sessionState().conf().sessionLocalTimeZone();
    for (Dataset<Row> values : List.of(binary, text)) {
      List<Row> results =
          values
              .select(
                  col("n"),
                  from_json(
                          col("value").cast("string"),
                          schema.add(CORRUPT, DataTypes.StringType),
                          Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT))
                      .as("before"),
                  JsonColumns.column(col("value"), schema, CORRUPT, timeZone).as("after"),
                  JsonColumns.column(col("value"), schema, CORRUPT, timeZone, true)
                      .as("afterWithRescued"),
                  RescuedFields.column(col("value"), schema).as("rescued"),
                  JsonColumns.column(col("value"), schema, CORRUPT, timeZone, true, LIMIT)
                      .as("limited"),
                  octet_length(col("value"))) // a STRING's bytes: invalid UTF-8 made valid
              .collectAsList();
      assertThat(results).hasSize(records.size());
      int corrupt = 0;
      int oversized = 0;
      for (Row row : results) {
        byte[] record = records.get(row.getInt(0));
        String shown = record == null ? "NULL" : new String(record, StandardCharsets.UTF_8);
        String described =
            String.format(
                "record %d: %s (%s)",
                row.getInt(0),
                shown.length() > 200 ? shown.substring(0, 200) + "..." : shown,
                record == null || record.length > 64 ? "" : HexFormat.of().formatHex(record));
        assertThat(row.get(2)).as(described).isEqualTo(row.get(1));
        if (row.isNullAt(3)) {
          assertThat(row.isNullAt(1)).as(described).isTrue();
        } else {
          Row withRescued = row.getStruct(3);
          Object[] columns = new Object[schema.size() + 1];
          for (int i = 0; i < columns.length; i++) {
            columns[i] = withRescued.get(i);
          }
          assertThat(RowFactory.create(columns)).as(described).isEqualTo(row.get(1));
          assertThat(withRescued.get(columns.length)).as(described).isEqualTo(row.get(4));
        }
        corrupt += row.isNullAt(1) || row.getStruct(1).isNullAt(schema.size()) ? 0 : 1;
        // with a limit: a longer record is not parsed, only its byte count is given
        if (record == null || (row.isNullAt(3) && row.getInt(6) <= LIMIT)) {
          assertThat(row.isNullAt(5)).as(described).isTrue();
        } else {
          Row limited = row.getStruct(5);
          Object[] fields = new Object[schema.size() + 2];
          if (row.getInt(6) > LIMIT) {
            oversized++;
          } else {
            for (int i = 0; i < fields.length; i++) {
              fields[i] = row.getStruct(3).get(i);
            }
          }
          Object[] expected = java.util.Arrays.copyOf(fields, fields.length + 1);
          expected[fields.length] = row.getInt(6) > LIMIT ? row.get(6) : null;
          assertThat(limited).as(described).isEqualTo(RowFactory.create(expected));
        }
      }
      assertThat(corrupt).isGreaterThan(0);
      assertThat(oversized).isGreaterThan(0);
    }
  }

  @Test
  void trickyRecordsGiveWhatFromJsonGave() {
    assertSameAsFromJson(TestRescuedFields.tricky());
  }

  @Test
  void randomRecordsGiveWhatFromJsonGave() {
    assertSameAsFromJson(TestRescuedFields.random(3000));
  }

  @Test
  void typedValuesGiveWhatFromJsonGave() {
    List<byte[]> records = new ArrayList<>();
    for (String text :
        List.of(
            "{\"id\":1,\"x\":1.5,\"y\":\"2026-11-26T10:00:00Z\",\"ID\":12.345,\"f\":{\"k\":1}}",
            "{\"id\":\"1\",\"x\":\"NaN\",\"y\":\"2026-11-26 10:00:00\",\"ID\":\"1e2\"}",
            "{\"id\":1.0,\"x\":1e400,\"y\":1700000000,\"ID\":123456789012}",
            "{\"id\":9223372036854775808,\"x\":-0.0,\"y\":\"not a time\",\"e\":[1,{\"a\":2}]}",
            "{\"info\":{\"a\":\"x\",\"b\":1},\"tags\":[1,null,\"a\"],\"f\":[1]}",
            "{\"info\":[],\"tags\":{},\"e\":{\"k\":[true,null]}}",
            "{\"id\":2,\"name\":\"é😀\",\"x\":\"1\",\"y\":null}")) {
      records.add(text.getBytes(StandardCharsets.UTF_8));
    }
    assertSameAsFromJson(records);
  }

  /**
   * Flat records of plain values, which {@link ScalarJsonFields} reads itself (most of them: the
   * test checks it does), and the edge cases where it must leave the record to Spark's parser: a
   * number as a STRING, a string as a number, integers beyond INT and BIGINT, NaN, single quotes,
   * escapes, duplicated names, unknown and nested fields, a TIMESTAMP value, cut records.
   */
  @Test
  void plainRecordsGiveWhatFromJsonGave() {
    StructType plain =
        StructType.fromDDL(
            "id BIGINT, name STRING, n INT, x DOUBLE, ok BOOLEAN, `ünï` STRING, ID BIGINT,"
                + " t TIMESTAMP");
    List<byte[]> records = new ArrayList<>(plainRandom(3000));
    for (String text :
        List.of(
            "{\"id\":1,\"name\":\"a\",\"n\":2,\"x\":1.5,\"ok\":true}",
            "{\"id\":\"1\"}",
            "{\"name\":1}",
            "{\"name\":1e2}",
            "{\"n\":2147483648}",
            "{\"id\":9223372036854775808}",
            "{\"x\":NaN}",
            "{\"x\":\"NaN\"}",
            "{'id':1}",
            "{\"id\":1,\"id\":null}",
            "{\"id\":null,\"id\":3}",
            "{\"id\":1,\"ID\":2,\"Id\":3}",
            "{\"ünï\":\"é\\u00e9\\ud83d\\ude00\",\"\\u0069d\":7}",
            "{\"name\":\"\\ud800\"}",
            "{\"t\":\"2026-11-26T10:00:00Z\",\"id\":1}",
            "{\"t\":null,\"id\":1}",
            "{\"x\":1e400,\"ok\":false}",
            "{\"x\":-0,\"n\":-0}",
            "{\"id\":1} trailing",
            "{\"id\":1,\"extra\":{\"a\":[1,2]},\"more\":\"m\"}",
            "[{\"id\":1}]",
            "{\"id\":1",
            " {\"id\":1}",
            "{\"ok\":\"true\"}",
            "{\"n\":1.0}")) {
      records.add(text.getBytes(StandardCharsets.UTF_8));
    }
    ScalarJsonFields reader = new ScalarJsonFields(plain);
    int read = 0;
    for (byte[] record : records) {
      Object[] values = new Object[plain.size()];
      read +=
          reader.read(record, 0, record.length, values) == ScalarJsonFields.Outcome.NOT_PLAIN
              ? 0
              : 1;
    }
    assertThat(read).as("records the plain reader read itself").isGreaterThan(records.size() / 2);
    assertSameAsFromJson(records, plain);
  }

  private static List<byte[]> plainRandom(int count) {
    java.util.Random random = new java.util.Random(20261203L);
    String[] names = {"id", "name", "n", "x", "ok", "ünï", "ID", "t", "extra", "Name"};
    List<String> strings =
        List.of(
            "a",
            "é",
            "x\\\"y",
            "😀",
            "\\t",
            "\\u00e9",
            "",
            " long text ",
            "0123456789abcdefghijklmnopqrstuvwxyz0123456789",
            "0123456789abcdefg\\\\hijklmnopqrstuvwxyz",
            "012345678é9abcdefghijklmnopqrstuvwxyz😀0123",
            "01234567\\n89abcdefghijklmnop");
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder json = new StringBuilder("{");
      int fields = random.nextInt(7);
      for (int f = 0; f < fields; f++) {
        String name = names[random.nextInt(names.length)];
        json.append(f > 0 ? "," : "").append('"').append(name).append("\":");
        boolean wrong = random.nextInt(15) == 0;
        String value =
            switch (wrong ? "" : name) {
              case "id", "ID" ->
                  List.of("0", "-1", "9223372036854775807", "-9223372036854775808", "42", "null")
                      .get(random.nextInt(6));
              case "n" ->
                  List.of("0", "-2147483648", "2147483647", "7", "null").get(random.nextInt(5));
              case "x" ->
                  List.of("0", "-0.0", "1.5", "1e2", "-3.25E-3", "123456789012345678901", "null")
                      .get(random.nextInt(7));
              case "ok" -> List.of("true", "false", "null").get(random.nextInt(3));
              case "t" -> "null";
              case "extra" ->
                  List.of("{\"a\":[1,{\"b\":null}]}", "[]", "\"e\"").get(random.nextInt(3));
              case "" -> List.of("\"1\"", "1.5", "true", "[1]", "{}").get(random.nextInt(5));
              default -> "\"" + strings.get(random.nextInt(strings.size())) + "\"";
            };
        json.append(value);
      }
      json.append('}');
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(30) == 0) {
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      }
      records.add(bytes);
    }
    return records;
  }
}

package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
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
                          SCHEMA.add(CORRUPT, DataTypes.StringType),
                          Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT))
                      .as("before"),
                  JsonColumns.column(col("value"), SCHEMA, CORRUPT, timeZone).as("after"))
              .collectAsList();
      assertThat(results).hasSize(records.size());
      int corrupt = 0;
      for (Row row : results) {
        byte[] record = records.get(row.getInt(0));
        String shown = record == null ? "NULL" : new String(record, StandardCharsets.UTF_8);
        assertThat(row.get(2))
            .as(
                "record %d: %s (%s)",
                row.getInt(0),
                shown.length() > 200 ? shown.substring(0, 200) + "..." : shown,
                record == null || record.length > 64 ? "" : HexFormat.of().formatHex(record))
            .isEqualTo(row.get(1));
        corrupt += row.isNullAt(1) || row.getStruct(1).isNullAt(SCHEMA.size()) ? 0 : 1;
      }
      assertThat(corrupt).isGreaterThan(0);
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
}

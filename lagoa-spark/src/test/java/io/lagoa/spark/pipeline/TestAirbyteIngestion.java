package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.pipeline.source.FilesSourceReader;
import io.lagoa.spark.pipeline.source.SourceBatch;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** read_files(..., format => 'airbyte') in pipelines, on real local folders. */
class TestAirbyteIngestion {
  private static final long T1 = 1_700_000_000_000L;
  private static final long T2 = 1_700_000_060_000L;
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static PipelineFixture fixture;
  private static long clock = 1_700_000_000_000L;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture =
        new PipelineFixture(
            spark,
            warehouse,
            "a",
            namespace ->
                "variables:\n  landing: "
                    + warehouse.root().resolve("landing-" + namespace)
                    + "\n");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void readsRawRecordsAndProtocolMessagesEachFileOnce() throws IOException {
    land(
        "ar",
        "raw-v2.jsonl",
        lines(
            "{\"_airbyte_raw_id\": \"r1\", \"_airbyte_extracted_at\": "
                + T1
                + ","
                + " \"_airbyte_meta\": {\"sync_id\": 7, \"changes\": []},"
                + " \"_airbyte_generation_id\": 0, \"_airbyte_data\": {\"id\": 1, \"name\": \"ana\"}}",
            "{\"_airbyte_raw_id\": \"r2\", \"_airbyte_extracted_at\": \"2023-11-14T22:13:40.000Z\","
                + " \"_airbyte_data\": {\"id\": 2, \"name\": \"rui\"}}",
            "{\"_airbyte_raw_id\": \"r9\", \"_airbyte_extracted_at\": \"yesterday\","
                + " \"_airbyte_data\": {\"id\": 9}}"));
    land(
        "ar",
        "raw-v1.jsonl.gz",
        gzip(
            lines(
                "{\"_airbyte_ab_id\": \"v1\", \"_airbyte_emitted_at\": "
                    + T2
                    + ","
                    + " \"_airbyte_data\": {\"id\": 3, \"name\": \"eva\"}}")));
    land(
        "ar",
        "sync.jsonl",
        lines(
            "{\"type\": \"LOG\", \"log\": {\"level\": \"INFO\", \"message\": \"starting\"}}",
            record("users", "{\"id\": 4, \"name\": \"ivo\"}", T1),
            "",
            record("users", "{\"id\": 5, \"name\": \"luz\"}", T2),
            "{\"type\": \"STATE\", \"state\": {\"type\": \"STREAM\", \"stream\": {}}}",
            "{\"type\": \"RECORD\", \"record\": {\"stream\": \"users\", \"emitted_at\": "
                + T1
                + "}}",
            "{\"id\": 10}",
            "this is not json"));
    Path folder =
        fixture.pipeline(
            "ar",
            "bronze.sql",
            "CREATE STREAMING TABLE users AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'airbyte')");
    RunResult first = fixture.run(folder);
    assertThat(PipelineFixture.flow(first, "ar.users").rowsWritten()).isEqualTo(5);
    assertThat(PipelineFixture.flow(first, "ar.users").rowsQuarantined()).isEqualTo(4);
    assertThat(spark.table("ar.users").columns())
        .containsExactly(
            "_airbyte_raw_id",
            "_airbyte_extracted_at",
            "_airbyte_stream",
            "_airbyte_meta",
            "id",
            "name",
            "_source_file");
    assertThat(spark.table("ar.users").schema().apply("_airbyte_extracted_at").dataType())
        .isEqualTo(DataTypes.TimestampType);
    assertThat(spark.table("ar.users").schema().apply("id").dataType())
        .isEqualTo(DataTypes.LongType);
    assertThat(
            fixture.rows(
                "SELECT id, name, unix_millis(_airbyte_extracted_at), _airbyte_stream,"
                    + " _airbyte_meta, _source_file.name FROM ar.users ORDER BY id"))
        .containsExactly(
            Arrays.asList(1L, "ana", T1, null, "{\"sync_id\":7,\"changes\":[]}", "raw-v2.jsonl"),
            Arrays.asList(2L, "rui", T1 + 20_000, null, null, "raw-v2.jsonl"),
            Arrays.asList(3L, "eva", T2, null, null, "raw-v1.jsonl.gz"),
            Arrays.asList(4L, "ivo", T1, "users", null, "sync.jsonl"),
            Arrays.asList(5L, "luz", T2, "users", null, "sync.jsonl"));
    // raw records keep their ids; protocol messages get UUIDs, distinct ones
    assertThat(fixture.rows("SELECT _airbyte_raw_id FROM ar.users WHERE id <= 3 ORDER BY id"))
        .containsExactly(List.of("r1"), List.of("r2"), List.of("v1"));
    List<List<Object>> generated =
        fixture.rows("SELECT _airbyte_raw_id FROM ar.users WHERE id > 3 ORDER BY id");
    assertThat(generated)
        .allSatisfy(
            row ->
                assertThat((String) row.get(0))
                    .matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"))
        .doesNotHaveDuplicates();
    // LOG and STATE are neither rows nor quarantined; the lines that are no records are
    assertThat(
            fixture.rows(
                "SELECT CAST(_raw AS STRING), _error FROM ar.users_source_quarantine ORDER BY 1"))
        .containsExactly(
            List.of(
                "this is not json", "not a JSON object: invalid JSON, or JSON that is not {...}"),
            List.of(
                "{\"_airbyte_raw_id\": \"r9\", \"_airbyte_extracted_at\": \"yesterday\","
                    + " \"_airbyte_data\": {\"id\": 9}}",
                "the extraction time is not epoch milliseconds or an ISO 8601 timestamp:"
                    + " yesterday"),
            List.of(
                "{\"id\": 10}", "not an Airbyte record: no \"_airbyte_data\" or \"record.data\""),
            List.of(
                "{\"type\": \"RECORD\", \"record\": {\"stream\": \"users\", \"emitted_at\": "
                    + T1
                    + "}}",
                "not an Airbyte record: no \"_airbyte_data\" or \"record.data\""));

    // nothing new: nothing read again
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);

    // a new sync with a new field: only it is read, and the field becomes a column
    land(
        "ar",
        "sync-2.jsonl",
        lines(
            record("users", "{\"id\": 6, \"name\": \"rita\", \"email\": \"rita@x\"}", T2),
            "{\"type\": \"STATE\", \"state\": {}}"));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "ar.users").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "ar.users").rowsQuarantined()).isZero();
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT _airbyte_raw_id) FROM ar.users"))
        .containsExactly(List.of(6L, 6L));
    assertThat(fixture.rows("SELECT name, email FROM ar.users WHERE id >= 5 ORDER BY id"))
        .containsExactly(Arrays.asList("luz", null), List.of("rita", "rita@x"));
    assertThat(
            fixture.rows("SELECT _source_file.name, count(*) FROM ar.users GROUP BY 1 ORDER BY 1"))
        .containsExactly(
            List.of("raw-v1.jsonl.gz", 1L),
            List.of("raw-v2.jsonl", 2L),
            List.of("sync-2.jsonl", 1L),
            List.of("sync.jsonl", 2L));
  }

  @Test
  void givesProtocolRecordsTheSameIdOnEveryRead() {
    land(
        "ai",
        "sync.jsonl",
        lines(
            record("users", "{\"id\": 1}", T1),
            record("users", "{\"id\": 1}", T1),
            record("users", "{\"id\": 2}", T1)));
    Path folder =
        fixture.pipeline(
            "ai",
            "bronze.sql",
            "CREATE STREAMING TABLE one AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'airbyte');\n"
                + "CREATE STREAMING TABLE two AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'airbyte');");
    fixture.run(folder);
    List<List<Object>> one = fixture.rows("SELECT _airbyte_raw_id FROM ai.one ORDER BY 1");
    assertThat(one).hasSize(3).doesNotHaveDuplicates();
    assertThat(fixture.rows("SELECT _airbyte_raw_id FROM ai.two ORDER BY 1")).isEqualTo(one);
  }

  @Test
  void typesTheDataByTheSchemaAndKeepsOneStream() {
    land(
        "as",
        "sync.jsonl",
        lines(
            "{\"type\": \"SPEC\", \"spec\": {}}",
            record("users", "{\"id\": 1, \"name\": \"ana\", \"plan\": \"pro\"}", T1),
            record("orders", "{\"order\": 77}", T1),
            record("users", "{\"id\": \"two\", \"name\": \"rui\"}", T1),
            "{\"type\": \"STATE\", \"state\": {}}",
            "{\"type\": \"HEARTBEAT\"}",
            "{\"_airbyte_raw_id\": \"r\", \"_airbyte_extracted_at\": 99999999999999999999,"
                + " \"_airbyte_data\": {\"id\": 3}}"));
    Path folder =
        fixture.pipeline(
            "as",
            "bronze.sql",
            "CREATE STREAMING TABLE users AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'airbyte',\n"
                + "  schema => 'id BIGINT, name STRING', stream => 'users')");
    CompiledPipeline compiled = fixture.compile(folder);
    SourceCall call =
        compiled.graph().dataset("as.users").orElseThrow().statement().sources().get(0);
    try (SourceReaders sources = new SourceReaders()) {
      FilesSourceReader reader =
          sources.files(spark, PipelineRunner.icebergCatalog(spark), call, folder, "as.users");
      SourceBatch batch = reader.read(Map.of(), Map.of(), "run-0", true);
      assertThat(batch.description())
          .endsWith(
              "(1 new files, skipped 3 messages (1 RECORD of another stream, 1 SPEC, 1 STATE))");
      batch.release().run();
    }
    RunResult run = fixture.run(folder);
    assertThat(PipelineFixture.flow(run, "as.users").rowsWritten()).isEqualTo(1);
    assertThat(
            fixture.rows(
                "SELECT id, name, _rescued_data, _airbyte_stream FROM as.users ORDER BY id"))
        .containsExactly(List.of(1L, "ana", "{\"plan\":\"pro\"}", "users"));
    assertThat(fixture.rows("SELECT _error FROM as.users_source_quarantine ORDER BY 1"))
        .containsExactly(
            List.of(
                "not an Airbyte record: a message of type HEARTBEAT (RECORD, or one of STATE,"
                    + " LOG, TRACE, SPEC, CATALOG, CONNECTION_STATUS, CONTROL to skip)"),
            List.of(
                "the extraction time is not epoch milliseconds or an ISO 8601 timestamp:"
                    + " 99999999999999999999"),
            List.of("values do not match the schema: id (BIGINT)"));
  }

  private static String record(String stream, String data, long emittedAt) {
    return "{\"type\": \"RECORD\", \"record\": {\"stream\": \""
        + stream
        + "\", \"data\": "
        + data
        + ", \"emitted_at\": "
        + emittedAt
        + "}}";
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static void land(String namespace, String name, String content) {
    land(namespace, name, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a file into a landing folder, each one a second newer than the one before. */
  private static void land(String namespace, String name, byte[] content) {
    try {
      Path file = warehouse.root().resolve("landing-" + namespace).resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      clock += 1000;
      Files.setLastModifiedTime(file, FileTime.fromMillis(clock));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

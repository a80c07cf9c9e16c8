package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.config.LagoaConfig;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.pipeline.source.FilesSourceReader;
import io.lagoa.spark.pipeline.source.SourceBatch;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * read_files on an S3 folder, against a real S3 API server (S3Proxy): listed and downloaded through
 * Iceberg's S3FileIO, with the warehouse on the same store.
 */
class TestFilesS3Ingestion {
  private static TestingS3 s3;
  private static TestingWarehouse local;
  private static SparkSession spark;
  private static FileIO io;
  private static Path staging;
  private static String tmpdir;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    s3 = TestingS3.start();
    local = TestingWarehouse.create();
    Map<String, String> env = new HashMap<>(s3.environment("lake"));
    env.put("LAGOA_CATALOG_URI", "jdbc:sqlite:" + local.root().resolve("catalog.db"));
    LagoaConfig config = local.config(env);
    spark = LagoaSpark.session(config);
    fixture = new PipelineFixture(spark, local, "p");
    Map<String, String> properties = CatalogProperties.of(config);
    io = CatalogUtil.loadFileIO(CatalogProperties.S3_FILE_IO, properties, new Configuration());
    // the reader downloads each batch under java.io.tmpdir: a folder of our own, to see it cleaned
    staging = Files.createDirectories(local.root().resolve("tmp"));
    tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", staging.toString());
  }

  @AfterAll
  static void stop() {
    if (tmpdir != null) {
      System.setProperty("java.io.tmpdir", tmpdir);
    }
    if (io != null) {
      io.close();
    }
    if (local != null) {
      local.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static void upload(String key, byte[] content) {
    try (OutputStream out = io.newOutputFile(s3.location(key)).createOrOverwrite()) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void upload(String key, String content) {
    upload(key, content.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] gzip(String content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static Path pipeline(String namespace, String sql) {
    return fixture.pipeline(namespace, "bronze.sql", sql);
  }

  private static List<String> staged() {
    try (Stream<Path> files = Files.list(staging)) {
      return files
          .map(path -> path.getFileName().toString())
          .filter(name -> name.startsWith("lagoa-read-files-"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void ingestsNewObjectsOnceAndQuarantinesOnesItCannotRead() throws IOException {
    String a = "{\"id\": 1, \"kind\": \"click\"}\n{\"id\": 2, \"kind\": \"view\"}\n";
    byte[] b = gzip("{\"id\": 3, \"kind\": \"view\"}\nnot json\n");
    upload("landing/events/2024/a.json", a);
    upload("landing/events/b.json.gz", b);
    upload("landing/events/broken.json.gz", "these bytes are not gzip");
    upload("landing/events/_tmp/c.json", "{\"id\": 100}\n");
    upload("landing/events-other/d.json", "{\"id\": 101}\n");
    upload("landing/sales/s1.csv", "id,amount,city\n1,2.50,Porto\n2,3.75,Braga\n");
    Path folder =
        pipeline(
            "s3a",
            "CREATE STREAMING TABLE events AS\n"
                + "SELECT * FROM STREAM read_files('s3://lagoa/landing/events/', format => 'json',\n"
                + "  schema_hints => 'id BIGINT');\n"
                + "CREATE STREAMING TABLE sales AS\n"
                + "SELECT * FROM STREAM read_files('s3a://lagoa/landing/sales', format => 'csv');\n");

    // a dry run reads the folders to check the queries, and writes nothing
    RunResult dry = fixture.attempt(folder, new RunOptions(List.of(), false, true, 1));
    assertThat(dry.error()).isEmpty();
    assertThat(s3.objectKeys("lake/lagoa_system/file_logs/s3a/")).isEmpty();
    assertThat(staged()).isEmpty();

    RunResult first = fixture.run(folder);
    assertThat(PipelineFixture.flow(first, "s3a.events").rowsWritten()).isEqualTo(3);
    assertThat(PipelineFixture.flow(first, "s3a.events").rowsQuarantined()).isEqualTo(2);
    assertThat(
            fixture.rows(
                "SELECT id, kind, _source_file.path, _source_file.name, _source_file.size"
                    + " FROM s3a.events ORDER BY id"))
        .containsExactly(
            List.of(
                1L, "click", "s3://lagoa/landing/events/2024/a.json", "a.json", (long) a.length()),
            List.of(
                2L, "view", "s3://lagoa/landing/events/2024/a.json", "a.json", (long) a.length()),
            List.of(
                3L, "view", "s3://lagoa/landing/events/b.json.gz", "b.json.gz", (long) b.length));
    List<List<Object>> poison =
        fixture.rows(
            "SELECT _source_file, _position, _error,"
                + " CAST(_raw AS STRING) FROM s3a.events_source_quarantine ORDER BY _source_file");
    assertThat(poison).hasSize(2);
    assertThat(poison.get(0).subList(0, 2)).containsOnly("s3://lagoa/landing/events/b.json.gz");
    assertThat(poison.get(0).get(2))
        .isEqualTo("not a JSON object: invalid JSON, or JSON that is not {...}");
    assertThat(poison.get(1).subList(0, 2))
        .containsOnly("s3://lagoa/landing/events/broken.json.gz");
    assertThat(poison.get(1).get(2))
        .isEqualTo(
            "broken.json.gz does not look like a json file:"
                + " cannot decompress it (gz): not a gzip file (a truncated or corrupt gz file, or not gz"
                + " at all)");
    assertThat(poison.get(1).get(3)).isEqualTo("these bytes are not gzip");
    assertThat(fixture.rows("SELECT id, city, _source_file.path FROM s3a.sales ORDER BY id"))
        .containsExactly(
            List.of(1, "Porto", "s3a://lagoa/landing/sales/s1.csv"),
            List.of(2, "Braga", "s3a://lagoa/landing/sales/s1.csv"));
    assertThat(s3.objectKeys("lake/lagoa_system/file_logs/s3a/events/")).hasSize(1);
    assertThat(staged()).isEmpty();

    // nothing new: nothing read again
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);

    // new objects: only they are read
    upload("landing/events/2025/e.json", "{\"id\": 5, \"kind\": \"buy\", \"shop\": \"x\"}\n");
    upload("landing/sales/s2.csv", "id,amount,city\n3,1.00,Faro\n");
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "s3a.events").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "s3a.sales").rowsWritten()).isEqualTo(1);
    assertThat(fixture.rows("SELECT id, shop, _source_file.path FROM s3a.events WHERE id > 3"))
        .containsExactly(List.of(5L, "x", "s3://lagoa/landing/events/2025/e.json"));
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT id) FROM s3a.sales"))
        .containsExactly(List.of(3L, 3L));
    assertThat(fixture.rows("SELECT count(*) FROM s3a.events_source_quarantine"))
        .containsExactly(List.of(2L));
    assertThat(staged()).isEmpty();
  }

  @Test
  void quarantinesAnObjectDeletedAfterItWasListed() {
    upload("landing/gone/a.txt", "one\n");
    upload("landing/gone/b.txt", "two\n");
    Path folder =
        pipeline(
            "s3c",
            "CREATE STREAMING TABLE lines AS SELECT * FROM STREAM"
                + " read_files('s3://lagoa/landing/gone', format => 'text')\n");
    SourceCall call =
        fixture
            .compile(folder)
            .graph()
            .dataset("s3c.lines")
            .orElseThrow()
            .statement()
            .sources()
            .get(0);
    SourceReaders sources = new SourceReaders();
    FilesSourceReader reader =
        sources.files(spark, PipelineRunner.icebergCatalog(spark), call, folder, "s3c.lines");
    SourceBatch crashed = reader.read(Map.of(), Map.of(), "run-1", false);
    String log = crashed.position().get(reader.positionKey());
    crashed.release().run();

    // the interrupted batch is read again, but one of its objects is gone meanwhile
    io.deleteFile(s3.location("landing/gone/b.txt"));
    SourceBatch replayed = reader.read(Map.of(), Map.of(reader.positionKey(), log), "run-2", false);
    assertThat(replayed.rows().select("value", "_source_file.path").collectAsList())
        .extracting(Object::toString)
        .containsExactly("[one,s3://lagoa/landing/gone/a.txt]");
    List<org.apache.spark.sql.Row> rejected =
        replayed.rejected().select("_source_file", "_error", "_raw").collectAsList();
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).getString(0)).isEqualTo("s3://lagoa/landing/gone/b.txt");
    assertThat(rejected.get(0).getString(1))
        .startsWith("cannot download s3://lagoa/landing/gone/b.txt: ");
    assertThat(rejected.get(0).isNullAt(2)).isTrue();
    assertThat(staged()).hasSize(1);
    replayed.release().run();
    sources.close();
    assertThat(staged()).isEmpty();
  }

  @Test
  void failsWithTheSettingsToCheckWhenTheBucketDoesNotExist() {
    Path folder =
        pipeline(
            "s3b",
            "CREATE STREAMING TABLE t AS\n"
                + "SELECT * FROM STREAM read_files('s3://no-such-bucket/landing', format => 'json')\n");
    RunResult result = fixture.attempt(folder, RunOptions.defaults());
    assertThat(result.error()).isPresent();
    assertThat(PipelineFixture.flow(result, "s3b.t").error().orElseThrow())
        .contains(
            "bronze.sql:2:", "cannot list folder s3://no-such-bucket/landing on S3",
            "the bucket no-such-bucket does not exist", "storage.s3.endpoint");
    assertThat(PipelineRunner.icebergCatalog(spark).tableExists(TableIdentifier.of("s3b", "t")))
        .isFalse();
    assertThat(s3.objectKeys("lake/lagoa_system/file_logs/s3b/")).isEmpty();
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.pipeline.source.FilePlausibility;
import io.lagoa.spark.pipeline.source.FilesSourceReader;
import io.lagoa.spark.pipeline.source.SourceBatch;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** read_files in pipelines, on real local folders. */
class TestFilesIngestion {
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
            "f",
            namespace ->
                "variables:\n  landing: "
                    + warehouse.root().resolve("landing-" + namespace)
                    + "\n");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  /** Writes a file into a landing folder, each one a second newer than the one before. */
  private static Path land(String namespace, String name, String content) {
    return land(namespace, name, content.getBytes(StandardCharsets.UTF_8));
  }

  private static Path land(String namespace, String name, byte[] content) {
    try {
      Path file = warehouse.root().resolve("landing-" + namespace).resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      clock += 1000;
      Files.setLastModifiedTime(file, FileTime.fromMillis(clock));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void ingestsEachFileOnceAcrossRestartsAndQuarantinesWhatItCannotRead() {
    land("fj", "2024/a.json", "{\"id\": 1, \"name\": \"ana\"}\n{\"id\": 2, \"name\": \"rui\"}\n");
    land(
        "fj",
        "2024/b.json",
        "{\"id\": 3, \"name\": \"eva\"}\n\nthis is not json\n"
            + "{\"id\": \"four\", \"name\": \"bad\"}\n");
    land("fj", ".hidden.json", "{\"id\": 100}\n");
    land("fj", "_temporary/0/part.json", "{\"id\": 101}\n");
    land("fj", "c.json.tmp", "{\"id\": 102}\n");
    land("fj", "d.json.inprogress", "{\"id\": 103}\n");
    Path folder =
        fixture.pipeline(
            "fj",
            "bronze.sql",
            "CREATE STREAMING TABLE users AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'json',\n"
                + "  schema_hints => 'id BIGINT')");
    RunResult first = fixture.run(folder);
    assertThat(PipelineFixture.flow(first, "fj.users").rowsWritten()).isEqualTo(3);
    assertThat(PipelineFixture.flow(first, "fj.users").rowsQuarantined()).isEqualTo(2);
    assertThat(fixture.rows("SELECT id, name, _source_file.name FROM fj.users ORDER BY id"))
        .containsExactly(
            List.of(1L, "ana", "a.json"),
            List.of(2L, "rui", "a.json"),
            List.of(3L, "eva", "b.json"));
    List<List<Object>> poison =
        fixture.rows(
            "SELECT _source, _error, CAST(_raw AS STRING), _source_file,"
                + " _position FROM fj.users_source_quarantine ORDER BY _error");
    assertThat(poison)
        .extracting(row -> row.get(1))
        .containsExactly(
            "not a JSON object: invalid JSON, or JSON that is not {...}",
            "values do not match the schema: id (BIGINT)");
    assertThat(poison)
        .extracting(row -> row.get(2))
        .containsExactly("this is not json", "{\"id\": \"four\", \"name\": \"bad\"}");
    assertThat(poison.get(0).get(0))
        .isEqualTo(
            "files:${landing}"
                .replace("${landing}", warehouse.root().resolve("landing-fj").toString()));
    assertThat((String) poison.get(0).get(3)).endsWith("/2024/b.json");
    assertThat(poison.get(0).get(4)).isEqualTo(poison.get(0).get(3));

    // nothing new, after a restart: nothing is read again
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);

    // a new file and one rewritten in place: only the new one is read
    land("fj", "2024/a.json", "{\"id\": 1, \"name\": \"changed\"}\n");
    land("fj", "2025/e.json", "{\"id\": 5, \"name\": \"ivo\", \"email\": \"ivo@x\"}\n");
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "fj.users").rowsWritten()).isEqualTo(1);
    assertThat(fixture.rows("SELECT id, name, email FROM fj.users ORDER BY id"))
        .containsExactly(
            Arrays.asList(1L, "ana", null), Arrays.asList(2L, "rui", null),
            Arrays.asList(3L, "eva", null), List.of(5L, "ivo", "ivo@x"));
    assertThat(fixture.rows("SELECT count(*) FROM fj.users_source_quarantine"))
        .containsExactly(List.of(2L));
    // the log of ingested files lives under the warehouse, not under the table
    assertThat(warehouse.warehouse().resolve("lagoa_system/file_logs/fj/users")).isDirectory();
  }

  @Test
  void limitsEachBatchAndTakesTheOldestFirst() {
    for (int i = 0; i < 3; i++) {
      land("fm", "f" + (2 - i) + ".csv", "n\n" + (2 - i) + "\n");
    }
    land("fm", "notes.txt", "not a csv\n");
    Path folder =
        fixture.pipeline(
            "fm",
            "t.sql",
            "CREATE STREAMING TABLE nums AS SELECT n, _source_file.name AS file FROM STREAM"
                + " read_files('${landing}', format => 'csv', max_files_per_batch => 2,"
                + " file_pattern => '*.csv')");
    assertThat(PipelineFixture.flow(fixture.run(folder), "fm.nums").rowsWritten()).isEqualTo(2);
    assertThat(fixture.rows("SELECT n FROM fm.nums ORDER BY n"))
        .containsExactly(List.of(1), List.of(2));
    assertThat(PipelineFixture.flow(fixture.run(folder), "fm.nums").rowsWritten()).isEqualTo(1);
    assertThat(fixture.run(folder).flows().get(0).status()).isEqualTo(FlowStatus.UP_TO_DATE);
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT n), min(n), max(n) FROM fm.nums"))
        .containsExactly(List.of(3L, 3L, 0, 2));
  }

  @Test
  void readsCsvByHeaderLearnsTypesAndAddsNewColumns() {
    land("fc", "a.csv", "id,price,city\n1,2.50,Porto\n2,3.75,Braga\n");
    Path folder =
        fixture.pipeline(
            "fc",
            "t.sql",
            "CREATE STREAMING TABLE sales AS SELECT * FROM STREAM read_files(\n"
                + "  '${landing}', format => 'csv', schema_hints => 'price DECIMAL(10,2)')");
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id, price, city FROM fc.sales ORDER BY id"))
        .containsExactly(
            List.of(1, new java.math.BigDecimal("2.50"), "Porto"),
            List.of(2, new java.math.BigDecimal("3.75"), "Braga"));
    // columns in another order, a new column, a value of the wrong type, a line too long
    land(
        "fc",
        "b.csv",
        "city,id,price,channel\nFaro,3,1.00,web\nLisboa,x,2.00,shop\n"
            + "Evora,5,1.00,web,extra\n");
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "fc.sales").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "fc.sales").rowsQuarantined()).isEqualTo(2);
    assertThat(spark.table("fc.sales").columns())
        .containsExactly("id", "price", "city", "_source_file", "channel");
    assertThat(fixture.rows("SELECT id, price, city, channel FROM fc.sales WHERE id = 3"))
        .containsExactly(List.of(3, new java.math.BigDecimal("1.00"), "Faro", "web"));
    assertThat(
            fixture.rows(
                "SELECT CAST(_raw AS STRING), _error FROM fc.sales_source_quarantine"
                    + " ORDER BY _error"))
        .containsExactly(
            List.of(
                "Evora,5,1.00,web,extra",
                "malformed CSV line: it does not have the 4 values of the header"),
            List.of("Lisboa,x,2.00,shop", "values do not match the schema: id (INT)"));
  }

  @Test
  void keepsFieldsTheDeclaredSchemaLacksInRescuedData() {
    land("fr", "a.json", "{\"id\": 1, \"venue\": {\"city\": \"Porto\"}}\n{\"id\": 2}\n");
    land("fr", "b.csv", "id,extra\n7,x\n");
    Path folder =
        fixture.pipeline(
            "fr",
            "j.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM read_files(\n"
                + "  '${landing}', format => 'json', schema => 'id BIGINT', file_pattern => '*.json')",
            "c.sql",
            "CREATE STREAMING TABLE rows AS SELECT * FROM STREAM read_files(\n"
                + "  '${landing}', format => 'csv', schema => 'id INT', file_pattern => '*.csv')");
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id, _rescued_data FROM fr.events ORDER BY id"))
        .containsExactly(
            List.of(1L, "{\"venue\":\"{\\\"city\\\":\\\"Porto\\\"}\"}"), Arrays.asList(2L, null));
    assertThat(fixture.rows("SELECT id, _rescued_data FROM fr.rows"))
        .containsExactly(List.of(7, "{\"extra\":\"x\"}"));
  }

  @Test
  void readsParquetAddsNewColumnsAndQuarantinesAFileItCannotRead() throws IOException {
    Path staging = warehouse.root().resolve("staging-fp");
    spark
        .sql("SELECT 1 AS id, 'a' AS name")
        .coalesce(1)
        .write()
        .parquet(staging.resolve("one").toString());
    spark
        .sql("SELECT 2 AS id, 'b' AS name, 9.5D AS score")
        .coalesce(1)
        .write()
        .parquet(staging.resolve("two").toString());
    land("fp", "one.parquet", parquetBytes(staging.resolve("one")));
    Path folder =
        fixture.pipeline(
            "fp",
            "t.sql",
            "CREATE STREAMING TABLE items AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'parquet')");
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id, name FROM fp.items")).containsExactly(List.of(1, "a"));
    land(
        "fp", "broken.parquet", "PAR1 this is not parquet at all".getBytes(StandardCharsets.UTF_8));
    land("fp", "two.parquet", parquetBytes(staging.resolve("two")));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "fp.items").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "fp.items").rowsQuarantined()).isEqualTo(1);
    assertThat(fixture.rows("SELECT id, name, score FROM fp.items ORDER BY id"))
        .containsExactly(Arrays.asList(1, "a", null), List.of(2, "b", 9.5));
    List<List<Object>> poison =
        fixture.rows(
            "SELECT _source_file, _error, CAST(_raw AS STRING)"
                + " FROM fp.items_source_quarantine");
    assertThat(poison).hasSize(1);
    assertThat((String) poison.get(0).get(0)).endsWith("/broken.parquet");
    assertThat(poison.get(0).get(1))
        .isEqualTo(
            "broken.parquet does not look like a parquet"
                + " file: it does not end with the Parquet magic bytes PAR1: it is truncated, or not"
                + " Parquet");
    assertThat(poison.get(0).get(2)).isEqualTo("PAR1 this is not parquet at all");
    assertThat(spark.table("fp.items").columns())
        .containsExactly("id", "name", "_source_file", "score");

    // a batch of only a broken file commits too; broken files count as ingested
    land(
        "fp",
        "broken2.parquet",
        "<html><body>Not Found</body></html>".getBytes(StandardCharsets.UTF_8));
    assertThat(PipelineFixture.flow(fixture.run(folder), "fp.items").rowsQuarantined())
        .isEqualTo(1);
    assertThat(
            fixture.rows(
                "SELECT _error FROM fp.items_source_quarantine"
                    + " WHERE _source_file LIKE '%/broken2.parquet'"))
        .containsExactly(
            List.of(
                "broken2.parquet does not look like a parquet file: it does not start with the"
                    + " Parquet magic bytes PAR1 (it starts with 3C 68 74 6D)"));
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
    assertThat(fixture.rows("SELECT count(*) FROM fp.items_source_quarantine"))
        .containsExactly(List.of(2L));
  }

  @Test
  void quarantinesCsvFilesThatAreNotCsvWholeAndNeverLearnTheirColumns() {
    land("fq", "a.csv", "id,price,city\n1,2.50,Porto\n");
    land("fq", "blob.csv", binary(4096));
    Path folder =
        fixture.pipeline(
            "fq",
            "t.sql",
            "CREATE STREAMING TABLE sales AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'csv')");
    RunResult first = fixture.run(folder);
    assertThat(PipelineFixture.flow(first, "fq.sales").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(first, "fq.sales").rowsQuarantined()).isEqualTo(1);
    assertThat(spark.table("fq.sales").columns())
        .containsExactly("id", "price", "city", "_source_file");

    land("fq", "empty-names.csv", ",,,,city\n1,2,3,4,Faro\n");
    land("fq", "long-name.csv", "id," + "x".repeat(300) + "\n1,2\n");
    land("fq", "tabs.csv", "id\tprice\tcity\n3\t1.00\tFaro\n");
    StringBuilder wide = new StringBuilder("id");
    for (int i = 1; i < 40; i++) {
      wide.append(",c").append(i);
    }
    land("fq", "wide.csv", wide + "\n" + "1,".repeat(39) + "1\n");
    land("fq", "other.csv", "name,email\nana,ana@x\n");
    land("fq", "blank-header.csv", "\nid,price,city\n9,1.00,Beja\n");
    land("fq", "b.csv", "city,id,price\nBraga,2,3.75\n");
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "fq.sales").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "fq.sales").rowsQuarantined()).isEqualTo(6);
    assertThat(spark.table("fq.sales").columns())
        .containsExactly("id", "price", "city", "_source_file");
    assertThat(fixture.rows("SELECT id, city FROM fq.sales ORDER BY id"))
        .containsExactly(List.of(1, "Porto"), List.of(2, "Braga"));
    Map<String, String> errors = wholeFileErrors("fq.sales_source_quarantine");
    assertThat(errors)
        .containsOnlyKeys(
            "blob.csv",
            "empty-names.csv",
            "long-name.csv",
            "tabs.csv",
            "wide.csv",
            "other.csv",
            "blank-header.csv");
    assertThat(errors.get("blob.csv"))
        .startsWith(
            "blob.csv does not look like a csv file:"
                + " binary data, not text: a NUL byte at byte ")
        .contains("it looks like a PNG image");
    assertThat(errors.get("empty-names.csv"))
        .isEqualTo(
            "empty-names.csv does not look like a csv"
                + " file: its header does not look like column names: 4 of its 5 names are empty");
    assertThat(errors.get("long-name.csv"))
        .contains("the name of column 2 has 300 characters," + " more than 256");
    assertThat(errors.get("tabs.csv")).contains("contains a tab (is the file tab-separated?");
    assertThat(errors.get("wide.csv"))
        .isEqualTo(
            "wide.csv does not look like a csv file: it has"
                + " 40 columns, far more than the 3 of the table (id, price, city)");
    assertThat(errors.get("other.csv"))
        .isEqualTo(
            "other.csv does not look like a csv file: none"
                + " of its column names (name, email) is a column of the table (id, price, city)");
    assertThat(errors.get("blank-header.csv")).contains("its first line, the header, is empty");
    assertThat(
            fixture.rows(
                "SELECT octet_length(_raw) FROM fq.sales_source_quarantine"
                    + " WHERE _source_file LIKE '%/blob.csv'"))
        .containsExactly(List.of(4096));

    // quarantined files count as ingested: nothing is read twice
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
  }

  @Test
  void quarantinesJsonAndTextFilesOfBinaryDataWhole() {
    land("fk", "a.json", "{\"id\": 1, \"name\": \"ana\"}\n");
    land("fk", "blob.json", binary(8192));
    land("fk", "prose.json", "Dear all,\nplease find the orders attached.\n\nRegards\n");
    land("fk", "pretty.json", "{\n  \"id\": 2,\n  \"name\": \"rui\"\n}\n");
    land(
        "fk",
        "latin1.json",
        "{\"id\": 3, \"city\": \"S\u00e3o Paulo\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    land("fk", "b.txt", "one line\n");
    land("fk", "blob.txt", binary(100));
    Path folder =
        fixture.pipeline(
            "fk",
            "j.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'json', file_pattern => '*.json')",
            "t.sql",
            "CREATE STREAMING TABLE lines AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'text', file_pattern => '*.txt')");
    RunResult run = fixture.run(folder);
    assertThat(PipelineFixture.flow(run, "fk.events").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(run, "fk.events").rowsQuarantined()).isEqualTo(4);
    assertThat(spark.table("fk.events").columns()).containsExactly("id", "name", "_source_file");
    Map<String, String> errors = wholeFileErrors("fk.events_source_quarantine");
    assertThat(errors.get("blob.json"))
        .startsWith(
            "blob.json does not look like a json file:"
                + " binary data, not text: a NUL byte at byte ");
    assertThat(errors.get("prose.json"))
        .isEqualTo(
            "prose.json does not look like a json file:"
                + " none of its first 3 lines is a JSON object (line 1: \"Dear all,\")");
    assertThat(errors.get("pretty.json"))
        .endsWith(
            "it looks like one JSON document over several"
                + " lines, and json reads JSON Lines: one object per line");
    assertThat(errors.get("latin1.json"))
        .isEqualTo(
            "latin1.json does not look like a json file:"
                + " not UTF-8 text: byte 0xE3 at line 1 is not UTF-8 (json files must be UTF-8: convert a"
                + " Latin-1 or Windows-1252 file first)");

    assertThat(fixture.rows("SELECT value FROM fk.lines")).containsExactly(List.of("one line"));
    assertThat(wholeFileErrors("fk.lines_source_quarantine")).containsOnlyKeys("blob.txt");
  }

  @Test
  void quarantinesATruncatedGzipFileWholeAndReadsTheOthers() throws IOException {
    land("fz", "a.json", "{\"id\": 0}\n");
    land("fz", "small.json.gz", truncated(gzip(jsonLines(100)), 0.5));
    // cut off far behind what the plausibility check reads: Spark's read finds it
    byte[] big = gzip(jsonLines(20_000));
    assertThat(big.length).isGreaterThan(4 * FilePlausibility.SAMPLE_BYTES);
    land("fz", "big.json.gz", truncated(big, 0.5));
    land("fz", "notgzip.json.gz", "{\"id\": 1}\n");
    Path folder =
        fixture.pipeline(
            "fz",
            "t.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'json')");
    RunResult run = fixture.run(folder);
    assertThat(PipelineFixture.flow(run, "fz.events").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(run, "fz.events").rowsQuarantined()).isEqualTo(3);
    assertThat(fixture.rows("SELECT id FROM fz.events")).containsExactly(List.of(0L));
    assertThat(spark.table("fz.events").columns()).containsExactly("id", "_source_file");
    Map<String, String> errors = wholeFileErrors("fz.events_source_quarantine");
    assertThat(errors.get("small.json.gz"))
        .startsWith(
            "small.json.gz does not look like a json" + " file: cannot decompress it (gz): ");
    assertThat(errors.get("notgzip.json.gz"))
        .startsWith(
            "notgzip.json.gz does not look like a" + " json file: cannot decompress it (gz): ");
    assertThat(errors.get("big.json.gz"))
        .isEqualTo(
            "cannot read the file as json: big.json.gz:"
                + " Unexpected end of input stream (the file ends too early: a truncated or corrupt"
                + " compressed file)");
    assertThat(fixture.run(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
  }

  /** The quarantine rows of whole files: file name to error. */
  private static Map<String, String> wholeFileErrors(String table) {
    Map<String, String> errors = new java.util.TreeMap<>();
    for (List<Object> row : fixture.rows("SELECT _source_file, _error FROM " + table)) {
      String path = (String) row.get(0);
      String name = path.substring(path.lastIndexOf('/') + 1);
      assertThat(errors.put(name, (String) row.get(1))).as("one row for " + name).isNull();
    }
    return errors;
  }

  /** Bytes as in an image: a PNG signature, then noise. */
  private static byte[] binary(int size) {
    byte[] bytes = new byte[size];
    new java.util.Random(size).nextBytes(bytes);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
    System.arraycopy(png, 0, bytes, 0, png.length);
    return bytes;
  }

  private static String jsonLines(int count) {
    StringBuilder lines = new StringBuilder();
    java.util.Random random = new java.util.Random(count);
    for (int i = 0; i < count; i++) {
      lines
          .append("{\"id\": ")
          .append(i)
          .append(", \"code\": \"")
          .append(Long.toHexString(random.nextLong()))
          .append("\"}\n");
    }
    return lines.toString();
  }

  private static byte[] gzip(String text) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static byte[] truncated(byte[] bytes, double kept) {
    return Arrays.copyOf(bytes, (int) (bytes.length * kept));
  }

  private static byte[] parquetBytes(Path written) throws IOException {
    try (Stream<Path> files = Files.list(written)) {
      Path part =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
      return Files.readAllBytes(part);
    }
  }

  @Test
  void replaysExactlyTheFilesOfAnInterruptedBatch() {
    land("fb", "a.txt", "one\n");
    land("fb", "b.txt", "two\n");
    Path folder =
        fixture.pipeline(
            "fb",
            "t.sql",
            "CREATE STREAMING TABLE lines AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'text')");
    CompiledPipeline compiled = fixture.compile(folder);
    SourceCall call =
        compiled.graph().dataset("fb.lines").orElseThrow().statement().sources().get(0);
    SourceReaders sources = new SourceReaders();
    FilesSourceReader reader =
        sources.files(spark, PipelineRunner.icebergCatalog(spark), call, folder, "fb.lines");
    SourceBatch crashed = reader.read(Map.of(), Map.of(), "run-1", false);
    String log = crashed.position().get(reader.positionKey());
    assertThat(log).contains("/lagoa_system/file_logs/fb/lines/");
    crashed.release().run();

    land("fb", "c.txt", "three\n");
    // the quarantine commit of the crashed attempt holds its position: that batch again
    SourceBatch replayed = reader.read(Map.of(), Map.of(reader.positionKey(), log), "run-2", false);
    assertThat(replayed.position().get(reader.positionKey())).isEqualTo(log);
    assertThat(
            replayed
                .rows()
                .select("value")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactlyInAnyOrder("one", "two");
    replayed.release().run();

    // once committed, the next batch is the rest
    SourceBatch next = reader.read(Map.of(reader.positionKey(), log), Map.of(), "run-3", false);
    assertThat(
            next.rows().select("value").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactly("three");
    assertThat(next.position().get(reader.positionKey())).isNotEqualTo(log);
    next.release().run();
    sources.close();
  }

  @Test
  void aDryRunWritesNoFileLog() {
    land("fd", "a.json", "{\"id\": 1}\n");
    Path folder =
        fixture.pipeline(
            "fd",
            "t.sql",
            "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('${landing}',"
                + " format => 'json')");
    RunResult dry =
        new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC())
            .run(fixture.compile(folder), new RunOptions(List.of(), false, true, 1));
    assertThat(dry.error()).isEmpty();
    assertThat(warehouse.warehouse().resolve("lagoa_system/file_logs/fd")).doesNotExist();
    assertThat(PipelineFixture.flow(fixture.run(folder), "fd.t").rowsWritten()).isEqualTo(1);
    assertThat(warehouse.warehouse().resolve("lagoa_system/file_logs/fd/t")).isDirectory();
  }

  @Test
  void saysWhenTheFolderDoesNotExist() {
    Path folder =
        fixture.pipeline(
            "fx",
            "t.sql",
            "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files(\n"
                + "  '/no/such/landing', format => 'json')");
    RunResult result = fixture.attempt(folder);
    assertThat(result.error()).isPresent();
    assertThat(PipelineFixture.flow(result, "fx.t").error().orElseThrow())
        .contains("t.sql:2:3", "folder file:/no/such/landing does not exist");
  }
}

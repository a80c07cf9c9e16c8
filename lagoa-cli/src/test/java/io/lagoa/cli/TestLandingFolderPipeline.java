package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A landing folder flowing into bronze and silver with {@code pipeline run --once}. */
class TestLandingFolderPipeline {
  private static TestingWarehouse warehouse;
  private static CliRunner cli;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static List<List<Object>> rows(String query) {
    return sql.execute(query, 1000).rows();
  }

  @Test
  void ingestsNewFilesOnEachRun() {
    warehouse.writeFile("orders/pipeline.yaml", "name: orders\n");
    warehouse.writeFile(
        "orders/bronze.sql",
        "CREATE STREAMING TABLE bronze.orders AS\n"
            + "SELECT * FROM STREAM read_files('landing', format => 'json',\n"
            + "  schema_hints => 'amount DECIMAL(10,2)', max_files_per_batch => 1);\n");
    warehouse.writeFile(
        "orders/silver.sql",
        "CREATE STREAMING TABLE silver.orders AS\n"
            + "SELECT id, amount, _source_file.name AS file FROM STREAM(bronze.orders);\n");
    warehouse.writeFile(
        "orders/landing/2026-01-01.json",
        "{\"id\": 1, \"amount\": 9.90}\n{\"id\": 2, \"amount\": 5}\n");
    warehouse.writeFile(
        "orders/landing/2026-01-02.json", "{\"id\": 3, \"amount\": 1.5}\nnot json\n");
    Path pipeline = warehouse.root().resolve("orders");

    CliRunner.Result graph = cli.run("pipeline", "graph", pipeline.toString());
    assertThat(graph.exitCode()).as(graph.err()).isZero();
    assertThat(graph.out()).contains("files:landing  (landing folder)");

    // a dry run reads the folder to check the query, and writes no log of ingested files
    CliRunner.Result dry = cli.run("pipeline", "run", pipeline.toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.err()).contains("checked, nothing written");
    assertThat(warehouse.warehouse().resolve("lagoa_system/file_logs")).doesNotExist();

    CliRunner.Result run = cli.run("pipeline", "run", pipeline.toString(), "--once");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("orders caught up after 3 batches, 2 with new data");
    assertThat(rows("SELECT id, amount, file FROM silver.orders ORDER BY id"))
        .containsExactly(
            List.of(1L, new java.math.BigDecimal("9.90"), "2026-01-01.json"),
            List.of(2L, new java.math.BigDecimal("5.00"), "2026-01-01.json"),
            List.of(3L, new java.math.BigDecimal("1.50"), "2026-01-02.json"));
    assertThat(rows("SELECT CAST(_raw AS STRING) FROM bronze.orders_source_quarantine"))
        .containsExactly(List.of("not json"));

    warehouse.writeFile("orders/landing/2026-01-03.json", "{\"id\": 4, \"amount\": 2}\n");
    CliRunner.Result status = cli.run("pipeline", "status", pipeline.toString(), "--format", "csv");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("bronze.orders,files:landing,1,").contains(",2 files,");
    CliRunner.Result again = cli.run("pipeline", "run", pipeline.toString(), "--once");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(rows("SELECT count(*), count(DISTINCT id) FROM silver.orders"))
        .containsExactly(List.of(4L, 4L));
  }

  @Test
  void quarantinesFilesThatAreNotCsvWholeWithOneWarningLineEach() throws IOException {
    warehouse.writeFile("sales/pipeline.yaml", "name: sales\n");
    warehouse.writeFile(
        "sales/bronze.sql",
        "CREATE STREAMING TABLE bronze.sales AS\n"
            + "SELECT * FROM STREAM read_files('landing', format => 'csv');\n");
    warehouse.writeFile("sales/landing/a.csv", "id,amount,city\n1,2.50,Porto\n");
    byte[] binary = new byte[4096];
    new Random(7).nextBytes(binary);
    binary[100] = 0;
    Files.write(warehouse.root().resolve("sales/landing/blob.csv"), binary);
    // a gzip stream cut off far behind the first bytes: only reading it all finds it
    StringBuilder lines = new StringBuilder("id,amount,city\n");
    Random random = new Random(3);
    for (int i = 0; i < 40_000; i++) {
      lines
          .append(100 + i)
          .append(',')
          .append(random.nextInt(1000))
          .append(".50,")
          .append(Long.toHexString(random.nextLong()))
          .append('\n');
    }
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
      out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = gzip.toByteArray();
    Files.write(
        warehouse.root().resolve("sales/landing/big.csv.gz"),
        Arrays.copyOf(whole, whole.length / 2));
    warehouse.writeFile("sales/landing/b.csv", "id,amount,city\n2,3.75,Braga\n");
    Path pipeline = warehouse.root().resolve("sales");

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    CliRunner.Result run;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      run = cli.run("pipeline", "run", pipeline.toString(), "--once");
    } finally {
      System.setErr(original);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8) + run.err();
    assertThat(run.exitCode()).as(stderr).isZero();
    assertThat(rows("SELECT id, city FROM bronze.sales ORDER BY id"))
        .containsExactly(List.of(1, "Porto"), List.of(2, "Braga"));
    assertThat(sql.execute("SELECT * FROM bronze.sales", 1).columns())
        .extracting(io.lagoa.result.ResultColumn::name)
        .containsExactly("id", "amount", "city", "_source_file");
    List<List<Object>> poison =
        rows(
            "SELECT _source_file, _error"
                + " FROM bronze.sales_source_quarantine ORDER BY _source_file");
    assertThat(poison).hasSize(2);
    assertThat((String) poison.get(0).get(0)).endsWith("/big.csv.gz");
    assertThat(poison.get(0).get(1))
        .isEqualTo(
            "cannot read the file as csv: big.csv.gz:"
                + " Unexpected end of input stream (the file ends too early: a truncated or corrupt"
                + " compressed file)");
    assertThat((String) poison.get(1).get(0)).endsWith("/blob.csv");
    assertThat((String) poison.get(1).get(1))
        .startsWith(
            "blob.csv does not look like a csv"
                + " file: binary data, not text: a NUL byte at byte ");

    // what reached stderr: one warning line per quarantined file, no stack trace
    assertThat(stderr).doesNotContain("\tat ", "Exception", "ERROR");
    assertThat(stderr.lines().filter(line -> line.contains("big.csv.gz")))
        .singleElement()
        .asString()
        .contains(" WARN FilesSourceReader: ")
        .contains("quarantined", "Unexpected end of input stream");
    assertThat(stderr.lines().filter(line -> line.contains("blob.csv")))
        .singleElement()
        .asString()
        .contains(" WARN FilesSourceReader: ");
    assertThat(stderr.lines().filter(line -> line.contains(" WARN "))).hasSize(2);

    CliRunner.Result again = cli.run("pipeline", "run", pipeline.toString(), "--once");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(rows("SELECT count(*) FROM bronze.sales")).containsExactly(List.of(2L));
  }
}

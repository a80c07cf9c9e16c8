package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
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
    warehouse.writeFile("orders/bronze.sql", "CREATE STREAMING TABLE bronze.orders AS\n"
        + "SELECT * FROM STREAM read_files('landing', format => 'json',\n"
        + "  schema_hints => 'amount DECIMAL(10,2)', max_files_per_batch => 1);\n");
    warehouse.writeFile("orders/silver.sql", "CREATE STREAMING TABLE silver.orders AS\n"
        + "SELECT id, amount, _source_file.name AS file FROM STREAM(bronze.orders);\n");
    warehouse.writeFile("orders/landing/2026-01-01.json",
        "{\"id\": 1, \"amount\": 9.90}\n{\"id\": 2, \"amount\": 5}\n");
    warehouse.writeFile("orders/landing/2026-01-02.json", "{\"id\": 3, \"amount\": 1.5}\nnot json\n");
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
    assertThat(rows("SELECT id, amount, file FROM silver.orders ORDER BY id")).containsExactly(
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
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.error.ErrorCode;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestPipelineCommand {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples")
          .normalize();
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

  /**
   * A second runner beside a live one exits with 3 and says who holds the pipeline; status says who
   * runs it; --force takes the lease over and warns.
   */
  @Test
  void aPipelineHeldByAnotherRunnerIsNotRunTwice() {
    warehouse.writeFile("held/pipeline.yaml", "name: held\nnamespace: held\n");
    warehouse.writeFile("held/t.sql", "CREATE MATERIALIZED VIEW t AS SELECT 1 AS one");
    String folder = warehouse.root().resolve("held").toString();
    io.lagoa.pipeline.lease.PipelineLeases.Holder other =
        new io.lagoa.pipeline.lease.PipelineLeases.Holder(
            "other", "etl-7", ProcessHandle.current().pid());
    try (io.lagoa.pipeline.lease.PipelineLease held =
        io.lagoa.pipeline.lease.PipelineLeases.of(
                warehouse.config(),
                java.time.Clock.systemUTC(),
                java.time.Duration.ofMinutes(5),
                other)
            .orElseThrow()
            .acquire("held", false)) {
      CliRunner.Result refused = cli.run("pipeline", "run", folder);
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
      assertThat(refused.err())
          .startsWith(
              "error: pipeline held is already running on etl-7 (pid "
                  + ProcessHandle.current().pid()
                  + ") since ");
      assertThat(refused.out()).isEmpty(); // nothing ran: no summary table

      CliRunner.Result status = cli.run("pipeline", "status", folder);
      assertThat(status.err()).contains("pipeline held is running on etl-7 (pid");

      CliRunner.Result waited = cli.run("pipeline", "run", folder, "--wait", "1s");
      assertThat(waited.exitCode()).as(waited.toString()).isEqualTo(3);
      assertThat(waited.err()).contains("waiting for it to end");

      CliRunner.Result forced = cli.run("pipeline", "run", folder, "--force");
      assertThat(forced.exitCode()).as(forced.toString()).isZero();
      assertThat(forced.err()).contains("warning: took over the lease of pipeline held from etl-7");
    }
    CliRunner.Result status = cli.run("pipeline", "status", folder);
    assertThat(status.err()).contains("pipeline held is not running");
    CliRunner.Result bad = cli.run("pipeline", "run", folder, "--wait", "soon");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("'soon' is not a duration");
  }

  @Test
  void runsTheUsersExample() {
    String folder = EXAMPLES.resolve("users").toString();
    CliRunner.Result validate = cli.run("pipeline", "validate", folder);
    assertThat(validate.exitCode()).as(validate.err()).isZero();
    assertThat(validate.out())
        .contains("pipeline users is valid: 4 tables, 2 temporary views, 3 expectations");

    CliRunner.Result graph = cli.run("pipeline", "graph", folder);
    assertThat(graph.out())
        .contains("└── users_flat  (temporary view)")
        .contains("silver.users  (materialized view, 3 expectations)")
        .contains("gold.users_by_title  (materialized view)");

    CliRunner.Result run = cli.run("pipeline", "run", folder);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("silver.users: create materialized view...")
        .contains("silver.users: succeeded, 4 rows written, 1 dropped, 1 quarantined")
        .contains("pipeline users succeeded");
    assertThat(run.out()).contains("gold.users_by_title").contains("rows_written");
    assertThat(
            rows(
                "SELECT user_id, email, title, ssn, key_skills FROM silver.users ORDER BY user_id"))
        .containsExactly(
            List.of(
                1L,
                "ana.souza@example.com",
                "Senior Data Engineer",
                "123-45-6789",
                List.of("sql", "spark", "iceberg")),
            java.util.Arrays.asList(
                2L, "bruno@example.com", "Analyst", "987-65-4321", List.of("sql", "excel")),
            java.util.Arrays.asList(3L, "carla@example.com", "Analyst", null, List.of("python")),
            java.util.Arrays.asList(5L, "eva@example.com", null, null, null))
        .hasSize(4);
    assertThat(rows("SELECT user_id, _rule FROM silver.users_quarantine"))
        .containsExactly(List.of(4L, "valid_email"));
    assertThat(rows("SELECT title, users FROM gold.users_by_title ORDER BY title"))
        .containsExactly(
            List.of("(no title)", 1L), List.of("Analyst", 2L), List.of("Senior Data Engineer", 1L));
  }

  @Test
  void runsTheVendasExampleAndRecordsItsHistory() {
    String folder = EXAMPLES.resolve("vendas").toString();
    CliRunner.Result run = cli.run("pipeline", "run", folder, "--format", "csv");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("flow,kind,action,status,rows_read,rows_written");
    assertThat(rows("SELECT count(*) FROM silver.sales")).containsExactly(List.of(6L));
    assertThat(rows("SELECT sale_id, _rule FROM silver.sales_quarantine"))
        .containsExactly(List.of(7L, "numeric_price"));
    assertThat(
            rows(
                "SELECT product, units, CAST(revenue AS STRING) FROM gold.sales_by_product ORDER BY product"))
        .containsExactly(
            List.of("bolo de cenoura", 1L, "3.50"),
            List.of("café", 10L, "12.20"),
            List.of("pão de queijo", 6L, "5.40"));
    assertThat(rows("SELECT count(*) FROM gold.sales_by_month")).containsExactly(List.of(3L));
    assertThat(rows("SELECT partition.sale_date_month FROM silver.sales.partitions ORDER BY 1"))
        .hasSize(3);

    sql.run("REFRESH TABLE lagoa_system.pipeline_runs");
    sql.run("REFRESH TABLE lagoa_system.flow_runs");
    sql.run("REFRESH TABLE lagoa_system.expectation_results");
    List<List<Object>> runs =
        rows(
            "SELECT run_id, status, flows, flows_failed, rows_written"
                + " FROM lagoa_system.pipeline_runs WHERE pipeline = 'vendas'");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).subList(1, 5)).containsExactly("succeeded", 4, 0, 8L + 6L + 3L + 3L);
    String runId = (String) runs.get(0).get(0);
    assertThat(
            rows(
                "SELECT flow, action, status, rows_read, rows_written, rows_dropped,"
                    + " rows_quarantined, snapshot_before IS NULL, snapshot_after IS NOT NULL"
                    + " FROM lagoa_system.flow_runs WHERE run_id = '"
                    + runId
                    + "' AND flow = 'silver.sales'"))
        .containsExactly(
            List.of("silver.sales", "create", "succeeded", 8L, 6L, 1L, 1L, true, true));
    assertThat(
            rows(
                "SELECT rule, policy, rows_checked, rows_failed FROM lagoa_system.expectation_results"
                    + " WHERE run_id = '"
                    + runId
                    + "' ORDER BY rule"))
        .containsExactly(
            List.of("numeric_price", "quarantine", 8L, 1L),
            List.of("positive_quantity", "drop", 8L, 1L));
  }

  @Test
  void reportsProblemsAtTheirPlace() {
    warehouse.writeFile("bad/pipeline.yaml", "name: bad\nnamespace: silver\n");
    warehouse.writeFile("bad/a.sql", "CREATE MATERIALIZED VIEW a AS\nSELECT * FROM b;\n");
    warehouse.writeFile(
        "bad/b.sql",
        "CREATE MATERIALIZED VIEW b (\n"
            + "  CONSTRAINT ok EXPECT (x >) ON VIOLATION DROP ROW\n) AS SELECT * FROM a");
    warehouse.writeFile("bad/c.sql", "CREATE MATERIALIZED VIEW c AS SELEC 1");
    CliRunner.Result outcome = cli.run("pipeline", "validate", "bad");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err())
        .contains("b.sql:2:28: in expectation ok: [PARSE_SYNTAX_ERROR]")
        .contains("c.sql:1:31: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'");
    warehouse.writeFile("bad/b.sql", "CREATE MATERIALIZED VIEW b AS SELECT * FROM a");
    warehouse.writeFile("bad/c.sql", "CREATE MATERIALIZED VIEW c AS SELECT 1");
    outcome = cli.run("pipeline", "graph", "bad", "--format", "mermaid");
    assertThat(outcome.err())
        .contains("a.sql:1:26: the pipeline has a cycle: silver.a -> silver.b -> silver.a");
  }

  @Test
  void selectsDryRunsAndReportsFailures() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS cmd_bronze");
    sql.run("CREATE TABLE cmd_bronze.orders (id INT, total INT) USING iceberg");
    sql.run("INSERT INTO cmd_bronze.orders VALUES (1, 10), (2, -5)");
    warehouse.writeFile("orders/pipeline.yaml", "name: orders\nnamespace: cmd\n");
    warehouse.writeFile(
        "orders/orders.sql",
        "CREATE MATERIALIZED VIEW orders AS SELECT * FROM cmd_bronze.orders;\n"
            + "CREATE MATERIALIZED VIEW totals (\n"
            + "  CONSTRAINT positive EXPECT (total > 0) ON VIOLATION FAIL UPDATE\n"
            + ") AS SELECT id, total FROM orders;\n"
            + "CREATE MATERIALIZED VIEW other AS SELECT count(*) AS n FROM cmd_bronze.orders;\n");

    CliRunner.Result dry = cli.run("pipeline", "run", "orders", "--dry-run");
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("not checked: reads cmd.orders, which this run creates");
    assertThat(rows("SHOW NAMESPACES LIKE 'cmd'")).isEmpty(); // nothing written, not even that

    CliRunner.Result selected = cli.run("pipeline", "run", "orders", "--select", "other");
    assertThat(selected.exitCode()).as(selected.err()).isZero();
    assertThat(rows("SHOW TABLES IN cmd")).extracting(row -> row.get(1)).containsExactly("other");

    CliRunner.Result failed = cli.run("pipeline", "run", "orders", "--select", "orders+");
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.err())
        .contains("orders.sql:3:3: expectation positive (total > 0) failed for 1 of 2 rows")
        .contains("every table is as it was before the run")
        .contains("dropped cmd.orders, which the failed run had created");
    assertThat(rows("SHOW TABLES IN cmd")).extracting(row -> row.get(1)).containsExactly("other");
    sql.run("REFRESH TABLE lagoa_system.pipeline_runs"); // this session cached it earlier
    assertThat(
            rows(
                "SELECT status, error IS NOT NULL FROM lagoa_system.pipeline_runs"
                    + " WHERE pipeline = 'orders' ORDER BY started_at"))
        .containsExactly(List.of("succeeded", false), List.of("failed", true));
  }

  @Test
  void unknownVariablesAndSelectorsNameTheirFlags() {
    warehouse.writeFile("flags/pipeline.yaml", "name: flags\nnamespace: flags\n");
    warehouse.writeFile("flags/a.sql", "CREATE MATERIALIZED VIEW a AS SELECT ${n} AS n;\n");
    CliRunner.Result unknown = cli.run("pipeline", "validate", "flags");
    assertThat(unknown.exitCode()).as(unknown.err()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("a.sql:1:38: unknown variable ${n}")
        .contains("Set a variable for this run with --var NAME=VALUE.");
    CliRunner.Result selected =
        cli.run("pipeline", "run", "flags", "--var", "n=1", "--select", "nope");
    assertThat(selected.exitCode()).as(selected.err()).isEqualTo(2);
    assertThat(selected.err()).startsWith("error: --select nope: no dataset is named nope");
  }

  @Test
  void aPipelineWithNothingToRunFailsValidateAndRun() {
    warehouse.writeFile("empty/pipeline.yaml", "name: empty\n");
    warehouse.writeFile("empty/bronze/a.sql", "");
    warehouse.writeFile("empty/silver/b.sql", "-- CREATE MATERIALIZED VIEW b AS SELECT 1;\n");
    String folder = warehouse.root().resolve("empty").toString();
    for (String command : List.of("validate", "run")) {
      CliRunner.Result outcome = cli.run("pipeline", command, "empty");
      assertThat(outcome.exitCode())
          .as(outcome.toString())
          .isEqualTo(ErrorCode.PIPELINE_INVALID.exitCode());
      assertThat(outcome.err())
          .isEqualTo(
              "error: "
                  + folder
                  + ": nothing to run: the pipeline's .sql files hold no"
                  + " statements, only comments or nothing (read bronze/a.sql, silver/b.sql);"
                  + " put CREATE MATERIALIZED VIEW ... or CREATE STREAMING TABLE ... statements"
                  + " in them\n");
      assertThat(outcome.out()).isEmpty();
    }
  }

  @Test
  void aPipelineFileThatIsNotUtf8IsNamedAtItsFirstBadByte() throws java.io.IOException {
    warehouse.writeFile("latin1/pipeline.yaml", "name: latin1\n");
    java.nio.file.Files.write(
        warehouse.root().resolve("latin1/vendas.sql"),
        "CREATE MATERIALIZED VIEW cmd_latin1.vendas AS\nSELECT 'p\u00e3o' AS produto\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    CliRunner.Result outcome = cli.run("pipeline", "validate", "latin1");
    assertThat(outcome.exitCode()).isEqualTo(ErrorCode.PIPELINE_INVALID.exitCode());
    assertThat(outcome.err())
        .startsWith(
            "error: vendas.sql:2:10: the file is not valid UTF-8: byte 0xE3 ('\u00e3' in"
                + " Windows-1252/Latin-1) is not UTF-8 text; save the file as UTF-8");
  }
}

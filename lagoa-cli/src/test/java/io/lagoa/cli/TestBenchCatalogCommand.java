package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * lagoa bench catalog through Main.run: argument errors, and one short real run on an in-process
 * server over a SQLite catalog (its shape is checked, never its timings).
 */
class TestBenchCatalogCommand {
  private static TestingWarehouse warehouse;
  private static CliRunner lagoa;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
    lagoa = new CliRunner(warehouse);
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    assertError(
        lagoa.run("bench", "catalog", "--clients", "1,x"),
        "error: cannot read the client counts '1,x': 'x' is not a whole number (e.g. 1,8,32)");
    assertError(
        lagoa.run("bench", "catalog", "--clients", "0"),
        "error: cannot run 0 clients: choose 1 to 1024");
    assertError(
        lagoa.run("bench", "catalog", "--seconds", "0"),
        "error: cannot measure for --seconds 0: give 1 or more");
    assertError(
        lagoa.run("bench", "catalog", "--warmup", "-1"),
        "error: cannot warm up for --warmup -1: give 0 or more");
    assertError(
        lagoa.run("bench", "catalog", "--tables", "0"),
        "error: cannot use --tables 0: choose 1 to 10000");
    assertError(
        lagoa.run("bench", "catalog", "--operations", "load-table,scan"),
        "error: cannot measure 'scan': the operations are load-table, commit, hot-commit");
    assertError(
        lagoa.run("bench", "catalog", "--uri", "localhost:8181"),
        "error: cannot use --uri localhost:8181: give the server's http(s) address, e.g."
            + " http://host:8181");
  }

  @Test
  void shortRunPrintsJsonWithEveryRunAndDropsItsTables() throws Exception {
    CliRunner.Result result =
        lagoa.run(
            "bench",
            "catalog",
            "--clients",
            "1,2",
            "--seconds",
            "1",
            "--warmup",
            "0",
            "--tables",
            "2",
            "--json");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.err())
        .contains("Server: in-process at http://127.0.0.1:")
        .contains("3 tables ready in")
        .contains("[1/12] load-table rest     1 client : ")
        .contains("[12/12] hot-commit direct   2 clients: ");
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(json.get("bench").asText()).isEqualTo("catalog");
    assertThat(json.get("environment").get("catalog").asText()).isEqualTo("sqlite");
    assertThat(json.get("environment").get("load_average_end").asText()).isNotEmpty();
    JsonNode runs = json.get("runs");
    assertThat(runs).hasSize(12);
    for (JsonNode run : runs) {
      assertThat(run.get("errors").asLong()).as(run.toString()).isZero();
      assertThat(run.get("operations").asLong()).as(run.toString()).isPositive();
      assertThat(run.get("p99_ms").asDouble())
          .as(run.toString())
          .isGreaterThanOrEqualTo(run.get("p50_ms").asDouble());
    }
    assertThat(runs.get(11).get("operation").asText()).isEqualTo("hot-commit");
    assertThat(runs.get(11).get("target").asText()).isEqualTo("direct");

    // The tables were dropped: a second run creates them again, and a table list shows none.
    CliRunner.Result tables = lagoa.run("tables");
    assertThat(tables.exitCode()).as(tables.toString()).isZero();
    assertThat(tables.out()).doesNotContain("lagoa_bench_catalog");
  }

  private static void assertError(CliRunner.Result result, String message) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err()).startsWith(message);
  }
}

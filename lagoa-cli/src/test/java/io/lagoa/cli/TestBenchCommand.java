package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** lagoa bench end to end through Main.run: generate, run, a matrix, compare, report, errors. */
class TestBenchCommand {
  private static TestingWarehouse warehouse;
  private static CliRunner lagoa;

  @BeforeAll
  static void generate() {
    warehouse = TestingWarehouse.create();
    lagoa = new CliRunner(warehouse);
    CliRunner.Result result = lagoa.run("bench", "generate", "--rows", "5000", "--seed", "7");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.err())
        .contains(
            "Generating 5,000 sales (seed 7, layout monthly) into bench.vendas and bench.estoque")
        .contains("Generated 5,000 rows")
        .contains("Next: lagoa bench run");
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  @Test
  void runsTheSuiteWritesTheReportAndComparesTwoRuns() throws Exception {
    CliRunner.Result first =
        lagoa.run(
            "bench",
            "run",
            "--queries",
            "needle,aggregation",
            "--warmup",
            "0",
            "--runs",
            "2",
            "--output",
            "runs/first");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out())
        .contains("query", "median", "files_read", "shuffle", "rows_out")
        .containsPattern("aggregation +\\| +[0-9.]+ s")
        .containsPattern("needle +\\| .* \\| +1\n");
    assertThat(first.err())
        .contains("Running the sales suite: 2 queries, 0 warm-up and 2 measured runs each.")
        .contains("[1/2] aggregation", "[2/2] needle")
        .contains("Report: " + warehouse.root().resolve("runs/first/report.html"));
    Path folder = warehouse.root().resolve("runs/first");
    for (String file : new String[] {"results.json", "report.md", "report.html"}) {
      assertThat(folder.resolve(file)).isNotEmptyFile();
    }
    assertThat(ImageIO.read(folder.resolve("charts/query-times.png").toFile())).isNotNull();

    CliRunner.Result second =
        lagoa.run(
            "bench",
            "run",
            "--queries",
            "needle,aggregation",
            "--warmup",
            "0",
            "--runs",
            "1",
            "--output",
            "runs/second",
            "--json");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(second.out());
    assertThat(json.get("suite").asText()).isEqualTo("sales");
    JsonNode queries = json.get("configurations").get(0).get("queries");
    assertThat(queries).hasSize(2);
    assertThat(queries.get(1).get("metrics").get("rows_out").asLong()).isEqualTo(1);
    assertThat(json.get("dataset").get("seed").asText()).isEqualTo("7");

    CliRunner.Result compare =
        lagoa.run("bench", "compare", "runs/first", "runs/second/results.json");
    assertThat(compare.exitCode()).as(compare.toString()).isZero();
    assertThat(compare.out())
        .contains("base", "new", "ratio", "verdict")
        .containsPattern("needle .*x");
    assertThat(compare.err()).contains("Overall (geometric mean of the ratios): ");

    CliRunner.Result csv =
        lagoa.run("bench", "compare", "runs/first", "runs/second", "--format", "csv");
    assertThat(csv.out()).startsWith("query,base_ms,new_ms,ratio,verdict\naggregation,");

    CliRunner.Result report = lagoa.run("bench", "report", "runs/second", "--output", "again");
    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(warehouse.root().resolve("again/charts/query-times.png")).isNotEmptyFile();
    assertThat(Files.readString(warehouse.root().resolve("again/report.md")))
        .contains("| needle |");
  }

  @Test
  void comparesEveryQueryWithDuckDbOverTheSameFiles() throws Exception {
    CliRunner.Result result =
        lagoa.run(
            "bench",
            "run",
            "--compare",
            "duckdb",
            "--warmup",
            "0",
            "--runs",
            "1",
            "--output",
            "runs/duckdb");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.err())
        .containsPattern("DuckDB v[0-9.]+ alongside: [0-9]+ threads \\(as Spark's task slots")
        .contains("runs alternate between the two engines")
        .containsPattern("Lagoa/DuckDB [0-9.]+x, answers same");
    assertThat(result.out())
        .contains("Against DuckDB (ratio above 1: Lagoa is slower):")
        .containsPattern("aggregation +\\| +[0-9.]+ s +\\| +[0-9.]+ s +\\| +[0-9.]+x +\\| +same")
        .contains("Geometric mean of the ratios: ")
        .doesNotContain("DIFFERENT");
    JsonNode json =
        new ObjectMapper().readTree(warehouse.root().resolve("runs/duckdb/results.json").toFile());
    JsonNode compared = json.get("compared_with");
    assertThat(compared.get("engine").asText()).isEqualTo("duckdb");
    assertThat(compared.get("settings").get("threads").asInt()).isPositive();
    assertThat(compared.get("settings").get("memory_limit").asText()).isNotBlank();
    // As DuckDB reads open it: page by page, what DuckDB itself reports.
    assertThat(compared.get("settings").get("parquet_prefetching").asText()).isEqualTo("off");
    JsonNode queries = compared.get("queries");
    assertThat(queries).hasSize(7);
    for (JsonNode query : queries) {
      assertThat(query.get("answers_match").asBoolean()).as(query.toString()).isTrue();
      assertThat(query.get("ratio").asDouble()).as(query.toString()).isPositive();
      assertThat(query.get("times_ms")).hasSize(1);
    }
    assertThat(Files.readString(warehouse.root().resolve("runs/duckdb/report.md")))
        .contains("## Against DuckDB", "| needle |", "Every answer was the same.");

    CliRunner.Result report =
        lagoa.run("bench", "report", "runs/duckdb", "--output", "runs/duckdb-again");
    assertThat(report.exitCode()).as(report.toString()).isZero();
    assertThat(Files.readString(warehouse.root().resolve("runs/duckdb-again/report.md")))
        .contains("## Against DuckDB");

    CliRunner.Result engine = lagoa.run("bench", "run", "--compare", "sqlite");
    assertThat(engine.exitCode()).isEqualTo(2);
    assertThat(engine.err()).startsWith("error: cannot use --compare 'sqlite': expected duckdb");
    CliRunner.Result matrix = lagoa.run("bench", "run", "--compare", "duckdb", "--cores", "1");
    assertThat(matrix.exitCode()).isEqualTo(2);
    assertThat(matrix.err()).contains("cannot use --compare with --matrix");
  }

  @Test
  void matrixRunsEachCombinationInItsOwnJvmAndSaysWhichWins() throws Exception {
    CliRunner.Result result =
        lagoa.run(
            "bench",
            "run",
            "--queries",
            "aggregation",
            "--warmup",
            "0",
            "--runs",
            "1",
            "--cores",
            "1",
            "--memory",
            "700m",
            "--shuffle-partitions",
            "1,3",
            "--output",
            "runs/matrix");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.err())
        .contains("in 2 combinations, each in its own JVM")
        .contains("[1/2] cores=1 mem=700m shuffle=1", "[2/2] cores=1 mem=700m shuffle=3");
    assertThat(result.out()).contains("configuration", "Which wins", "overall");
    JsonNode json =
        new ObjectMapper().readTree(warehouse.root().resolve("runs/matrix/results.json").toFile());
    JsonNode configurations = json.get("configurations");
    assertThat(configurations).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode settings = configurations.get(i).get("settings");
      // What the child JVM's own Spark session reported: the settings really applied.
      assertThat(settings.get("spark.master").asText()).isEqualTo("local[1]");
      assertThat(settings.get("shuffle_partitions").asText()).isEqualTo(i == 0 ? "1" : "3");
      assertThat(settings.get("memory").asText()).endsWith("MiB");
    }
    assertThat(json.get("winners").get("overall").asText()).startsWith("cores=1 mem=700m shuffle=");
    assertThat(Files.readString(warehouse.root().resolve("runs/matrix/report.md")))
        .contains("## Which wins", "charts/configurations.png");
  }

  @Test
  void badInputSaysWhatIsWrong() throws Exception {
    CliRunner.Result query = lagoa.run("bench", "run", "--queries", "needle,nope");
    assertThat(query.exitCode()).isEqualTo(2);
    assertThat(query.err())
        .startsWith("error: cannot run query nope: the sales suite has full_scan, full_scan_sum,");

    CliRunner.Result size = lagoa.run("bench", "generate", "--size", "1XB");
    assertThat(size.exitCode()).isEqualTo(2);
    assertThat(size.err())
        .startsWith("error: cannot read --size '1XB': expected a number with a unit");

    CliRunner.Result both = lagoa.run("bench", "generate", "--size", "1GB", "--rows", "10");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");

    CliRunner.Result missing = lagoa.run("bench", "run", "--namespace", "nada");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err())
        .startsWith(
            "error: cannot run the benchmark: table nada.vendas does not exist; create it first"
                + " with 'lagoa bench generate --namespace nada'");

    CliRunner.Result tpch = lagoa.run("bench", "run", "--suite", "tpch");
    assertThat(tpch.exitCode()).isEqualTo(1);
    assertThat(tpch.err()).contains("'lagoa bench generate --suite tpch'");

    CliRunner.Result noFile = lagoa.run("bench", "compare", "a.json", "b.json");
    assertThat(noFile.exitCode()).isEqualTo(2);
    assertThat(noFile.err())
        .startsWith("error: cannot read results file " + warehouse.root().resolve("a.json"))
        .contains("does not exist");

    warehouse.writeFile("bad.json", "[1, 2");
    CliRunner.Result bad = lagoa.run("bench", "compare", "bad.json", "bad.json");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("bad.json: not a Lagoa benchmark results file");

    CliRunner.Result layout = lagoa.run("bench", "run", "--layouts", "weekly");
    assertThat(layout.exitCode()).isEqualTo(2);
    assertThat(layout.err()).contains("cannot use layout 'weekly': expected monthly");

    // checked before Spark starts
    CliRunner.Result sampling = lagoa.run("bench", "maintenance", "--sample-every", "1h");
    assertThat(sampling.exitCode()).isEqualTo(2);
    assertThat(sampling.err())
        .startsWith(
            "error: cannot run the maintenance bench: the sample interval 1h is longer than the"
                + " duration 30m");
    CliRunner.Result never = lagoa.run("bench", "maintenance", "--commit-every", "0s");
    assertThat(never.exitCode()).isEqualTo(2);
    assertThat(never.err()).contains("commit-every must be longer than 0, not 0s");
    CliRunner.Result duration = lagoa.run("bench", "maintenance", "--duration", "5x");
    assertThat(duration.exitCode()).isEqualTo(2);
    assertThat(duration.err()).contains("'5x' is not a duration");
    CliRunner.Result rows = lagoa.run("bench", "clustering", "--rows", "10");
    assertThat(rows.exitCode()).isEqualTo(2);
    assertThat(rows.err())
        .startsWith("error: cannot run the clustering bench: rows must be between 1,000 and");
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.ConfigLoader;
import io.lagoa.config.ConfigTemplate;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestInitCommand {
  private static final List<String> FILES =
      List.of(
          "lagoa.yaml",
          "setup.sql",
          "pipelines/example/pipeline.yaml",
          "pipelines/example/bronze.sql",
          "pipelines/example/silver.sql",
          "pipelines/example/gold.sql",
          "pipelines/example/README.md");

  private static TestingWarehouse root;

  @BeforeAll
  static void create() {
    root = TestingWarehouse.create();
  }

  @AfterAll
  static void delete() {
    root.close();
  }

  /** Runs lagoa in a folder the way a user would: no LAGOA_WAREHOUSE, the project's lagoa.yaml. */
  private static CliRunner.Result lagoa(Path workingDir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.run(
            args,
            Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "2"),
            workingDir,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new CliRunner.Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void writesALoadableConfigAndTheExampleProject() throws IOException {
    CliRunner.Result result = lagoa(root.root(), "init", "fresh");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    Path project = root.root().resolve("fresh");
    for (String file : FILES) {
      assertThat(project.resolve(file)).isRegularFile();
      assertThat(result.out()).contains(file);
    }
    assertThat(result.out()).contains("cd fresh").contains("lagoa sql -f setup.sql");
    assertThat(Files.readString(project.resolve("lagoa.yaml"))).isEqualTo(ConfigTemplate.render());

    LagoaConfig config = new ConfigLoader(Map.of(), project).load(null);
    assertThat(config.source()).contains(project.resolve("lagoa.yaml"));
    assertThat(config.localWarehouse()).contains(project.resolve("lagoa-warehouse"));
    assertThat(Files.readString(project.resolve("pipelines/example/README.md")))
        .contains("the pipeline runner is not in this version of Lagoa yet");
  }

  @Test
  void neverOverwritesWithoutForce() throws IOException {
    Path project = root.root().resolve("existing");
    assertThat(lagoa(root.root(), "init", "existing").exitCode()).isZero();
    Files.writeString(project.resolve("lagoa.yaml"), "warehouse: mine\n");
    Files.delete(project.resolve("pipelines/example/gold.sql"));

    CliRunner.Result again = lagoa(project, "init");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err().strip())
        .isEqualTo(
            "error: cannot initialize a project in "
                + project
                + ": these files already exist: lagoa.yaml, setup.sql,"
                + " pipelines/example/pipeline.yaml, pipelines/example/bronze.sql,"
                + " pipelines/example/silver.sql, pipelines/example/README.md. Nothing was"
                + " written. Move them away, or run again with --force to overwrite them.");
    assertThat(Files.readString(project.resolve("lagoa.yaml"))).isEqualTo("warehouse: mine\n");
    assertThat(project.resolve("pipelines/example/gold.sql")).doesNotExist();

    CliRunner.Result forced = lagoa(project, "init", "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.out()).contains("(overwritten)").doesNotContain("cd ");
    assertThat(Files.readString(project.resolve("lagoa.yaml"))).isEqualTo(ConfigTemplate.render());
    assertThat(project.resolve("pipelines/example/gold.sql")).isRegularFile();
  }

  @Test
  void refusesAFileAsTheFolder() {
    root.writeFile("plain-file", "x");
    CliRunner.Result result = lagoa(root.root(), "init", "plain-file");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("it is a file, not a folder");
  }

  @Test
  void setupSqlRunsTodayAndTheExampleQueriesWorkOnItsData() throws IOException {
    Path project = root.root().resolve("quickstart");
    assertThat(lagoa(root.root(), "init", "quickstart").exitCode()).isZero();

    CliRunner.Result setup = lagoa(project, "sql", "-f", "setup.sql", "--format", "csv");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    assertThat(setup.out()).isEqualTo("orders,total\r\n6,466.70\r\n");
    assertThat(project.resolve("lagoa-warehouse/catalog.db")).isRegularFile();
    // Running it again replaces the sample data rather than doubling it.
    assertThat(lagoa(project, "sql", "-f", "setup.sql", "--format", "csv").out())
        .isEqualTo("orders,total\r\n6,466.70\r\n");

    // Until the pipeline runner exists, build each layer with plain Spark SQL: the query of each
    // CREATE MATERIALIZED VIEW, with its DROP ROW expectations as a filter.
    for (String layer : List.of("bronze", "silver", "gold")) {
      String sql =
          asTable(Files.readString(project.resolve("pipelines/example/" + layer + ".sql")));
      CliRunner.Result built = lagoa(project, "sql", sql);
      assertThat(built.exitCode()).as(sql + "\n" + built).isZero();
    }
    CliRunner.Result gold =
        lagoa(
            project,
            "sql",
            "SELECT * FROM gold.daily_revenue ORDER BY order_date",
            "--format",
            "csv");
    assertThat(gold.out())
        .isEqualTo(
            "order_date,orders,customers,revenue\r\n"
                + "2026-01-05,2,2,155.50\r\n"
                + "2026-01-06,1,1,78.20\r\n"
                + "2026-01-07,1,1,230.00\r\n");
  }

  private static final Pattern VIEW =
      Pattern.compile(
          "CREATE MATERIALIZED VIEW (\\S+)\\s*(?:\\((.*?)\\)\\s*)?COMMENT '[^']*'\\s*AS (SELECT.*?);",
          Pattern.DOTALL);
  private static final Pattern DROP_ROW =
      Pattern.compile("EXPECT \\((.*?)\\) ON VIOLATION DROP ROW");

  private static String asTable(String file) {
    String sql = file.replaceAll("(?m)^--.*$", "");
    Matcher view = VIEW.matcher(sql);
    assertThat(view.find()).as(file).isTrue();
    List<String> filters = new ArrayList<>();
    if (view.group(2) != null) {
      Matcher expectation = DROP_ROW.matcher(view.group(2));
      while (expectation.find()) {
        filters.add("(" + expectation.group(1) + ")");
      }
      assertThat(filters).as(view.group(2)).isNotEmpty();
    }
    return "CREATE OR REPLACE TABLE "
        + view.group(1)
        + " USING iceberg AS SELECT * FROM ("
        + view.group(3)
        + ")"
        + (filters.isEmpty() ? "" : " WHERE " + String.join(" AND ", filters));
  }
}

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
          "pipelines/example/pipeline.yaml",
          "pipelines/example/bronze.sql",
          "pipelines/example/silver.sql",
          "pipelines/example/gold.sql",
          "pipelines/example/data/orders.jsonl",
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
    assertThat(result.out()).contains("cd fresh").contains("lagoa pipeline run pipelines/example");
    assertThat(Files.readString(project.resolve("lagoa.yaml"))).isEqualTo(ConfigTemplate.render());

    LagoaConfig config = new ConfigLoader(Map.of(), project).load(null);
    assertThat(config.source()).contains(project.resolve("lagoa.yaml"));
    assertThat(config.localWarehouse()).contains(project.resolve("lagoa-warehouse"));
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
                + ": these files already exist: lagoa.yaml,"
                + " pipelines/example/pipeline.yaml, pipelines/example/bronze.sql,"
                + " pipelines/example/silver.sql, pipelines/example/data/orders.jsonl,"
                + " pipelines/example/README.md. Nothing was written. Move them away, or run"
                + " again with --force to overwrite them.");
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

  /**
   * The first thing a new user does: init, then the commands the example's README shows, exactly as
   * written there, from the project folder. Each must work as generated.
   */
  @Test
  void theExampleReadmeCommandsRunAsGenerated() throws IOException {
    Path project = root.root().resolve("quickstart");
    assertThat(lagoa(root.root(), "init", "quickstart").exitCode()).isZero();
    String readme = Files.readString(project.resolve("pipelines/example/README.md"));

    List<List<String>> commands = commands(readme);
    assertThat(commands)
        .containsExactly(
            List.of("lagoa", "pipeline", "validate", "pipelines/example"),
            List.of("lagoa", "pipeline", "run", "pipelines/example"),
            List.of("lagoa", "sql", "SELECT * FROM gold.daily_revenue ORDER BY order_date"));
    // What init printed as the next steps is what the README says.
    for (String next : InitCommand.NEXT) {
      if (!next.equals("lagoa shell")) {
        assertThat(readme).contains(next);
      }
    }

    List<CliRunner.Result> results = new ArrayList<>();
    for (List<String> command : commands) {
      CliRunner.Result result =
          lagoa(project, command.subList(1, command.size()).toArray(String[]::new));
      assertThat(result.exitCode()).as(command + "\n" + result).isZero();
      results.add(result);
    }
    assertThat(results.get(0).out())
        .isEqualTo(
            "pipeline example is valid: 3 tables, 0 temporary views, 2 expectations,"
                + " 1 external inputs\n");
    assertThat(results.get(1).err()).contains("pipeline example succeeded");
    assertThat(results.get(1).out())
        .contains("silver.orders")
        .containsPattern(
            "silver\\.orders +\\| materialized view \\| create +\\| succeeded +\\| +6 \\| +4 \\| +2 ");
    // The query's output is the one the README shows.
    assertThat(results.get(2).out()).isEqualTo(shownResult(readme) + "(3 rows)\n");
    assertThat(project.resolve("lagoa-warehouse/catalog.db")).isRegularFile();

    // And as CSV, the rows the example promises: the order without id and the negative amount
    // are dropped in silver.
    CliRunner.Result csv =
        lagoa(
            project,
            "sql",
            "SELECT * FROM gold.daily_revenue ORDER BY order_date",
            "--format",
            "csv");
    assertThat(csv.out())
        .isEqualTo(
            "order_date,orders,customers,revenue\n"
                + "2026-01-05,2,2,155.50\n"
                + "2026-01-06,1,1,78.20\n"
                + "2026-01-07,1,1,230.00\n");

    // A second run recomputes the tables: same rows, not doubled.
    CliRunner.Result again = lagoa(project, "pipeline", "run", "pipelines/example");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(lagoa(project, "sql", "SELECT * FROM gold.daily_revenue ORDER BY order_date").out())
        .isEqualTo(results.get(2).out());
  }

  /** The {@code lagoa ...} lines of the README's first bash block, split as a shell would. */
  private static List<List<String>> commands(String readme) {
    Matcher block = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as(readme).isTrue();
    List<List<String>> commands = new ArrayList<>();
    for (String line : block.group(1).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      List<String> words = new ArrayList<>();
      Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
      while (word.find()) {
        words.add(word.group(1) != null ? word.group(1) : word.group(2));
      }
      commands.add(words);
    }
    return commands;
  }

  /** The README's second code block: the query's result as the table format prints it. */
  private static String shownResult(String readme) {
    Matcher block = Pattern.compile("```\n(order_date.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as(readme).isTrue();
    return block.group(1);
  }
}

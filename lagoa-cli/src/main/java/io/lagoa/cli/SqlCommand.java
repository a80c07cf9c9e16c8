package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.ProgressDisplay;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.service.SqlService;
import io.lagoa.spark.PlanExplanation;
import io.lagoa.spark.SparkSql;
import io.lagoa.text.Utf8Files;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    description = {
      "Run Spark SQL on the lakehouse: queries, DDL, INSERT, MERGE INTO, UPDATE, DELETE,",
      "time travel (VERSION AS OF / TIMESTAMP AS OF) and CALL lagoa.system.* procedures.",
      "Several statements separated by ';' run in order and stop at the first error."
    },
    mixinStandardHelpOptions = true,
    modelTransformer = SqlCommand.StatementsMayStartWithDashes.class)
final class SqlCommand implements Callable<Integer> {
  /** A lone word like {@code --fromat}: a mistyped option rather than a SQL comment. */
  private static final Pattern OPTION_LIKE = Pattern.compile("--?[A-Za-z][A-Za-z0-9-]*");

  private final Cli cli;

  /**
   * SQL may start with {@code --} (a comment) or {@code -} ({@code -1 + 2}): an argument that is no
   * known option is taken as the statement instead of failing as an unknown option. Only for this
   * command, so a mistyped option elsewhere is still reported as one.
   */
  static final class StatementsMayStartWithDashes implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.parser().unmatchedOptionsArePositionalParams(true);
      return spec;
    }
  }

  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @Parameters(paramLabel = "STATEMENT", description = "SQL text to run.")
    String statement;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "Run the statements in this file.")
    Path file;
  }

  @Mixin OutputOptions output;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Print at most N rows of each result (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Option(
      names = "--explain",
      description = {
        "Print the plan of each statement instead of running it, and which of its operators",
        "run natively in the accelerator (spark.accelerator: comet) and which in Spark."
      })
  boolean explain;

  SqlCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (maxRows < 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "--max-rows must be 0 or more, but is " + maxRows);
    }
    String origin;
    String text;
    if (source.file != null) {
      Path file = cli.resolve(source.file.toString());
      origin = source.file.toString();
      try {
        text = Utf8Files.read(file);
      } catch (Utf8Files.NotUtf8Exception e) {
        throw new LagoaException(ErrorCode.INVALID_ARGUMENT, origin + ":" + e.getMessage());
      } catch (IOException e) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot read SQL file " + file + ": " + e.getClass().getSimpleName());
      }
    } else {
      origin = null;
      text = source.statement;
    }
    SqlService.Script script =
        new SqlService(cli.lakehouse()).script(text, Optional.ofNullable(origin));
    if (script.isEmpty()) {
      throw nothingToRun(origin, text);
    }
    SparkSql sql = cli.sql(); // start Spark first, so timings are the statements' own
    if (explain) {
      for (int i = 0; i < script.statements().size(); i++) {
        printPlan(script.explain(i));
      }
      return 0;
    }
    for (int i = 0; i < script.statements().size(); i++) {
      long started = System.nanoTime();
      QueryResult result;
      try (ProgressDisplay.Handle ignored = ProgressDisplay.start("query", sql.progress())) {
        result = script.execute(i, maxRows);
      }
      String elapsed = Values.seconds(System.nanoTime() - started);
      if (result.hasColumns()) {
        cli.printer().print(result, output.format(), cli.out());
        cli.err().println("(" + elapsed + ")");
      } else {
        cli.err().println("OK (" + elapsed + ")");
      }
    }
    return 0;
  }

  private void printPlan(PlanExplanation plan) {
    if (output.format() == OutputFormat.JSON) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("plan", plan.plan());
      json.put("native_operators", plan.nativeOperators());
      json.put("spark_operators", plan.sparkOperators());
      json.put("transitions", plan.transitions());
      JsonDocument.print(json, cli.out());
      return;
    }
    cli.out().println(plan.plan().stripTrailing());
    cli.out().println();
    cli.out().println("Native (accelerator): " + listed(plan.nativeOperators()));
    cli.out().println("Spark:                " + listed(plan.sparkOperators()));
    cli.out().println("Transitions:          " + listed(plan.transitions()));
    cli.out().flush();
  }

  private static String listed(List<String> operators) {
    return operators.isEmpty() ? "none" : String.join(", ", operators);
  }

  /**
   * Text with only comments and blank lines is bad input (exit 2): it is nearly always a mistake,
   * such as an empty shell variable or the wrong file, that a script should notice.
   */
  private static LagoaException nothingToRun(String origin, String text) {
    String what =
        origin == null
            ? (text.isBlank() ? "the statement is empty" : "the statement holds only comments")
            : origin + " holds only comments and blank lines";
    String hint =
        origin == null && OPTION_LIKE.matcher(text.strip()).matches()
            ? " (it was read as SQL because no option is called "
                + text.strip()
                + "; see lagoa sql --help)"
            : "";
    return new LagoaException(ErrorCode.INVALID_ARGUMENT, "nothing to run: " + what + hint);
  }
}

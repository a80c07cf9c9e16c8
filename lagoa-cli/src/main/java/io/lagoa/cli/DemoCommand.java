package io.lagoa.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.StatusLine;
import io.lagoa.cli.output.Values;
import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.demo.Demo;
import io.lagoa.spark.demo.DemoListener;
import io.lagoa.spark.demo.DemoOptions;
import io.lagoa.spark.demo.DemoReport;
import io.lagoa.spark.demo.DemoStep;
import io.lagoa.spark.demo.DemoTables;
import io.lagoa.spark.demo.Sample;
import io.lagoa.spark.demo.StepResult;
import io.lagoa.spark.demo.TableState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    description = {
      "A tour of Lagoa on generated sales data, in well under a minute:",
      "bronze (raw text) -> silver (typed, cleaned, deduplicated, partitioned)",
      "-> gold (aggregates); then a MERGE, time travel to before it, a schema",
      "change and the change feed between the two snapshots.",
      "Safe to run again: it replaces only tables it created itself (marked",
      "lagoa.demo=true) and stops, touching nothing, if another table has the name."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  private static final String INDENT = "      ";

  /** Details are wrapped to this width; tables and SQL are not. */
  private static final int WIDTH = 100;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private final Cli cli;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "" + DemoOptions.DEFAULT_ROWS,
      description = "Sales rows to generate into bronze (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--namespace-prefix",
      paramLabel = "PREFIX",
      defaultValue = "",
      description =
          "Put the tables in PREFIXbronze, PREFIXsilver and PREFIXgold, e.g. demo_ (default: none).")
  String namespacePrefix;

  @Option(
      names = "--json",
      description = "Print the steps' results as JSON on stdout (progress goes to stderr).")
  boolean json;

  @Option(names = "--show-sql", description = "Also print the SQL statements each step runs.")
  boolean showSql;

  DemoCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (rows < DemoOptions.MIN_ROWS || rows > DemoOptions.MAX_ROWS) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run the demo with "
              + rows
              + " rows: use --rows between "
              + DemoOptions.MIN_ROWS
              + " and "
              + DemoOptions.MAX_ROWS);
    }
    DemoOptions options = new DemoOptions(rows, namespacePrefix);
    DemoTables tables = new DemoTables(options.namespacePrefix());
    LagoaConfig config = cli.config();
    PrintWriter human = json ? cli.err() : cli.out();
    try (StatusLine progress = new StatusLine(human, !json && terminal())) {
      printIntro(human, config, options, tables);
      // Checked with the Iceberg API before Spark starts, so a conflict fails in a second.
      try {
        tables.checkOwnership(cli.catalog());
      } catch (LagoaException e) {
        throw inFlags(e);
      }

      progress.start("Starting Spark");
      long sparkStarted = System.nanoTime();
      SparkSql sql = cli.sql();
      long sparkNanos = System.nanoTime() - sparkStarted;
      progress.finish(Values.seconds(sparkNanos));
      if (!progress.interactive()) {
        human.println(INDENT + "done in " + Values.seconds(sparkNanos));
      }
      human.println();

      DemoReport report =
          new Demo(sql, cli.catalog(), options).run(new StepPrinter(human, progress));
      if (json) {
        printJson(report, config, sparkNanos);
      } else {
        printSummary(human, report, sparkNanos);
      }
      return 0;
    }
  }

  /** A conflict's suggestions in the CLI's terms: the flag, and a warehouse set for one run. */
  static LagoaException inFlags(LagoaException error) {
    String message = error.getMessage();
    String worded =
        message
            .replace(DemoTables.OTHER_PREFIX, "--namespace-prefix ")
            .replace(
                DemoTables.OTHER_WAREHOUSE,
                DemoTables.OTHER_WAREHOUSE + ", e.g. LAGOA_WAREHOUSE=/tmp/lagoa-demo lagoa demo");
    return worded.equals(message)
        ? error
        : new LagoaException(error.code(), worded, error, error.remedy().orElse(null));
  }

  /** A terminal gets a live spinner; tests, pipes, CI logs and dumb terminals do not. */
  private boolean terminal() {
    String term = cli.env().get("TERM");
    return System.console() != null && term != null && !term.equals("dumb");
  }

  private void printIntro(
      PrintWriter out, LagoaConfig config, DemoOptions options, DemoTables tables) {
    out.println(
        "Lagoa demo: "
            + count(options.rows())
            + " generated sales go from bronze to silver to"
            + " gold,");
    out.println(
        "then a MERGE, time travel, a schema change and the change feed, all in Spark SQL on"
            + " Iceberg tables.");
    out.println(
        "  warehouse: " + config.localWarehouse().map(Object::toString).orElse(config.warehouse()));
    out.println("  catalog:   " + describe(config.catalog()));
    out.println("  tables:    " + String.join(", ", tables.all()));
    out.println();
    out.flush();
  }

  /** The catalog without anything secret: SQLite's file, other URIs without their query. */
  static String describe(CatalogConfig catalog) {
    String uri = catalog.uri().replaceFirst("\\?.*$", "");
    if (catalog.type() == CatalogType.SQLITE && uri.startsWith("jdbc:sqlite:")) {
      uri = uri.substring("jdbc:sqlite:".length());
    }
    return catalog.type().configName() + ", " + uri;
  }

  /** Prints each step as it starts and ends. */
  private final class StepPrinter implements DemoListener {
    private final PrintWriter out;
    private final StatusLine progress;

    StepPrinter(PrintWriter out, StatusLine progress) {
      this.out = out;
      this.progress = progress;
    }

    @Override
    public void started(DemoStep step, int number, int total) {
      progress.start("[" + number + "/" + total + "] " + step.label() + ": " + step.title());
    }

    @Override
    public void finished(StepResult result) {
      progress.finish(Values.seconds(result.nanos()));
      for (String detail : result.details()) {
        wrap(detail, WIDTH - INDENT.length()).forEach(line -> out.println(INDENT + line));
      }
      if (showSql) {
        for (String statement : result.statements()) {
          out.println(INDENT + "SQL:");
          statement.lines().forEach(line -> out.println(INDENT + "  " + line));
        }
      }
      if (!json) {
        for (Sample sample : result.samples()) {
          out.println(INDENT + sample.title() + ":");
          printRows(out, sample.result(), INDENT + "  ");
        }
      }
      if (!progress.interactive()) {
        out.println(INDENT + "done in " + Values.seconds(result.nanos()));
      }
      out.println();
      out.flush();
    }

    @Override
    public void failed(DemoStep step, RuntimeException error) {
      progress.finish("failed");
      out.flush();
    }
  }

  /** Splits text at spaces into lines of at most {@code width}; continuation lines indented. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    String prefix = "";
    while (prefix.length() + rest.length() > width) {
      int room = width - prefix.length();
      int cut = rest.lastIndexOf(' ', room);
      if (cut <= 0) {
        cut = rest.indexOf(' ', room);
        if (cut < 0) {
          break;
        }
      }
      lines.add(prefix + rest.substring(0, cut));
      rest = rest.substring(cut + 1);
      prefix = "  ";
    }
    lines.add(prefix + rest);
    return lines;
  }

  /** A sample as an aligned table, without the row-count footer. */
  private void printRows(PrintWriter out, QueryResult result, String indent) {
    StringWriter text = new StringWriter();
    PrintWriter writer = new PrintWriter(text);
    cli.printer().print(result, OutputFormat.TABLE, writer);
    writer.flush();
    List<String> lines = text.toString().lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      boolean footer = i == lines.size() - 1 && lines.get(i).startsWith("(");
      if (!footer) {
        out.println(indent + lines.get(i));
      }
    }
  }

  private void printSummary(PrintWriter out, DemoReport report, long sparkNanos) {
    List<List<Object>> rows = new ArrayList<>();
    for (StepResult step : report.steps()) {
      rows.add(List.of(step.step().label(), Values.seconds(step.nanos()), step.summary()));
    }
    out.println("Summary");
    printRows(
        out,
        new QueryResult(
            List.of(
                new ResultColumn("step", "string"),
                new ResultColumn("time", "string"),
                new ResultColumn("result", "string")),
            rows,
            false),
        "  ");
    out.println(
        "  total "
            + Values.seconds(sparkNanos + report.nanos())
            + ": Spark start "
            + Values.seconds(sparkNanos)
            + ", demo steps "
            + Values.seconds(report.nanos()));
    out.println();
    DemoTables tables = report.tables();
    out.println("The tables stay in the warehouse. Try next:");
    out.println("  lagoa sql \"SELECT * FROM " + tables.goldByMonth() + " ORDER BY mes\"");
    if (!report.updatedIds().isEmpty()) {
      out.println(
          "  lagoa sql \"SELECT id, quantidade, valor FROM "
              + tables.silver()
              + " VERSION AS OF "
              + report.snapshotBeforeMerge()
              + " WHERE id = "
              + report.updatedIds().get(0)
              + "\"");
    }
    out.println(
        "  lagoa sql \"SELECT snapshot_id, operation, committed_at FROM "
            + tables.silver()
            + ".snapshots\"");
    out.println("  lagoa table history " + tables.silver());
    out.println(
        "Run 'lagoa demo' again at any time: it replaces its own tables and touches nothing"
            + " else.");
    out.flush();
  }

  private void printJson(DemoReport report, LagoaConfig config, long sparkNanos) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("warehouse", config.warehouse());
    root.put("catalog", describe(config.catalog()));
    root.put("rows", report.options().rows());
    root.put("namespace_prefix", report.options().namespacePrefix());
    root.put("tables", report.tables().all());
    root.put("snapshot_before_merge", report.snapshotBeforeMerge());
    root.put("snapshot_after_merge", report.snapshotAfterMerge());
    root.put("updated_ids_shown", report.updatedIds());
    root.put("spark_start_seconds", seconds(sparkNanos));
    root.put("steps_seconds", seconds(report.nanos()));
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepResult result : report.steps()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("step", result.step().label());
      step.put("title", result.step().title());
      step.put("seconds", seconds(result.nanos()));
      step.put("summary", result.summary());
      step.put("details", result.details());
      step.put("metrics", result.metrics());
      List<Map<String, Object>> written = new ArrayList<>();
      for (TableState table : result.tables()) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("table", table.table());
        state.put("rows", table.rows());
        state.put("snapshot_id", table.snapshotId());
        written.add(state);
      }
      step.put("tables", written);
      List<Map<String, Object>> samples = new ArrayList<>();
      for (Sample sample : result.samples()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("title", sample.title());
        entry.put("query", sample.query());
        entry.put("rows", objects(sample.result()));
        samples.add(entry);
      }
      step.put("samples", samples);
      step.put("statements", result.statements());
      steps.add(step);
    }
    root.put("steps", steps);
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(cli.out(), root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cli.out().println();
    cli.out().flush();
  }

  private static List<Map<String, Object>> objects(QueryResult result) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (int i = 0; i < result.columns().size(); i++) {
        object.put(result.columns().get(i).name(), row.get(i));
      }
      objects.add(object);
    }
    return objects;
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e8) / 10.0;
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}

package io.lagoa.cli;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.BenchResults;
import io.lagoa.bench.Comparison;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.DataSize;
import io.lagoa.bench.Layout;
import io.lagoa.bench.Matrix;
import io.lagoa.bench.MissingBenchTableException;
import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.Reference;
import io.lagoa.bench.ReferenceEngine;
import io.lagoa.bench.ReferenceQuery;
import io.lagoa.bench.ReportWriter;
import io.lagoa.bench.ResultsFile;
import io.lagoa.bench.Suite;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.ProgressDisplay;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.bench.BenchListener;
import io.lagoa.service.bench.BenchService;
import io.lagoa.service.bench.GenerateListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    description = {
      "Measure how fast this lakehouse is, and what layout and settings buy:",
      "generate data (sales or TPC-H), run a query suite, compare two runs; measure the",
      "catalog server under concurrent clients (bench catalog); changes applied per second by",
      "AUTO CDC flows (bench cdc); a streaming table with and without self-maintenance (bench",
      "maintenance); the data skipping of clustering (bench clustering). See docs/bench.md."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      BenchCommand.Generate.class,
      BenchCommand.Run.class,
      BenchCommand.Compare.class,
      BenchCommand.Report.class,
      BenchCatalogCommand.class,
      BenchCdcCommand.class,
      BenchMaintenanceCommand.class,
      BenchClusteringCommand.class,
      BenchBackupCommand.class,
      BenchIdentityCommand.class
    })
final class BenchCommand extends CommandGroup {
  BenchCommand(Cli cli) {
    super(cli);
  }

  @Command(
      name = "generate",
      description = {
        "Generate benchmark tables in the lakehouse, the same rows for the same seed.",
        "sales: <namespace>.vendas (id, produto, valor, quantidade, data, ano, mes, dia; one row",
        "per sale in 2023, skewed products, seasonal dates) and <namespace>.estoque (produto,",
        "preco, armazem). tpch: the 8 TPC-H tables at a scale factor.",
        "Replaces only tables it made itself (property lagoa.bench=true)."
      },
      mixinStandardHelpOptions = true)
  static final class Generate implements Callable<Integer> {
    private final Cli cli;

    @Option(
        names = "--suite",
        paramLabel = "SUITE",
        defaultValue = "sales",
        description = "sales or tpch (default: ${DEFAULT-VALUE}).")
    String suite;

    static final class Amount {
      @Option(names = "--rows", paramLabel = "N", description = "Sales rows to generate.")
      Long rows;

      @Option(
          names = "--size",
          paramLabel = "SIZE",
          description = "About this much data on disk, e.g. 100MB or 1GB (default: 1GB).")
      String size;
    }

    @ArgGroup(exclusive = true)
    Amount amount = new Amount();

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Same seed, same rows (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--scale-factor",
        paramLabel = "SF",
        defaultValue = "1",
        description =
            "TPC-H scale factor; 1 is about 6 million lineitems (default: ${DEFAULT-VALUE}).")
    double scaleFactor;

    @Option(
        names = "--namespace",
        paramLabel = "NAME",
        description = "Namespace of the tables (default: bench for sales, tpch for tpch).")
    String namespace;

    @Option(
        names = "--layout",
        defaultValue = "monthly",
        description =
            "monthly: PARTITIONED BY months(data); daily: PARTITIONED BY ano, mes, dia"
                + " (default: ${DEFAULT-VALUE}).")
    String layout;

    @Option(
        names = "--sort",
        defaultValue = "none",
        description =
            "Sort rows within each partition by id, produto, valor or data; none keeps"
                + " arrival order (default: ${DEFAULT-VALUE}).")
    String sort;

    @Option(
        names = "--file-size",
        paramLabel = "SIZE",
        description = "Target data file size (write.target-file-size-bytes; default Iceberg's).")
    String fileSize;

    @Option(
        names = "--row-group-size",
        paramLabel = "SIZE",
        description =
            "Parquet row-group size (write.parquet.row-group-size-bytes; default Iceberg's).")
    String rowGroupSize;

    Generate(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Suite chosen = Suite.parse(suite);
      BenchService.GenerateOptions.Builder options =
          BenchService.GenerateOptions.builder(chosen)
              .namespace(namespace)
              .seed(seed)
              .scaleFactor(scaleFactor);
      if (chosen == Suite.TPCH) {
        if (amount.rows != null || amount.size != null) {
          throw new LagoaException(
              ErrorCode.INVALID_ARGUMENT,
              "cannot use --rows or --size with --suite tpch: TPC-H's size is --scale-factor");
        }
      } else {
        if (amount.rows != null) {
          if (amount.rows < BenchService.MIN_SALES_ROWS
              || amount.rows > BenchService.MAX_SALES_ROWS) {
            throw new LagoaException(
                ErrorCode.INVALID_ARGUMENT,
                "cannot generate "
                    + amount.rows
                    + " rows: choose --rows between "
                    + BenchService.MIN_SALES_ROWS
                    + " and "
                    + BenchService.MAX_SALES_ROWS
                    + " (or --size, e.g. 1GB)");
          }
          options.rows(amount.rows);
        } else {
          options.bytes(DataSize.parse(amount.size == null ? "1GB" : amount.size, "--size"));
        }
        options.layout(
            new Layout(
                Layout.Partitioning.parse(layout),
                sort,
                size(fileSize, "--file-size"),
                size(rowGroupSize, "--row-group-size")));
      }
      BenchService.Generated generated;
      try (GeneratePrinter printer = new GeneratePrinter(cli)) {
        generated = service(cli).generate(options.build(), printer);
      } catch (LagoaException e) {
        String message = e.getMessage();
        String worded =
            message.replace(
                BenchService.OTHER_NAMESPACE, "Use another namespace with --namespace.");
        throw worded.equals(message)
            ? e
            : new LagoaException(e.code(), worded, e, e.remedy().orElse(null));
      }
      PrintWriter err = cli.err();
      String ns = generated.namespace();
      if (chosen == Suite.TPCH) {
        err.println(
            "Generated "
                + count(generated.rows())
                + " rows in "
                + Values.seconds(generated.nanos())
                + ". Next: lagoa bench run --suite tpch"
                + (ns.equals("tpch") ? "" : " --namespace " + ns));
        return 0;
      }
      long nanos = generated.nanos();
      err.println(
          "Generated "
              + count(generated.rows())
              + " rows, "
              + DataSize.format(generated.bytes())
              + " in "
              + generated.dataFiles()
              + " data files, in "
              + Values.seconds(nanos)
              + String.format(
                  Locale.ROOT, " (%,.0f rows/s).", generated.rows() / Math.max(nanos / 1e9, 1e-3)));
      err.println("Next: lagoa bench run" + (ns.equals("bench") ? "" : " --namespace " + ns));
      err.flush();
      return 0;
    }
  }

  /** The progress of {@code bench generate} on standard error; a task bar on a terminal. */
  private static final class GeneratePrinter implements GenerateListener, AutoCloseable {
    private final Cli cli;
    private final PrintWriter err;
    private ProgressDisplay.Handle display = () -> {};

    GeneratePrinter(Cli cli) {
      this.cli = cli;
      this.err = cli.err();
    }

    @Override
    public void sparkStarted(long nanos) {
      err.println("Spark started in " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public void generatingTpch(double scaleFactor, String namespace) {
      err.println(
          "Generating TPC-H at scale factor " + scaleFactor + " into namespace " + namespace + ":");
      display = ProgressDisplay.start("tpch", cli.sql().progress());
    }

    @Override
    public void generatingSales(
        long rows, long seed, Layout layout, String vendas, String estoque) {
      err.println(
          "Generating "
              + count(rows)
              + " sales (seed "
              + seed
              + ", layout "
              + layout.label()
              + ") into "
              + vendas
              + " and "
              + estoque
              + "...");
      err.flush();
      display = ProgressDisplay.start("generate", cli.sql().progress());
    }

    @Override
    public void tableFinished(String table, long nanos) {
      err.println("  " + table + "  " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public void generated(BenchService.Generated generated) {
      display.close();
    }

    @Override
    public void close() {
      display.close();
    }
  }

  @Command(
      name = "run",
      description = {
        "Run a query suite on the generated tables and report times and Spark's metrics.",
        "Warm-up runs, then measured runs; prints median/min/max time and Spark's metrics",
        "(files and bytes read, shuffle bytes, rows) per query, and writes results.json,",
        "report.md, report.html and charts/ to --output. Any of --memory, --cores,"
            + " --shuffle-partitions, --layouts, --sorts,",
        "--file-sizes, --row-group-sizes (or --matrix alone) runs every combination in its own",
        "JVM and says which wins. --compare duckdb runs every query on DuckDB too, over the same",
        "Parquet files, and prints the ratio and whether the answers match (exit 1 if not)."
      },
      mixinStandardHelpOptions = true)
  static final class Run implements Callable<Integer> {
    private final Cli cli;

    @Option(
        names = "--suite",
        paramLabel = "SUITE",
        defaultValue = "sales",
        description = "sales or tpch (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(
        names = "--namespace",
        paramLabel = "NAME",
        description = "Namespace of the tables (default: bench for sales, tpch for tpch).")
    String namespace;

    @Option(
        names = "--queries",
        paramLabel = "NAMES",
        description = "Only these queries, comma-separated (default: all of the suite).")
    String queries;

    @Option(
        names = "--warmup",
        defaultValue = "1",
        description = "Unmeasured runs of each query first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
        names = "--runs",
        defaultValue = "3",
        description = "Measured runs of each query (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
        names = "--output",
        paramLabel = "DIR",
        description =
            "Folder for results.json and the report (default: bench-results/<suite>-<time>).")
    Path output;

    @Option(
        names = "--matrix",
        description =
            "Run every combination of the lists below, each in its own JVM. Alone: shuffle"
                + " partitions <cores> and 200, and (sales) layouts monthly and daily.")
    boolean matrix;

    @Option(
        names = "--memory",
        split = ",",
        paramLabel = "HEAP",
        description = "JVM heaps, e.g. 2g,4g.")
    List<String> memory = new ArrayList<>();

    @Option(
        names = "--cores",
        split = ",",
        paramLabel = "N",
        description = "Spark task slots, e.g. 1,2.")
    List<Integer> cores = new ArrayList<>();

    @Option(
        names = "--shuffle-partitions",
        split = ",",
        paramLabel = "N",
        description = "spark.sql.shuffle.partitions values, e.g. 2,200.")
    List<Integer> shufflePartitions = new ArrayList<>();

    @Option(names = "--layouts", split = ",", paramLabel = "LAYOUT", description = "monthly,daily.")
    List<String> layouts = new ArrayList<>();

    @Option(names = "--sorts", split = ",", paramLabel = "COLUMN", description = "e.g. none,valor.")
    List<String> sorts = new ArrayList<>();

    @Option(
        names = "--file-sizes",
        split = ",",
        paramLabel = "SIZE",
        description = "e.g. 32MB,512MB.")
    List<String> fileSizes = new ArrayList<>();

    @Option(
        names = "--row-group-sizes",
        split = ",",
        paramLabel = "SIZE",
        description = "e.g. 8MB,128MB.")
    List<String> rowGroupSizes = new ArrayList<>();

    @Option(
        names = "--compare",
        paramLabel = "ENGINE",
        description =
            "Run every query on this engine too (duckdb), alternating with Lagoa's runs, over the"
                + " same Parquet files; print the ratio Lagoa/ENGINE and check the answers match"
                + " (exit 1 when they do not).")
    String compare;

    @Mixin OutputOptions output2;

    Run(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Suite chosen = Suite.parse(suite);
      checkFlags(chosen);
      BenchService.RunOptions options =
          BenchService.RunOptions.builder(chosen)
              .namespace(namespace)
              .queries(queries)
              .warmup(warmup)
              .runs(runs)
              .output(output == null ? null : cli.resolve(output.toString()))
              .matrix(matrix)
              .memory(memory)
              .cores(cores)
              .shufflePartitions(shufflePartitions)
              .layouts(layouts.stream().map(Layout.Partitioning::parse).toList())
              .sorts(sorts)
              .fileSizes(sizes(fileSizes, "--file-sizes"))
              .rowGroupSizes(sizes(rowGroupSizes, "--row-group-sizes"))
              .compareWith(compare == null ? null : engine(compare))
              .build();
      BenchService.Outcome outcome;
      try {
        outcome = service(cli).run(options, new RunPrinter(cli));
      } catch (MissingBenchTableException e) {
        throw new LagoaException(
            e.code(),
            "cannot run the benchmark: table "
                + e.table()
                + " does not exist; create it first with '"
                + generateCommand(e.suite(), e.namespace())
                + "'",
            e);
      }
      print(outcome.results());
      PrintWriter err = cli.err();
      err.println(
          "Report: "
              + outcome.folder().resolve("report.html")
              + " (and report.md, results.json, charts/)");
      if (outcome.report().chartProblem() != null) {
        err.println("warning: " + outcome.report().chartProblem());
      }
      Reference reference = outcome.results().comparedWith();
      if (reference != null && !reference.mismatches().isEmpty()) {
        err.println(
            "error: "
                + reference.mismatches().size()
                + (reference.mismatches().size() == 1 ? " query" : " queries")
                + " answered differently on "
                + ReferenceEngine.parse(reference.engine()).displayName()
                + ": "
                + String.join(
                    "; ",
                    reference.mismatches().stream()
                        .map(query -> query.query() + ": " + query.difference())
                        .toList()));
        err.flush();
        return 1;
      }
      err.flush();
      return 0;
    }

    private ReferenceEngine engine(String text) {
      try {
        return ReferenceEngine.parse(text);
      } catch (LagoaException e) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT, "cannot use --compare '" + text + "': expected duckdb", e);
      }
    }

    /** What the service checks too, in this command's words. */
    private void checkFlags(Suite chosen) {
      if (warmup < 0 || runs < 1) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot run with --warmup "
                + warmup
                + " and --runs "
                + runs
                + ": warm-up must be 0 or more and runs 1 or more");
      }
      boolean layoutAxes =
          !layouts.isEmpty()
              || !sorts.isEmpty()
              || !fileSizes.isEmpty()
              || !rowGroupSizes.isEmpty();
      boolean matrixAxes =
          matrix
              || layoutAxes
              || !memory.isEmpty()
              || !cores.isEmpty()
              || !shufflePartitions.isEmpty();
      if (compare != null && matrixAxes) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot use --compare with --matrix, --memory, --cores, --shuffle-partitions,"
                + " --layouts, --sorts, --file-sizes or --row-group-sizes: each combination runs"
                + " in its own JVM; compare one configuration at a time");
      }
      if (chosen == Suite.TPCH && layoutAxes) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot vary --layouts, --sorts, --file-sizes or --row-group-sizes for the tpch suite:"
                + " they change the sales table's layout; vary --memory, --cores or"
                + " --shuffle-partitions");
      }
      for (int value : cores) {
        positive(value, "--cores");
      }
      for (int value : shufflePartitions) {
        positive(value, "--shuffle-partitions");
      }
    }

    private void print(BenchResults results) {
      OutputFormat format = output2.format();
      if (format == OutputFormat.JSON) {
        cli.out().println(ResultsFile.toJson(results));
        cli.out().flush();
        return;
      }
      boolean human = format == OutputFormat.TABLE;
      boolean several = results.configurations().size() > 1;
      Reference reference = results.comparedWith();
      // CSV stays one table: the comparison's columns join it; a terminal gets a second table.
      boolean joined = reference != null && !human;
      List<String> columns = new ArrayList<>();
      if (several) {
        columns.add("configuration");
      }
      columns.addAll(
          Arrays.asList(
              "query",
              human ? "median" : "median_ms",
              human ? "min" : "min_ms",
              human ? "max" : "max_ms",
              "files_read",
              "files_skipped",
              human ? "bytes_read" : "bytes_read",
              "rows_scanned",
              human ? "shuffle" : "shuffle_bytes",
              "rows_out"));
      if (joined) {
        columns.addAll(
            List.of(reference.engine() + "_median_ms", "ratio", "answers_match", "difference"));
      }
      List<List<Object>> rows = new ArrayList<>();
      for (Configuration configuration : results.configurations()) {
        for (QueryRun query : configuration.queries()) {
          QueryMetrics m = query.metrics();
          List<Object> row = new ArrayList<>();
          if (several) {
            row.add(configuration.name());
          }
          row.add(query.query());
          row.add(human ? secondsText(query.medianMillis()) : query.medianMillis());
          row.add(human ? secondsText(query.minMillis()) : query.minMillis());
          row.add(human ? secondsText(query.maxMillis()) : query.maxMillis());
          row.add(m.filesRead());
          row.add(m.filesSkipped());
          row.add(human ? Values.bytes(m.bytesRead()) : m.bytesRead());
          row.add(m.rowsScanned());
          row.add(human ? Values.bytes(m.shuffleBytes()) : m.shuffleBytes());
          row.add(m.rowsOut());
          if (joined) {
            ReferenceQuery compared = referenceQuery(reference, query.query());
            row.add(compared == null || compared.failed() ? "" : compared.medianMillis());
            row.add(compared == null || compared.failed() ? "" : compared.ratio());
            row.add(compared != null && compared.answersMatch());
            row.add(compared == null || compared.difference() == null ? "" : compared.difference());
          }
          rows.add(row);
        }
      }
      cli.printer().print(columns, rows, format, cli.out());
      if (reference != null && human) {
        String engine = ReferenceEngine.parse(reference.engine()).displayName();
        cli.out().println();
        cli.out().println("Against " + engine + " (ratio above 1: Lagoa is slower):");
        List<List<Object>> compared = new ArrayList<>();
        for (ReferenceQuery query : reference.queries()) {
          compared.add(
              List.of(
                  query.query(),
                  secondsText(query.lagoaMedianMillis()),
                  query.failed() ? "failed" : secondsText(query.medianMillis()),
                  ratioText(query.ratio()),
                  query.answersMatch() ? "same" : "DIFFERENT"));
        }
        cli.printer()
            .print(
                List.of("query", "lagoa", engine.toLowerCase(Locale.ROOT), "ratio", "answers"),
                compared,
                format,
                cli.out());
        cli.out()
            .println("Geometric mean of the ratios: " + ratioText(reference.geometricMeanRatio()));
      }
      if (several && human) {
        cli.out().println();
        cli.out().println("Which wins (lowest median per query; overall: lowest geometric mean):");
        List<List<Object>> winners = new ArrayList<>();
        for (String query : results.queryNames()) {
          Configuration best = results.fastestFor(query).orElseThrow();
          winners.add(
              List.of(
                  query, best.name(), secondsText(best.query(query).orElseThrow().medianMillis())));
        }
        Configuration overall = results.fastestOverall().orElseThrow();
        winners.add(
            List.of(
                "overall",
                overall.name(),
                String.format(
                    Locale.ROOT, "geomean %.3f s", overall.geometricMeanMillis() / 1000)));
        cli.printer().print(List.of("query", "fastest", "median"), winners, format, cli.out());
      }
    }
  }

  private static ReferenceQuery referenceQuery(Reference reference, String query) {
    return reference.queries().stream()
        .filter(compared -> compared.query().equals(query))
        .findFirst()
        .orElse(null);
  }

  @Command(
      name = "compare",
      description = {
        "Compare two runs: per query, the ratio of median times, and regressions.",
        "BASE and NEW are results.json files or folders holding one. Ratio is NEW/BASE: above",
        "1 is slower; slower by more than --threshold percent is flagged as a regression."
      },
      mixinStandardHelpOptions = true)
  static final class Compare implements Callable<Integer> {
    private final Cli cli;

    @Parameters(index = "0", paramLabel = "BASE", description = "The baseline results.json.")
    Path baseline;

    @Parameters(index = "1", paramLabel = "NEW", description = "The results.json to judge.")
    Path candidate;

    @Option(
        names = "--threshold",
        paramLabel = "PERCENT",
        defaultValue = "10",
        description =
            "Slower by more than this many percent is a regression (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(
        names = "--fail-on-regression",
        description = "Exit 1 when any query regressed (for CI).")
    boolean failOnRegression;

    @Mixin OutputOptions output;

    Compare(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (!(threshold > 0) || threshold >= 1000) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot compare with --threshold "
                + threshold
                + ": give a percentage above 0, e.g. 10");
      }
      Comparison comparison = service(cli).compare(baseline, candidate, threshold);
      boolean human = output.format() == OutputFormat.TABLE;
      boolean several =
          comparison.lines().stream().anyMatch(line -> !line.configuration().isEmpty());
      List<String> columns = new ArrayList<>();
      if (several) {
        columns.add("configuration");
      }
      columns.addAll(
          List.of(
              "query", human ? "base" : "base_ms", human ? "new" : "new_ms", "ratio", "verdict"));
      List<List<Object>> rows = new ArrayList<>();
      for (Comparison.Line line : comparison.lines()) {
        List<Object> row = new ArrayList<>();
        if (several) {
          row.add(line.configuration());
        }
        row.add(line.query());
        row.add(human ? secondsText(line.baselineMillis()) : line.baselineMillis());
        row.add(human ? secondsText(line.candidateMillis()) : line.candidateMillis());
        row.add(human ? ratioText(line.ratio()) : round(line.ratio()));
        row.add(line.verdict().label());
        rows.add(row);
      }
      cli.printer().print(columns, rows, output.format(), cli.out());
      PrintWriter err = cli.err();
      err.println(
          "Overall (geometric mean of the ratios): "
              + ratioText(comparison.overallRatio())
              + (comparison.overallRatio() > 1 ? " (slower)" : " (faster or the same)"));
      if (!comparison.onlyInBaseline().isEmpty()) {
        err.println("Only in " + baseline + ": " + String.join(", ", comparison.onlyInBaseline()));
      }
      if (!comparison.onlyInCandidate().isEmpty()) {
        err.println(
            "Only in " + candidate + ": " + String.join(", ", comparison.onlyInCandidate()));
      }
      List<Comparison.Line> regressions = comparison.regressions();
      if (!regressions.isEmpty()) {
        err.println(
            regressions.size()
                + (regressions.size() == 1 ? " regression" : " regressions")
                + " (slower by more than "
                + fmt(threshold)
                + "%): "
                + String.join(
                    ", ",
                    regressions.stream()
                        .map(line -> line.query() + " " + ratioText(line.ratio()))
                        .toList()));
      }
      err.flush();
      return failOnRegression && !regressions.isEmpty() ? 1 : 0;
    }
  }

  @Command(
      name = "report",
      description = "Write report.md, report.html and charts/ again from a results.json.",
      mixinStandardHelpOptions = true)
  static final class Report implements Callable<Integer> {
    private final Cli cli;

    @Parameters(
        index = "0",
        paramLabel = "RESULTS",
        description = "A results.json (or its folder).")
    Path results;

    @Option(
        names = "--output",
        paramLabel = "DIR",
        description = "Folder for the report (default: the results file's folder).")
    Path output;

    Report(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      ReportWriter.Written written = service(cli).report(results, output);
      for (Path path : written.files()) {
        cli.out().println(path);
      }
      if (written.chartProblem() != null) {
        cli.err().println("warning: " + written.chartProblem());
      }
      cli.out().flush();
      return 0;
    }
  }

  static OptionalLong size(String text, String option) {
    return text == null ? OptionalLong.empty() : OptionalLong.of(DataSize.parse(text, option));
  }

  static List<OptionalLong> sizes(List<String> texts, String option) {
    return texts.stream()
        .map(text -> text.equalsIgnoreCase("default") ? OptionalLong.empty() : size(text, option))
        .toList();
  }

  static void positive(int value, String option) {
    if (value < 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use " + option + " " + value + ": give numbers of 1 or more");
    }
  }

  /** The bench service on this invocation's catalog, Spark and environment. */
  static BenchService service(Cli cli) {
    return new BenchService(
        new BenchService.Resources(
            cli::catalog,
            cli::sql,
            () -> cli.config().spark().shufflePartitions(),
            cli.env(),
            cli.workingDir(),
            cli.configFile()));
  }

  /**
   * The progress of {@code bench run} on standard error: each query's line when it finishes, a task
   * bar while it runs (on a terminal); for a matrix, each layout and combination.
   */
  private static final class RunPrinter implements BenchListener {
    private final Cli cli;
    private final PrintWriter err;
    private ProgressDisplay.Handle display;
    private String prefix;
    private long started;

    RunPrinter(Cli cli) {
      this.cli = cli;
      this.err = cli.err();
    }

    @Override
    public void sparkStarted(long nanos) {
      err.println("Spark started in " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public void starting(BenchService.Plan plan) {
      if (plan.matrix().isEmpty()) {
        err.println(
            "Running the "
                + plan.suite().label()
                + " suite: "
                + plan.queries().size()
                + " queries, "
                + plan.warmup()
                + " warm-up and "
                + plan.runs()
                + " measured runs each.");
      } else {
        err.println(
            "Running the "
                + plan.suite().label()
                + " suite in "
                + plan.combinations()
                + " combinations, each in its own JVM ("
                + plan.queries().size()
                + " queries, "
                + plan.warmup()
                + " warm-up and "
                + plan.runs()
                + " measured runs each). Logs: "
                + plan.logs());
      }
      err.flush();
    }

    @Override
    public void started(BenchQuery query, int number, int total) {
      // The whole line is printed when the query ends: the bar would erase a partial one.
      prefix = String.format(Locale.ROOT, "[%d/%d] %-17s", number, total, query.name());
      display = ProgressDisplay.start(prefix.strip(), cli.sql().progress());
    }

    @Override
    public void finished(QueryRun run) {
      display.close();
      err.println(
          prefix
              + String.format(
                  Locale.ROOT,
                  " median %s (min %s, max %s), %,d files, %s read",
                  secondsText(run.medianMillis()),
                  secondsText(run.minMillis()),
                  secondsText(run.maxMillis()),
                  run.metrics().filesRead(),
                  Values.bytes(run.metrics().bytesRead())));
      err.flush();
    }

    @Override
    public void comparing(ReferenceEngine engine, Map<String, String> settings) {
      err.println(
          engine.displayName()
              + " "
              + settings.getOrDefault("version", "")
              + " alongside: "
              + settings.getOrDefault("threads", "?")
              + " threads (as "
              + settings.getOrDefault("threads_from", "Spark")
              + "), memory limit "
              + settings.getOrDefault("memory_limit", "?")
              + " (as "
              + settings.getOrDefault("memory_from", "Spark")
              + "), Parquet prefetching "
              + settings.getOrDefault("parquet_prefetching", "?")
              + ", "
              + settings.getOrDefault("files", "?")
              + " Parquet files ("
              + settings.getOrDefault("bytes", "?")
              + ") planned by Iceberg; runs alternate between the two engines.");
      err.flush();
    }

    @Override
    public void compared(ReferenceQuery query) {
      String indent = " ".repeat(prefix == null ? 0 : prefix.length());
      if (query.failed()) {
        err.println(indent + " DuckDB failed: " + query.difference());
      } else {
        err.println(
            indent
                + String.format(
                    Locale.ROOT,
                    " DuckDB %s (min %s, max %s), Lagoa/DuckDB %s, answers %s",
                    secondsText(query.medianMillis()),
                    secondsText(query.minMillis()),
                    secondsText(query.maxMillis()),
                    ratioText(query.ratio()),
                    query.answersMatch() ? "same" : "DIFFERENT: " + query.difference()));
      }
      err.flush();
    }

    @Override
    public void preparing(Layout layout, boolean reused) {
      started = System.nanoTime();
      err.print(
          "layout "
              + layout.label()
              + (reused ? ": copy from an earlier run still current" : ": copying vendas..."));
      err.flush();
    }

    @Override
    public void prepared(Layout layout) {
      err.println("  " + Values.seconds(System.nanoTime() - started));
      err.flush();
    }

    @Override
    public void started(Matrix.Combination combination, int number, int total) {
      started = System.nanoTime();
      err.print("[" + number + "/" + total + "] " + combination.name());
      err.flush();
    }

    @Override
    public void finished(Configuration configuration) {
      err.println(
          String.format(
              Locale.ROOT,
              "  geomean %.3f s, total %s",
              configuration.geometricMeanMillis() / 1000,
              Values.seconds(System.nanoTime() - started)));
      err.flush();
    }
  }

  static String secondsText(double millis) {
    return String.format(Locale.ROOT, "%.3f s", millis / 1000);
  }

  static String ratioText(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  static String fmt(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** The command that generates a suite's tables into a namespace. */
  static String generateCommand(Suite suite, String namespace) {
    String command =
        suite == Suite.SALES ? "lagoa bench generate" : "lagoa bench generate --suite tpch";
    return command
        + (namespace.equals(BenchService.defaultNamespace(suite))
            ? ""
            : " --namespace " + namespace);
  }
}

package io.lagoa.service.bench;

import io.lagoa.bench.*;
import io.lagoa.bench.duckdb.DuckDbEngine;
import io.lagoa.bench.spark.BenchRun;
import io.lagoa.bench.spark.BenchTables;
import io.lagoa.bench.spark.ComparedRunner;
import io.lagoa.bench.spark.MatrixRunner;
import io.lagoa.bench.spark.SalesGenerator;
import io.lagoa.bench.spark.TpchGenerator;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.duckdb.DuckDbDatabase;
import io.lagoa.spark.duckdb.ParquetTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.iceberg.catalog.Catalog;

/**
 * Runs a query suite on the generated tables: plans what to run ({@link #plan}), a single run in
 * this Spark session or a matrix of combinations each in its own JVM, then runs it ({@link #run})
 * and writes results.json and the report. Any adapter (the CLI, a server, a test) calls it.
 */
public final class BenchService {
  /**
   * What a run needs from the lakehouse, opened only when needed: the catalog when the tables are
   * checked, Spark once they are there.
   *
   * @param catalog the catalog holding the benchmark tables
   * @param sql the Spark session to run in (started on first use)
   * @param shufflePartitions the configured shuffle partitions, for the default matrix
   * @param environment environment variables of the child JVMs a matrix starts
   * @param workingDir where child JVMs run and default result folders go
   * @param configFile the configuration file child JVMs read; null for none
   */
  public record Resources(
      Supplier<Catalog> catalog,
      Supplier<SparkSql> sql,
      IntSupplier shufflePartitions,
      Map<String, String> environment,
      Path workingDir,
      Path configFile) {
    public Resources {
      Objects.requireNonNull(catalog, "catalog");
      Objects.requireNonNull(sql, "sql");
      Objects.requireNonNull(shufflePartitions, "shufflePartitions");
      environment = Map.copyOf(environment);
      Objects.requireNonNull(workingDir, "workingDir");
    }
  }

  /**
   * What to run. Any of memory, cores, shuffle partitions, layouts, sorts, file sizes and row-group
   * sizes (or {@code matrix} alone) makes a matrix: every combination, each in its own JVM.
   *
   * @param namespace null for the suite's default ({@code bench} or {@code tpch})
   * @param queries comma-separated query names; null for all of the suite
   * @param output the folder for results.json and the report; null for {@code
   *     bench-results/<suite>-<time>} in the working folder
   * @param matrix a matrix even without lists: shuffle partitions the configured number and 200,
   *     and for sales the monthly and daily layouts
   * @param fileSizes target data file sizes in bytes; an empty value keeps Iceberg's default
   * @param rowGroupSizes Parquet row-group sizes in bytes; an empty value keeps Iceberg's default
   * @param compareWith run every query on this engine too, over the same Parquet files; null for
   *     none
   */
  public record RunOptions(
      Suite suite,
      String namespace,
      String queries,
      int warmup,
      int runs,
      Path output,
      boolean matrix,
      List<String> memory,
      List<Integer> cores,
      List<Integer> shufflePartitions,
      List<Layout.Partitioning> layouts,
      List<String> sorts,
      List<OptionalLong> fileSizes,
      List<OptionalLong> rowGroupSizes,
      ReferenceEngine compareWith) {
    public RunOptions {
      Objects.requireNonNull(suite, "suite");
      memory = List.copyOf(memory);
      cores = List.copyOf(cores);
      shufflePartitions = List.copyOf(shufflePartitions);
      layouts = List.copyOf(layouts);
      sorts = List.copyOf(sorts);
      fileSizes = List.copyOf(fileSizes);
      rowGroupSizes = List.copyOf(rowGroupSizes);
    }

    public static Builder builder(Suite suite) {
      return new Builder(suite);
    }

    /** Options with their defaults: every query, 1 warm-up and 3 measured runs, no matrix. */
    public static final class Builder {
      private final Suite suite;
      private String namespace;
      private String queries;
      private int warmup = 1;
      private int runs = 3;
      private Path output;
      private boolean matrix;
      private List<String> memory = List.of();
      private List<Integer> cores = List.of();
      private List<Integer> shufflePartitions = List.of();
      private List<Layout.Partitioning> layouts = List.of();
      private List<String> sorts = List.of();
      private List<OptionalLong> fileSizes = List.of();
      private List<OptionalLong> rowGroupSizes = List.of();
      private ReferenceEngine compareWith;

      private Builder(Suite suite) {
        this.suite = suite;
      }

      public Builder namespace(String namespace) {
        this.namespace = namespace;
        return this;
      }

      public Builder queries(String queries) {
        this.queries = queries;
        return this;
      }

      public Builder warmup(int warmup) {
        this.warmup = warmup;
        return this;
      }

      public Builder runs(int runs) {
        this.runs = runs;
        return this;
      }

      public Builder output(Path output) {
        this.output = output;
        return this;
      }

      public Builder matrix(boolean matrix) {
        this.matrix = matrix;
        return this;
      }

      public Builder memory(List<String> memory) {
        this.memory = memory;
        return this;
      }

      public Builder cores(List<Integer> cores) {
        this.cores = cores;
        return this;
      }

      public Builder shufflePartitions(List<Integer> shufflePartitions) {
        this.shufflePartitions = shufflePartitions;
        return this;
      }

      public Builder layouts(List<Layout.Partitioning> layouts) {
        this.layouts = layouts;
        return this;
      }

      public Builder sorts(List<String> sorts) {
        this.sorts = sorts;
        return this;
      }

      public Builder fileSizes(List<OptionalLong> fileSizes) {
        this.fileSizes = fileSizes;
        return this;
      }

      public Builder rowGroupSizes(List<OptionalLong> rowGroupSizes) {
        this.rowGroupSizes = rowGroupSizes;
        return this;
      }

      /** Runs every query on this engine too (null for none): times, ratios, answers checked. */
      public Builder compareWith(ReferenceEngine compareWith) {
        this.compareWith = compareWith;
        return this;
      }

      public RunOptions build() {
        return new RunOptions(
            suite,
            namespace,
            queries,
            warmup,
            runs,
            output,
            matrix,
            memory,
            cores,
            shufflePartitions,
            layouts,
            sorts,
            fileSizes,
            rowGroupSizes,
            compareWith);
      }
    }
  }

  /**
   * A checked run: what will run and where its results go.
   *
   * @param matrix empty for a single run in this JVM
   * @param compareWith the engine every query also runs on, if any
   */
  public record Plan(
      Suite suite,
      String namespace,
      List<BenchQuery> queries,
      int warmup,
      int runs,
      Optional<Matrix> matrix,
      Path folder,
      Optional<ReferenceEngine> compareWith) {
    public Plan {
      queries = List.copyOf(queries);
      Objects.requireNonNull(compareWith, "compareWith");
    }

    /** The combinations a matrix runs; one (the default) for a single run. */
    public int combinations() {
      return matrix.map(value -> value.combinations().size()).orElse(1);
    }

    /** Where a matrix's child JVMs write their job, result and log files. */
    public Path logs() {
      return folder.resolve("matrix");
    }

    BenchRun.Request request() {
      return new BenchRun.Request(suite, namespace, queries, warmup, runs, null);
    }
  }

  /** A finished run: its results, as written to results.json, and the report files. */
  public record Outcome(BenchResults results, Path folder, ReportWriter.Written report) {}

  private final Resources resources;

  public BenchService(Resources resources) {
    this.resources = resources;
  }

  /** The fewest and most sales rows {@link #generate} makes. */
  public static final long MIN_SALES_ROWS = SalesGenerator.MIN_ROWS;

  /** See {@link #MIN_SALES_ROWS}. */
  public static final long MAX_SALES_ROWS = SalesGenerator.MAX_ROWS;

  /**
   * How a message ends when the tables to generate belong to someone else (see {@link #generate}).
   */
  public static final String OTHER_NAMESPACE = BenchTables.OTHER_NAMESPACE;

  /** The suite's namespace when none is given. */
  public static String defaultNamespace(Suite suite) {
    return suite == Suite.SALES ? "bench" : "tpch";
  }

  /**
   * What to generate.
   *
   * @param namespace null for the suite's default ({@code bench} or {@code tpch})
   * @param rows sales rows; empty to go by {@code bytes}
   * @param bytes about this much sales data on disk; empty with {@code rows} too: 1 GiB
   * @param seed same seed, same sales rows
   * @param scaleFactor the TPC-H scale factor
   * @param layout the sales table's partitioning, sort and file sizes
   */
  public record GenerateOptions(
      Suite suite,
      String namespace,
      OptionalLong rows,
      OptionalLong bytes,
      long seed,
      double scaleFactor,
      Layout layout) {
    public GenerateOptions {
      Objects.requireNonNull(suite, "suite");
      Objects.requireNonNull(rows, "rows");
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(layout, "layout");
    }

    public static Builder builder(Suite suite) {
      return new Builder(suite);
    }

    /** Options with their defaults: 1 GiB of sales with seed 42, TPC-H at scale factor 1. */
    public static final class Builder {
      private final Suite suite;
      private String namespace;
      private OptionalLong rows = OptionalLong.empty();
      private OptionalLong bytes = OptionalLong.empty();
      private long seed = 42;
      private double scaleFactor = 1;
      private Layout layout = Layout.DEFAULT;

      private Builder(Suite suite) {
        this.suite = suite;
      }

      public Builder namespace(String namespace) {
        this.namespace = namespace;
        return this;
      }

      public Builder rows(long rows) {
        this.rows = OptionalLong.of(rows);
        return this;
      }

      public Builder bytes(long bytes) {
        this.bytes = OptionalLong.of(bytes);
        return this;
      }

      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      public Builder scaleFactor(double scaleFactor) {
        this.scaleFactor = scaleFactor;
        return this;
      }

      public Builder layout(Layout layout) {
        this.layout = layout;
        return this;
      }

      public GenerateOptions build() {
        return new GenerateOptions(suite, namespace, rows, bytes, seed, scaleFactor, layout);
      }
    }
  }

  /**
   * What {@link #generate} wrote.
   *
   * @param tables the tables written, {@code namespace.table}
   * @param bytes bytes of the sales data written; -1 for TPC-H
   * @param dataFiles data files of the sales data written; -1 for TPC-H
   * @param nanos time spent writing, Spark's start left out
   */
  public record Generated(
      Suite suite,
      String namespace,
      List<String> tables,
      long rows,
      long bytes,
      long dataFiles,
      long nanos) {
    public Generated {
      tables = List.copyOf(tables);
    }
  }

  /**
   * Writes the suite's tables, the same rows for the same seed, replacing only tables the benchmark
   * made itself. For sales, whose tables are checked before Spark starts, a table of someone else's
   * fails in a second.
   */
  public Generated generate(GenerateOptions options, GenerateListener listener) {
    Suite suite = options.suite();
    String namespace = options.namespace() == null ? defaultNamespace(suite) : options.namespace();
    if (suite == Suite.TPCH) {
      if (options.rows().isPresent() || options.bytes().isPresent()) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot generate the tpch suite by rows or size: TPC-H's size is its scale factor");
      }
      SparkSql sql = startSpark(listener);
      listener.generatingTpch(options.scaleFactor(), namespace);
      long started = System.nanoTime();
      long[] tableStarted = {0};
      String[] current = {null};
      long rows =
          new TpchGenerator(sql.session(), resources.catalog().get())
              .generate(
                  options.scaleFactor(),
                  namespace,
                  table -> {
                    if (current[0] != null) {
                      listener.tableFinished(current[0], System.nanoTime() - tableStarted[0]);
                    }
                    current[0] = table;
                    tableStarted[0] = System.nanoTime();
                  });
      if (current[0] != null) {
        listener.tableFinished(current[0], System.nanoTime() - tableStarted[0]);
      }
      Generated generated =
          new Generated(
              suite,
              namespace,
              TpchGenerator.tableNames().stream().map(table -> namespace + "." + table).toList(),
              rows,
              -1,
              -1,
              System.nanoTime() - started);
      listener.generated(generated);
      return generated;
    }
    long rows =
        options.rows().isPresent()
            ? options.rows().getAsLong()
            : SalesGenerator.rowsForBytes(options.bytes().orElse(1L << 30));
    SalesGenerator.Options sales =
        new SalesGenerator.Options(rows, options.seed(), namespace, options.layout());
    // Checked through the Iceberg API before Spark starts, so a conflict fails in a second.
    Catalog catalog = resources.catalog().get();
    BenchTables.checkOwnership(catalog, sales.vendas(), "generate " + sales.vendas());
    BenchTables.checkOwnership(catalog, sales.estoque(), "generate " + sales.estoque());
    SparkSql sql = startSpark(listener);
    listener.generatingSales(
        sales.rows(), sales.seed(), sales.layout(), sales.vendas(), sales.estoque());
    long started = System.nanoTime();
    SalesGenerator.Generated written = new SalesGenerator(sql.session(), catalog).generate(sales);
    Generated generated =
        new Generated(
            suite,
            namespace,
            List.of(written.vendas(), written.estoque()),
            written.rows(),
            written.bytes(),
            written.dataFiles(),
            System.nanoTime() - started);
    listener.generated(generated);
    return generated;
  }

  private SparkSql startSpark(GenerateListener listener) {
    long started = System.nanoTime();
    SparkSql sql = resources.sql().get();
    listener.sparkStarted(System.nanoTime() - started);
    return sql;
  }

  /** Checks the options and plans the run; nothing is opened or started. */
  public Plan plan(RunOptions options) {
    Suite suite = options.suite();
    String namespace = options.namespace() == null ? defaultNamespace(suite) : options.namespace();
    List<BenchQuery> selected = suite.select(options.queries());
    if (options.warmup() < 0 || options.runs() < 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run with "
              + options.warmup()
              + " warm-up and "
              + options.runs()
              + " measured runs: warm-up must be 0 or more and runs 1 or more");
    }
    Optional<Matrix> matrix = matrix(options);
    if (options.compareWith() != null && matrix.isPresent()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot compare with "
              + options.compareWith().displayName()
              + " in a matrix run: each combination runs in its own JVM; compare one"
              + " configuration at a time");
    }
    Path folder =
        options.output() != null
            ? resources.workingDir().resolve(options.output()).normalize()
            : resources
                .workingDir()
                .resolve(
                    "bench-results/"
                        + suite.label()
                        + "-"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    return new Plan(
        suite,
        namespace,
        selected,
        options.warmup(),
        options.runs(),
        matrix,
        folder,
        Optional.ofNullable(options.compareWith()));
  }

  /** Plans and runs: {@code run(plan(options), listener)}. */
  public Outcome run(RunOptions options, BenchListener listener) {
    return run(plan(options), listener);
  }

  /**
   * Checks the tables exist (before Spark starts, so a missing one fails in a second with the
   * command that makes it), runs the plan, and writes results.json and the report to its folder.
   */
  public Outcome run(Plan plan, BenchListener listener) {
    checkTables(plan.suite(), plan.namespace());
    // Planned through Iceberg before Spark starts, so a table DuckDB cannot read fails in a second.
    List<ParquetTable> parquet =
        plan.compareWith().isPresent() ? parquetTables(plan.request()) : List.of();
    String startedAt = Instant.now().toString();
    long sparkStarting = System.nanoTime();
    SparkSql sql = resources.sql().get();
    listener.sparkStarted(System.nanoTime() - sparkStarting);
    Map<String, String> environment = BenchRun.environment(sql.session());
    BenchRun.Request request = plan.request();
    BenchRun run = new BenchRun(sql.session(), resources.catalog().get(), request);
    listener.starting(plan);
    List<Configuration> configurations;
    Reference reference = null;
    if (plan.compareWith().isPresent()) {
      // The same task slots as Spark, and as much memory as Spark's heap (in local mode, all of
      // Spark's memory): neither engine gets more of the machine.
      DuckDbDatabase.Settings settings =
          new DuckDbDatabase.Settings(
              ComparedRunner.taskSlots(sql.session()), Runtime.getRuntime().maxMemory());
      try (DuckDbEngine duckDb = DuckDbEngine.open(parquet, settings)) {
        Map<String, String> described = duckDb.description();
        described.put(
            "threads_from", "Spark's task slots, " + sql.session().sparkContext().master());
        described.put("memory_from", "Spark's heap");
        listener.comparing(plan.compareWith().get(), described);
        BenchRun.Compared compared =
            run.runCompared("default", run.sessionSettings(), duckDb, described, listener);
        configurations = List.of(compared.lagoa());
        reference = compared.reference();
      }
    } else if (plan.matrix().isEmpty()) {
      configurations = List.of(run.run("default", run.sessionSettings(), listener));
    } else {
      configurations =
          new MatrixRunner(sql.session(), resources.catalog().get())
              .run(
                  request,
                  plan.matrix().get(),
                  new MatrixRunner.Launch(
                      resources.environment(),
                      resources.workingDir(),
                      resources.configFile(),
                      plan.logs()),
                  listener);
    }
    environment.put("load_average_end", BenchRun.loadAverage());
    BenchResults results =
        new BenchResults(
            BenchResults.FORMAT_VERSION,
            plan.suite().label(),
            startedAt,
            environment,
            run.dataset(),
            plan.warmup(),
            plan.runs(),
            configurations,
            reference);
    ReportWriter.Written written = ReportWriter.write(results, plan.folder());
    return new Outcome(results, plan.folder(), written);
  }

  /**
   * Compares two runs query by query: the ratio of median times, and which are regressions.
   *
   * @param baseline a results.json, or a folder holding one
   * @param candidate the run to judge: a results.json, or a folder holding one
   * @param thresholdPercent slower by more than this many percent is a regression
   */
  public Comparison compare(Path baseline, Path candidate, double thresholdPercent) {
    if (!(thresholdPercent > 0) || thresholdPercent >= 1000) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot compare with a threshold of "
              + thresholdPercent
              + " percent: give a percentage above 0, e.g. 10");
    }
    BenchResults before = ResultsFile.read(resultsFile(baseline));
    BenchResults after = ResultsFile.read(resultsFile(candidate));
    if (!before.suite().equals(after.suite())) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot compare a "
              + before.suite()
              + " run with a "
              + after.suite()
              + " run: "
              + baseline
              + " and "
              + candidate
              + " measured different suites");
    }
    Comparison comparison = Comparison.of(before, after, thresholdPercent / 100);
    if (comparison.lines().isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot compare "
              + baseline
              + " and "
              + candidate
              + ": they have no query (and configuration) in common");
    }
    return comparison;
  }

  /**
   * Writes report.md, report.html and charts/ again from a results file (or the folder holding
   * one), into {@code output}, or next to the results when null.
   */
  public ReportWriter.Written report(Path results, Path output) {
    Path file = resultsFile(results);
    BenchResults read = ResultsFile.read(file);
    Path folder =
        output == null
            ? file.toAbsolutePath().getParent()
            : resources.workingDir().resolve(output).normalize();
    return ReportWriter.write(read, folder);
  }

  /** A results file, or the results.json inside a folder; relative to the working folder. */
  public Path resultsFile(Path given) {
    Path path = resources.workingDir().resolve(given).normalize();
    return Files.isDirectory(path) ? path.resolve("results.json") : path;
  }

  private List<ParquetTable> parquetTables(BenchRun.Request request) {
    List<ParquetTable> tables = new ArrayList<>();
    for (String name : BenchRun.tables(request)) {
      tables.add(
          ParquetTable.plan(
              BenchTables.require(
                  resources.catalog().get(), name, request.suite(), request.namespace()),
              BenchTables.identifier(name)));
    }
    return tables;
  }

  private void checkTables(Suite suite, String namespace) {
    List<String> tables =
        suite == Suite.SALES
            ? List.of(
                namespace + "." + SalesGenerator.VENDAS, namespace + "." + SalesGenerator.ESTOQUE)
            : TpchGenerator.tableNames().stream().map(table -> namespace + "." + table).toList();
    for (String table : tables) {
      BenchTables.require(resources.catalog().get(), table, suite, namespace);
    }
  }

  /** The matrix asked for, or empty for a single run. */
  private Optional<Matrix> matrix(RunOptions options) {
    Suite suite = options.suite();
    boolean layoutAxes =
        !options.layouts().isEmpty()
            || !options.sorts().isEmpty()
            || !options.fileSizes().isEmpty()
            || !options.rowGroupSizes().isEmpty();
    boolean any =
        options.matrix()
            || layoutAxes
            || !options.memory().isEmpty()
            || !options.cores().isEmpty()
            || !options.shufflePartitions().isEmpty();
    if (!any) {
      return Optional.empty();
    }
    if (suite == Suite.TPCH && layoutAxes) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot vary layouts, sorts, file sizes or row-group sizes for the tpch suite:"
              + " they change the sales table's layout; vary memory, cores or shuffle partitions");
    }
    List<String> heaps = options.memory().stream().map(Matrix::checkMemory).toList();
    for (int value : options.cores()) {
      positive(value, "cores");
    }
    for (int value : options.shufflePartitions()) {
      positive(value, "shuffle partitions");
    }
    List<Integer> partitions = new ArrayList<>(options.shufflePartitions());
    List<Layout> layouts = new ArrayList<>();
    if (suite == Suite.SALES && layoutAxes) {
      layouts.addAll(
          Matrix.layouts(
              options.layouts().isEmpty()
                  ? List.of(Layout.Partitioning.MONTHLY)
                  : options.layouts(),
              options.sorts().isEmpty() ? List.of("none") : options.sorts(),
              orDefault(options.fileSizes()),
              orDefault(options.rowGroupSizes())));
    }
    boolean matrixAlone =
        !layoutAxes
            && options.memory().isEmpty()
            && options.cores().isEmpty()
            && partitions.isEmpty();
    if (matrixAlone) {
      partitions.add(resources.shufflePartitions().getAsInt());
      if (!partitions.contains(200)) {
        partitions.add(200);
      }
      if (suite == Suite.SALES) {
        layouts.addAll(
            Matrix.layouts(
                List.of(Layout.Partitioning.MONTHLY, Layout.Partitioning.DAILY),
                List.of("none"),
                List.of(OptionalLong.empty()),
                List.of(OptionalLong.empty())));
      }
    }
    Matrix result = new Matrix(heaps, options.cores(), partitions, layouts);
    result.combinations(); // checks the count now, before anything starts
    return Optional.of(result);
  }

  private static List<OptionalLong> orDefault(List<OptionalLong> sizes) {
    for (OptionalLong size : sizes) {
      if (size.isPresent() && size.getAsLong() < 1) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot use a size of " + size.getAsLong() + " bytes: the size must be more than zero");
      }
    }
    return sizes.isEmpty() ? List.of(OptionalLong.empty()) : sizes;
  }

  private static void positive(int value, String what) {
    if (value < 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use " + value + " " + what + ": give numbers of 1 or more");
    }
  }
}

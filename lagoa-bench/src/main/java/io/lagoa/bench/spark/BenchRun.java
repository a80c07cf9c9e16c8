package io.lagoa.bench.spark;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.DataSize;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.Reference;
import io.lagoa.bench.ReferenceEngine;
import io.lagoa.bench.Suite;
import io.lagoa.bench.duckdb.DuckDbEngine;
import io.lagoa.spark.planning.DuckDbReads;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.SparkSession;

/**
 * One suite against the benchmark's tables in one Spark session: checks the tables exist, binds the
 * queries to them, and measures every query with a {@link QueryRunner}.
 */
public final class BenchRun {
  /**
   * What to run.
   *
   * @param vendas the vendas table to query, when not {@code namespace.vendas} (a matrix layout)
   */
  public record Request(
      Suite suite,
      String namespace,
      List<BenchQuery> queries,
      int warmup,
      int runs,
      String vendas) {
    public Request {
      queries = List.copyOf(queries);
    }

    public String vendasTable() {
      return vendas == null ? namespace + "." + SalesGenerator.VENDAS : vendas;
    }

    public String estoqueTable() {
      return namespace + "." + SalesGenerator.ESTOQUE;
    }
  }

  private final SparkSession spark;
  private final Catalog catalog;
  private final Request request;

  public BenchRun(SparkSession spark, Catalog catalog, Request request) {
    this.spark = spark;
    this.catalog = catalog;
    this.request = request;
  }

  public Request request() {
    return request;
  }

  /** Fails naming the missing table and the suite to generate into which namespace. */
  public void checkTables() {
    Suite suite = request.suite();
    String namespace = request.namespace();
    if (suite == Suite.SALES) {
      BenchTables.require(catalog, request.vendasTable(), suite, namespace);
      BenchTables.require(catalog, request.estoqueTable(), suite, namespace);
    } else {
      for (String table : TpchGenerator.tableNames()) {
        BenchTables.require(catalog, namespace + "." + table, suite, namespace);
      }
    }
  }

  /** The queries with their placeholders bound to this request's tables. */
  public List<BenchQuery> boundQueries() {
    Map<String, String> variables = new LinkedHashMap<>();
    List<BenchQuery> bound = new ArrayList<>();
    if (request.suite() == Suite.SALES) {
      Table vendas =
          BenchTables.require(catalog, request.vendasTable(), request.suite(), request.namespace());
      variables.put("vendas", request.vendasTable());
      variables.put("estoque", request.estoqueTable());
      variables.put("needle_id", Long.toString(SalesGenerator.needleId(BenchTables.rows(vendas))));
      for (BenchQuery query : request.queries()) {
        bound.add(query.bind(variables));
      }
    } else {
      for (BenchQuery query : request.queries()) {
        List<String> setup = new ArrayList<>();
        setup.add("USE " + request.namespace());
        setup.addAll(query.setup());
        bound.add(query.withSetup(setup));
      }
    }
    return bound;
  }

  /** The tables a request's queries read: vendas and estoque, or TPC-H's eight. */
  public static List<String> tables(Request request) {
    if (request.suite() == Suite.SALES) {
      return List.of(request.vendasTable(), request.estoqueTable());
    }
    return TpchGenerator.tableNames().stream().map(t -> request.namespace() + "." + t).toList();
  }

  /**
   * Runs the suite on Lagoa and DuckDB in turn ({@link ComparedRunner}): Lagoa's configuration and
   * DuckDB's times, ratios and answer checks.
   */
  public Compared runCompared(
      String name,
      Map<String, String> settings,
      DuckDbEngine duckDb,
      Map<String, String> duckDbSettings,
      ComparedRunner.Listener listener) {
    checkTables();
    ComparedRunner.Result result =
        new ComparedRunner(new QueryRunner(spark, request.warmup(), request.runs()), duckDb)
            .run(boundQueries(), listener);
    return new Compared(
        new Configuration(name, settings, result.lagoa()),
        new Reference(ReferenceEngine.DUCKDB.label(), duckDbSettings, result.duckDb()));
  }

  /** A suite run on Lagoa and on a reference engine. */
  public record Compared(Configuration lagoa, Reference reference) {}

  public Configuration run(
      String name, Map<String, String> settings, QueryRunner.Listener listener) {
    checkTables();
    List<QueryRun> runs =
        new QueryRunner(spark, request.warmup(), request.runs()).run(boundQueries(), listener);
    return new Configuration(name, settings, runs);
  }

  /** The settings this session runs with: cores, memory, shuffle partitions (and layout). */
  public Map<String, String> sessionSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.master", spark.conf().get("spark.master"));
    settings.put("memory", DataSize.format(Runtime.getRuntime().maxMemory()));
    settings.put("shuffle_partitions", spark.conf().get("spark.sql.shuffle.partitions"));
    settings.put("duckdb_reads", spark.conf().get(DuckDbReads.ENABLED, "true"));
    if (request.suite() == Suite.SALES) {
      BenchTables.load(catalog, request.vendasTable())
          .ifPresent(
              table ->
                  settings.put(
                      "layout", table.properties().getOrDefault("lagoa.bench.layout", "?")));
    }
    return settings;
  }

  /** What the dataset is: its tables' rows, files and bytes, seed or scale factor. */
  public Map<String, String> dataset() {
    Map<String, String> dataset = new LinkedHashMap<>();
    dataset.put("namespace", request.namespace());
    if (request.suite() == Suite.SALES) {
      BenchTables.load(catalog, request.vendasTable())
          .ifPresent(
              table -> {
                dataset.put("seed", table.properties().getOrDefault("lagoa.bench.seed", "?"));
                dataset.put("layout", table.properties().getOrDefault("lagoa.bench.layout", "?"));
                BenchTables.describe(table)
                    .forEach((key, value) -> dataset.put("vendas." + key, value));
                dataset.put("vendas.size", DataSize.format(BenchTables.bytes(table)));
              });
      BenchTables.load(catalog, request.estoqueTable())
          .ifPresent(table -> dataset.put("estoque.rows", Long.toString(BenchTables.rows(table))));
    } else {
      long rows = 0;
      long bytes = 0;
      String scale = "?";
      for (String name : TpchGenerator.tableNames()) {
        Table table =
            BenchTables.require(
                catalog, request.namespace() + "." + name, request.suite(), request.namespace());
        rows += BenchTables.rows(table);
        bytes += BenchTables.bytes(table);
        scale = table.properties().getOrDefault("lagoa.bench.scale-factor", scale);
        dataset.put(name + ".rows", Long.toString(BenchTables.rows(table)));
      }
      dataset.put("scale_factor", scale);
      dataset.put("rows", Long.toString(rows));
      dataset.put("size", DataSize.format(bytes));
    }
    return dataset;
  }

  /** Machine and software the run had, and how busy the machine was. */
  public static Map<String, String> environment(SparkSession spark) {
    Map<String, String> environment = new LinkedHashMap<>();
    String version = BenchRun.class.getPackage().getImplementationVersion();
    environment.put("lagoa", version == null ? "development build" : version);
    environment.put("spark", spark.version());
    environment.put("iceberg", org.apache.iceberg.IcebergBuild.version());
    environment.put(
        "java",
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    // A busy machine slows every query: the 1-minute load average when the run started.
    environment.put("load_average_start", loadAverage());
    return environment;
  }

  /** The 1-minute load average, to tell a quiet machine from a busy one. */
  public static String loadAverage() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
  }
}

package io.lagoa.bench.spark;

import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.Statistics;
import io.lagoa.bench.catalog.CatalogBench;
import io.lagoa.bench.clustering.ClusteringBenchOptions;
import io.lagoa.bench.clustering.ClusteringBenchResults;
import io.lagoa.bench.clustering.ClusteringBenchResults.Compaction;
import io.lagoa.bench.clustering.ClusteringBenchResults.Measurement;
import io.lagoa.bench.clustering.ClusteringBenchResults.Stage;
import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.MaintenanceAction;
import io.lagoa.maintenance.MaintenanceProperties;
import io.lagoa.maintenance.MaintenanceResult;
import io.lagoa.maintenance.TableMetricsCollector;
import io.lagoa.service.Lakehouse;
import io.lagoa.service.MaintenanceService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code lagoa bench clustering}: the data skipping that {@code lagoa.maintenance.cluster-by} buys.
 * Two tables get the same rows in many small appends, in random order of the two columns {@code a}
 * and {@code b} (1,000 values each), so every file holds every value. One declares {@code
 * cluster-by = a, b}. Selective filters on {@code a}, on {@code b} and on both are timed, with the
 * files their scans read and skipped, before and after one maintenance pass of each table: the one
 * z-orders, the other bin-packs. Both compact into files of 1MB so there are files to skip.
 */
public final class ClusteringBench {
  static final String BENCH_VALUE = "clustering";
  private static final int RUNS = 3;

  private final Lakehouse lakehouse;
  private final SparkSession spark;

  public ClusteringBench(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
    this.spark = lakehouse.session();
  }

  /**
   * @throws IllegalArgumentException when one of its tables exists and was not made by the bench
   */
  public ClusteringBenchResults run(
      ClusteringBenchOptions options, MaintenanceBenchListener listener) {
    Instant startedAt = Instant.now();
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    environment.put("load_average_start", CatalogBench.loadAverage());
    environment.put("spark", spark.version());
    environment.put("iceberg", IcebergBuild.version());

    List<String> tables = List.of(options.zordered(), options.binpacked());
    createTables(options, tables);
    String loading =
        String.format(
            java.util.Locale.ROOT,
            "appending %,d rows to each table in %d commits",
            options.rows(),
            options.commits());
    listener.stepStarted(loading);
    long loadStart = System.nanoTime();
    long perCommit = options.rows() / options.commits();
    for (int commit = 0; commit < options.commits(); commit++) {
      long first = commit * perCommit;
      long last = commit == options.commits() - 1 ? options.rows() : first + perCommit;
      Dataset<Row> rows =
          spark
              .range(first, last, 1, 1)
              .selectExpr(
                  "id",
                  "CAST(pmod(hash(id, 11), 1000) AS INT) AS a",
                  "CAST(pmod(hash(id, 13), 1000) AS INT) AS b",
                  "CAST(pmod(hash(id, 17), 100000) AS DOUBLE) / 100 AS v");
      for (String table : tables) {
        try {
          rows.writeTo(table).append();
        } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
          throw new IllegalStateException("Cannot append to " + table + ": it is gone", e);
        }
      }
    }
    listener.stepFinished(loading, System.nanoTime() - loadStart);

    List<Measurement> measurements = new ArrayList<>();
    Set<List<String>> answers = new HashSet<>();
    Map<String, String> layouts = new LinkedHashMap<>();
    for (String table : tables) {
      layouts.put(table, "as written, " + options.commits() + " appends");
    }
    measure(tables, layouts, Stage.BEFORE, measurements, answers, listener);

    MaintenanceService service = new MaintenanceService(lakehouse);
    List<Compaction> compactions = new ArrayList<>();
    for (String table : tables) {
      String compacting = "maintaining " + table;
      listener.stepStarted(compacting);
      long start = System.nanoTime();
      MaintenanceResult result =
          service.maintain(List.of(TableIdentifier.parse(table)), false, line -> {}).get(0);
      long nanos = System.nanoTime() - start;
      listener.stepFinished(compacting, nanos);
      if (result.error().isPresent()) {
        throw new IllegalStateException(
            "Cannot run the clustering bench: maintaining " + table + " failed: " + result.error());
      }
      String done = "no compaction";
      for (ActionOutcome outcome : result.outcomes()) {
        if (outcome.planned().action() == MaintenanceAction.COMPACT_DATA) {
          if (outcome.error().isPresent()) {
            throw new IllegalStateException(
                "Cannot run the clustering bench: compacting "
                    + table
                    + " failed: "
                    + outcome.error().get());
          }
          done = outcome.result();
          layouts.put(
              table,
              switch (outcome.planned().strategy()) {
                case ZORDER -> "z-ordered by " + String.join(", ", outcome.planned().columns());
                case SORT -> "sorted";
                case BIN_PACK -> "bin-packed";
              });
        }
      }
      compactions.add(new Compaction(table, done, nanos));
    }
    measure(tables, layouts, Stage.AFTER, measurements, answers, listener);
    environment.put("load_average_end", CatalogBench.loadAverage());
    return new ClusteringBenchResults(
        startedAt, environment, options, measurements, compactions, answers.size() == 3);
  }

  private void createTables(ClusteringBenchOptions options, List<String> tables) {
    Catalog catalog = lakehouse.catalog();
    for (String name : tables) {
      TableIdentifier id = TableIdentifier.parse(name);
      if (catalog.tableExists(id)
          && !BENCH_VALUE.equals(
              catalog.loadTable(id).properties().get(MaintenanceBench.BENCH_PROPERTY))) {
        throw new IllegalArgumentException(
            "Cannot run the clustering bench: "
                + name
                + " already exists and was not made by lagoa bench (no "
                + MaintenanceBench.BENCH_PROPERTY
                + "="
                + BENCH_VALUE
                + " property); nothing was changed");
      }
    }
    for (String name : tables) {
      spark.sql("DROP TABLE IF EXISTS " + name + " PURGE");
    }
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + options.namespace());
    for (String name : tables) {
      // files of 1MB after compaction, so that there are files to skip at a small size
      String properties =
          "'"
              + MaintenanceBench.BENCH_PROPERTY
              + "' = '"
              + BENCH_VALUE
              + "', '"
              + MaintenanceProperties.TARGET_FILE_SIZE.key()
              + "' = '1MB', '"
              + MaintenanceProperties.SMALL_FILE_SIZE.key()
              + "' = '900KB', '"
              + MaintenanceProperties.COMPACT_MIN_SMALL_FILES.key()
              + "' = '2'"
              + (name.equals(options.zordered())
                  ? ", '" + MaintenanceProperties.CLUSTER_BY.key() + "' = 'a, b'"
                  : "");
      spark.sql(
          "CREATE TABLE "
              + name
              + " (id BIGINT, a INT, b INT, v DOUBLE) USING iceberg TBLPROPERTIES ("
              + properties
              + ")");
    }
  }

  /** Each query on each table, interleaved, the median of three runs. */
  private void measure(
      List<String> tables,
      Map<String, String> layouts,
      Stage stage,
      List<Measurement> measurements,
      Set<List<String>> answers,
      MaintenanceBenchListener listener) {
    String step = "queries " + stage.label();
    listener.stepStarted(step);
    long start = System.nanoTime();
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("a = 17", "SELECT count(*), round(sum(v), 2) FROM %s WHERE a = 17");
    queries.put("b = 17", "SELECT count(*), round(sum(v), 2) FROM %s WHERE b = 17");
    queries.put(
        "a, b in 5% ranges",
        "SELECT count(*), round(sum(v), 2) FROM %s WHERE a BETWEEN 100 AND 149"
            + " AND b BETWEEN 600 AND 649");
    Map<String, Long> files = new LinkedHashMap<>();
    for (String table : tables) {
      files.put(
          table,
          new TableMetricsCollector(Clock.systemUTC())
              .collect(table, lakehouse.catalog().loadTable(TableIdentifier.parse(table)))
              .dataFiles());
    }
    for (Map.Entry<String, String> query : queries.entrySet()) {
      Map<String, List<Double>> millis = new LinkedHashMap<>();
      Map<String, QueryMetrics> metrics = new LinkedHashMap<>();
      for (int run = 0; run < RUNS; run++) {
        for (String table : tables) {
          long started = System.nanoTime();
          Dataset<Row> frame = spark.sql(String.format(query.getValue(), table));
          List<Row> rows = frame.collectAsList();
          millis
              .computeIfAbsent(table, t -> new ArrayList<>())
              .add((System.nanoTime() - started) / 1e6);
          metrics.put(table, PlanMetrics.of(frame.queryExecution().executedPlan(), rows.size()));
          answers.add(List.of(query.getKey(), rows.toString()));
        }
      }
      for (String table : tables) {
        QueryMetrics scan = metrics.get(table);
        measurements.add(
            new Measurement(
                table,
                layouts.get(table),
                stage,
                files.get(table),
                query.getKey(),
                scan.filesRead(),
                scan.filesSkipped(),
                scan.bytesRead(),
                Statistics.median(millis.get(table))));
      }
    }
    listener.stepFinished(step, System.nanoTime() - start);
  }
}

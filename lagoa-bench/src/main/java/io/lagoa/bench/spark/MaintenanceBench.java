package io.lagoa.bench.spark;

import io.lagoa.bench.catalog.CatalogBench;
import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.bench.maintenance.MaintenanceBenchOptions;
import io.lagoa.bench.maintenance.MaintenanceBenchResults;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Kind;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Pass;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.QueryTime;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Sample;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.TableFigures;
import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.MaintenanceProperties;
import io.lagoa.maintenance.MaintenanceResult;
import io.lagoa.maintenance.TableMetrics;
import io.lagoa.maintenance.TableMetricsCollector;
import io.lagoa.service.Lakehouse;
import io.lagoa.service.MaintenanceService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code lagoa bench maintenance}: two streaming tables fed the same commits side by side in one
 * process, one left alone and one kept by a {@link MaintenanceService} pass every so often, sampled
 * every so often against a freshly compacted copy of the same data.
 *
 * <p>The feed appends {@code rowsPerCommit} rows to each table per commit, one data file each, as a
 * streaming pipeline does. Maintenance runs on its own thread beside the feed, as it would in
 * production. A sample pauses the feed and waits for a running pass, then reads each table's
 * figures from its metadata, copies the unmaintained table and compacts the copy (the reference of
 * the aim), and times the bench queries on the three tables interleaved (each the median of three
 * runs), so that a machine busy with something else slows the three alike.
 */
public final class MaintenanceBench {
  public static final String BENCH_PROPERTY = "lagoa.bench";
  static final String BENCH_VALUE = "maintenance";
  private static final int RUNS = 3;
  private static final String[] CATEGORIES = {
    "books", "games", "garden", "kitchen", "music", "office", "sports", "toys"
  };

  private final Lakehouse lakehouse;
  private final SparkSession spark;

  public MaintenanceBench(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
    this.spark = lakehouse.session();
  }

  /**
   * Runs the bench: replaces its tables, feeds and maintains them for the duration, sampling.
   *
   * @throws IllegalArgumentException when one of its tables exists and was not made by the bench
   */
  public MaintenanceBenchResults run(
      MaintenanceBenchOptions options, MaintenanceBenchListener listener) {
    Instant startedAt = Instant.now();
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    environment.put("load_average_start", CatalogBench.loadAverage());
    environment.put("java", System.getProperty("java.version"));
    environment.put("spark", spark.version());
    environment.put("iceberg", IcebergBuild.version());
    environment.put("spark_master", spark.sparkContext().master());
    environment.put("max_heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");

    createTables(options);
    MaintenanceService service = new MaintenanceService(lakehouse);
    TableIdentifier maintained = TableIdentifier.parse(options.maintained());
    ReentrantLock quiet = new ReentrantLock(); // held by a pass and by a sample
    List<Pass> passes = Collections.synchronizedList(new ArrayList<>());
    List<Sample> samples = new ArrayList<>();
    // a first commit before the clock starts: the first Spark write of a process is slow (code
    // loading, JIT), and it is no part of what a long-running stream pays per commit
    commit(options, 0);
    long start = System.nanoTime();
    long maintainNanos = options.maintainEvery().toNanos();
    ScheduledExecutorService maintainer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "lagoa-bench-maintenance");
              thread.setDaemon(true);
              return thread;
            });
    long commits = 1;
    try {
      maintainer.scheduleAtFixedRate(
          () -> {
            Pass pass = pass(service, maintained, quiet, passes.size() + 1, start);
            passes.add(pass);
            listener.passFinished(pass);
          },
          maintainNanos,
          maintainNanos,
          TimeUnit.NANOSECONDS);

      long end = start + options.duration().toNanos();
      long every = options.commitEvery().toNanos();
      long sampleEvery = options.sampleEvery().toNanos();
      long nextCommit = start;
      long nextSample = start + sampleEvery;
      while (true) {
        long now = System.nanoTime();
        if (now >= end) {
          break;
        }
        if (now >= nextSample) {
          quiet.lock();
          try {
            Sample sample = sample(options, samples.size() + 1, start, commits, listener);
            samples.add(sample);
            listener.sampleFinished(sample);
          } finally {
            quiet.unlock();
          }
          // a sample longer than the interval must not starve the feed
          nextSample = Math.max(nextSample + sampleEvery, System.nanoTime() + sampleEvery);
          continue;
        }
        if (now < nextCommit) {
          sleep(Math.min(Math.min(nextCommit, nextSample), end) - now);
          continue;
        }
        commit(options, commits);
        commits++;
        listener.committed(commits, System.nanoTime() - start);
        nextCommit = Math.max(nextCommit + every, System.nanoTime());
      }
    } finally {
      maintainer.shutdown();
      try {
        // a pass that has started ends; no other starts
        maintainer.awaitTermination(1, TimeUnit.HOURS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long feedNanos = System.nanoTime() - start;
    Sample last = sample(options, samples.size() + 1, start, commits, listener);
    samples.add(last);
    listener.sampleFinished(last);
    environment.put("load_average_end", CatalogBench.loadAverage());
    return new MaintenanceBenchResults(
        startedAt, environment, options, commits, feedNanos, samples, List.copyOf(passes));
  }

  private void createTables(MaintenanceBenchOptions options) {
    Catalog catalog = lakehouse.catalog();
    List<String> tables =
        List.of(options.unmaintained(), options.maintained(), options.compacted());
    for (String name : tables) {
      TableIdentifier id = TableIdentifier.parse(name);
      if (catalog.tableExists(id)
          && !BENCH_VALUE.equals(catalog.loadTable(id).properties().get(BENCH_PROPERTY))) {
        throw new IllegalArgumentException(
            "Cannot run the maintenance bench: "
                + name
                + " already exists and was not made by lagoa bench (no "
                + BENCH_PROPERTY
                + "="
                + BENCH_VALUE
                + " property); nothing was changed");
      }
    }
    for (String name : tables) {
      spark.sql("DROP TABLE IF EXISTS " + name + " PURGE");
    }
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + options.namespace());
    String columns =
        " (id BIGINT NOT NULL, customer_id BIGINT, category STRING, amount DECIMAL(12,2),"
            + " quantity INT, note STRING, event_time TIMESTAMP) USING iceberg TBLPROPERTIES ('"
            + BENCH_PROPERTY
            + "' = '"
            + BENCH_VALUE
            + "', ";
    spark.sql(
        "CREATE TABLE "
            + options.unmaintained()
            + columns
            + "'"
            + MaintenanceProperties.ENABLED.key()
            + "' = 'false')");
    spark.sql(
        "CREATE TABLE "
            + options.maintained()
            + columns
            + "'"
            + MaintenanceProperties.SNAPSHOT_RETENTION.key()
            + "' = '"
            + options.snapshotRetention().toSeconds()
            + "s')");
  }

  /** The same rows appended to both tables, one data file each: a streaming commit. */
  private void commit(MaintenanceBenchOptions options, long number) {
    long first = number * options.rowsPerCommit();
    long last = first + options.rowsPerCommit();
    long epochSecond = Instant.now().getEpochSecond();
    StringBuilder categories = new StringBuilder("array(");
    for (int i = 0; i < CATEGORIES.length; i++) {
      categories.append(i == 0 ? "'" : ", '").append(CATEGORIES[i]).append("'");
    }
    categories.append(")");
    Dataset<Row> rows =
        spark
            .range(first, last, 1, 1)
            .selectExpr(
                "id",
                "id * 7919 % 100003 AS customer_id",
                "element_at(" + categories + ", CAST(pmod(hash(id), 8) AS INT) + 1) AS category",
                "CAST(pmod(hash(id, 1), 1000000) / 100.0 AS DECIMAL(12,2)) AS amount",
                "CAST(pmod(hash(id, 2), 20) AS INT) AS quantity",
                "substr(sha2(CAST(id AS STRING), 256), 1, 24) AS note",
                "timestamp_seconds(" + epochSecond + "L) AS event_time");
    append(rows, options.unmaintained());
    append(rows, options.maintained());
  }

  private static void append(Dataset<Row> rows, String table) {
    try {
      rows.writeTo(table).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("Cannot append to " + table + ": it is gone", e);
    }
  }

  /** One maintenance pass of the maintained table, as {@code lagoa maintain} runs it. */
  private static Pass pass(
      MaintenanceService service,
      TableIdentifier table,
      ReentrantLock quiet,
      int number,
      long benchStart) {
    quiet.lock();
    long started = System.nanoTime();
    try {
      List<MaintenanceResult> results = service.maintain(List.of(table), false, line -> {});
      List<String> actions = new ArrayList<>();
      Optional<String> error = Optional.empty();
      for (MaintenanceResult result : results) {
        if (result.error().isPresent()) {
          error = result.error();
        }
        for (ActionOutcome outcome : result.outcomes()) {
          actions.add(
              outcome.planned().action().label()
                  + " ("
                  + outcome.took().toMillis()
                  + " ms): "
                  + outcome.error().map(why -> "FAILED " + why).orElse(outcome.result()));
          if (outcome.error().isPresent() && error.isEmpty()) {
            error = outcome.error();
          }
        }
      }
      return new Pass(number, started - benchStart, System.nanoTime() - started, actions, error);
    } catch (RuntimeException e) {
      return new Pass(
          number,
          started - benchStart,
          System.nanoTime() - started,
          List.of(),
          Optional.of(String.valueOf(e.getMessage())));
    } finally {
      quiet.unlock();
    }
  }

  private Sample sample(
      MaintenanceBenchOptions options,
      int number,
      long benchStart,
      long commits,
      MaintenanceBenchListener listener) {
    long elapsed = System.nanoTime() - benchStart;
    String copying = "sample " + number + ": a compacted copy of the data";
    listener.stepStarted(copying);
    long copyStart = System.nanoTime();
    spark.sql("DROP TABLE IF EXISTS " + options.compacted() + " PURGE");
    spark.sql(
        "CREATE TABLE "
            + options.compacted()
            + " USING iceberg TBLPROPERTIES ('"
            + BENCH_PROPERTY
            + "' = '"
            + BENCH_VALUE
            + "', '"
            + MaintenanceProperties.ENABLED.key()
            + "' = 'false') AS SELECT * FROM "
            + options.unmaintained());
    spark
        .sql(
            "CALL lagoa.system.rewrite_data_files(table => '"
                + options.compacted()
                + "', options => map('rewrite-all', 'true'))")
        .collectAsList();
    long copyNanos = System.nanoTime() - copyStart;
    listener.stepFinished(copying, copyNanos);

    String querying = "sample " + number + ": bench queries on the three tables";
    listener.stepStarted(querying);
    long queryStart = System.nanoTime();
    long lookupId = commits * options.rowsPerCommit() / 2;
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("count", "SELECT count(*) FROM %s");
    queries.put(
        "filtered aggregation",
        "SELECT category, count(*), sum(amount), avg(quantity) FROM %s WHERE quantity >= 10"
            + " GROUP BY category ORDER BY category");
    queries.put(
        "point lookup",
        "SELECT id, customer_id, category, amount, quantity, note FROM %s WHERE id = " + lookupId);
    Map<Kind, String> tables = new LinkedHashMap<>();
    tables.put(Kind.UNMAINTAINED, options.unmaintained());
    tables.put(Kind.MAINTAINED, options.maintained());
    tables.put(Kind.COMPACTED, options.compacted());
    Map<Kind, List<QueryTime>> times = new LinkedHashMap<>();
    tables.keySet().forEach(kind -> times.put(kind, new ArrayList<>()));
    Map<Kind, Long> counts = new LinkedHashMap<>();
    boolean match = true;
    for (Map.Entry<String, String> query : queries.entrySet()) {
      Map<Kind, List<Double>> millis = new LinkedHashMap<>();
      Map<Kind, Long> files = new LinkedHashMap<>();
      Map<Kind, List<String>> answers = new LinkedHashMap<>();
      for (int run = 0; run < RUNS; run++) {
        // interleaved, so that a busy moment of the machine slows the three tables alike
        for (Map.Entry<Kind, String> table : tables.entrySet()) {
          long started = System.nanoTime();
          Dataset<Row> frame = spark.sql(String.format(query.getValue(), table.getValue()));
          List<Row> rows = frame.collectAsList();
          double took = (System.nanoTime() - started) / 1e6;
          millis.computeIfAbsent(table.getKey(), kind -> new ArrayList<>()).add(took);
          files.put(
              table.getKey(),
              PlanMetrics.of(frame.queryExecution().executedPlan(), rows.size()).filesRead());
          answers.put(table.getKey(), rows.stream().map(Row::toString).toList());
          if (query.getKey().equals("count")) {
            counts.put(table.getKey(), rows.get(0).getLong(0));
          }
        }
      }
      match &= answers.values().stream().distinct().count() == 1;
      for (Kind kind : tables.keySet()) {
        times
            .get(kind)
            .add(
                new QueryTime(
                    query.getKey(),
                    io.lagoa.bench.Statistics.median(millis.get(kind)),
                    files.get(kind)));
      }
    }
    listener.stepFinished(querying, System.nanoTime() - queryStart);

    List<TableFigures> figures = new ArrayList<>();
    for (Map.Entry<Kind, String> table : tables.entrySet()) {
      figures.add(figures(table.getKey(), table.getValue(), counts.get(table.getKey()), times));
    }
    return new Sample(number, elapsed, commits, figures, match, copyNanos);
  }

  private TableFigures figures(
      Kind kind, String name, long rows, Map<Kind, List<QueryTime>> times) {
    Table table = lakehouse.catalog().loadTable(TableIdentifier.parse(name));
    TableMetrics metrics = new TableMetricsCollector(Clock.systemUTC()).collect(name, table);
    long planning = metrics.metadataBytes();
    Snapshot current = table.currentSnapshot();
    if (current != null) {
      planning += table.io().newInputFile(current.manifestListLocation()).getLength();
      for (ManifestFile manifest : current.allManifests(table.io())) {
        planning += manifest.length();
      }
    }
    Optional<Long> storage = Optional.empty();
    if (table.io() instanceof SupportsPrefixOperations listing) {
      long total = 0;
      for (FileInfo file : listing.listPrefix(table.location() + "/metadata/")) {
        total += file.size();
      }
      storage = Optional.of(total);
    }
    return new TableFigures(
        kind,
        rows,
        metrics.dataFiles(),
        metrics.dataBytes(),
        metrics.deleteFiles(),
        metrics.dataManifests() + metrics.deleteManifests(),
        metrics.snapshots(),
        planning,
        storage,
        List.copyOf(times.get(kind)));
  }

  private static void sleep(long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot run the maintenance bench: interrupted", e);
    }
  }
}

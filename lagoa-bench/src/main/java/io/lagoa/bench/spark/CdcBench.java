package io.lagoa.bench.spark;

import io.lagoa.bench.catalog.CatalogBench;
import io.lagoa.bench.cdc.CdcBenchListener;
import io.lagoa.bench.cdc.CdcBenchOptions;
import io.lagoa.bench.cdc.CdcBenchResults;
import io.lagoa.bench.cdc.CdcVerification;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.spark.pipeline.CompiledPipeline;
import io.lagoa.spark.pipeline.FlowResult;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.PipelineRunner;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code lagoa bench cdc}: how many changes per second an AUTO CDC flow applies to an Iceberg
 * table.
 *
 * <p>It writes a bronze change table of {@code rows} inserts ({@code <namespace>_bronze.changes}: a
 * key, seven typed attributes of about 100 bytes, {@code op} and {@code seq}) and a pipeline folder
 * with one AUTO CDC flow into {@code <namespace>.t}, runs it once to build the target, then appends
 * each batch of updates, deletes and new keys to bronze and runs the pipeline again in-process
 * through {@link PipelineRunner}, timing each run. Every value is a hash of the key, the batch and
 * the seed, so the same options give the same changes. With {@code reference}, the same batch is
 * then applied by a plain Spark {@code MERGE INTO} to a copy of the target, with no ordering state:
 * what a hand-written merge costs.
 */
public final class CdcBench {
  public static final String PIPELINE = "lagoa_bench_cdc";
  public static final String TARGET = "t";
  public static final String REFERENCE = "t_reference";
  public static final String STATE = "t_cdc_state";
  public static final String BRONZE = "changes";
  public static final String BENCH_PROPERTY = "lagoa.bench";

  /** The columns the target holds, in order: the bronze table's without {@code op, seq}. */
  static final List<String> DATA_COLUMNS =
      List.of("id", "name", "email", "city", "amount", "quantity", "score", "updated_at");

  private static final String[] CITIES = {
    "Lisboa", "Porto", "São Paulo", "Recife", "Belo Horizonte", "Curitiba", "Salvador", "Fortaleza"
  };

  /** The sequence values of a batch start at {@code batch << SEQUENCE_SHIFT}, plus the key. */
  private static final int SEQUENCE_SHIFT = 40;

  private final SparkSession spark;
  private final Path folder;

  /**
   * @param spark the session the bench runs in (the pipeline runs clone it, as every run does)
   * @param folder where the bench writes its pipeline folder; made if missing
   */
  public CdcBench(SparkSession spark, Path folder) {
    this.spark = spark;
    this.folder = folder;
  }

  /**
   * Runs the bench: drops and rebuilds its tables, then measures.
   *
   * @throws IllegalArgumentException when one of its tables exists and was not made by the bench
   */
  public CdcBenchResults run(CdcBenchOptions options, CdcBenchListener listener) {
    Instant startedAt = Instant.now();
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    environment.put("load_average_start", CatalogBench.loadAverage());
    environment.put("java", System.getProperty("java.version"));
    environment.put("spark", spark.version());
    environment.put("iceberg", IcebergBuild.version());
    environment.put("spark_master", spark.sparkContext().master());
    environment.put("max_heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");

    Names names = new Names(options);
    checkOwnership(names);
    dropTables(names);
    Path pipeline = writePipeline(options, names);

    // setup: bronze with the initial inserts, then the first run builds the target
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + options.bronzeNamespace());
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + options.namespace());
    spark.sql(
        "CREATE TABLE "
            + names.bronze
            + " (id BIGINT NOT NULL, name STRING, email STRING, city STRING, amount DECIMAL(12,2),"
            + " quantity INT, score DOUBLE, updated_at TIMESTAMP, op STRING, seq BIGINT) USING"
            + " iceberg TBLPROPERTIES ('"
            + BENCH_PROPERTY
            + "' = 'true')");
    String inserting = String.format(Locale.ROOT, "writing %,d inserts to bronze", options.rows());
    long bronzeNanos =
        timed(
            listener,
            inserting,
            () -> {
              append(names, initialRows(options));
              return null;
            });
    PipelineRunner runner = new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC());
    long initialNanos =
        timed(
            listener,
            "building " + names.target + " (the first pipeline run)",
            () -> {
              runPipeline(runner, pipeline);
              return null;
            });
    long targetRows = count(names.target);
    OptionalLong referenceNanos = OptionalLong.empty();
    boolean reference = options.reference() && options.scdType() == 1;
    if (reference) {
      referenceNanos =
          OptionalLong.of(
              timed(
                  listener,
                  "copying " + names.target + " to " + names.reference,
                  () -> {
                    spark.sql(
                        "CREATE TABLE "
                            + names.reference
                            + " USING iceberg TBLPROPERTIES ("
                            + properties(options)
                            + ") AS SELECT "
                            + String.join(", ", DATA_COLUMNS)
                            + " FROM "
                            + names.target);
                    return null;
                  }));
    }
    CdcBenchResults.Setup setup =
        new CdcBenchResults.Setup(
            options.rows(), bronzeNanos, initialNanos, targetRows, referenceNanos);
    listener.setupFinished(setup);

    List<CdcBenchResults.Batch> batches = new ArrayList<>();
    List<CdcBenchResults.Read> reads = new ArrayList<>();
    long nextId = options.rows();
    long inserts = Math.round(options.rows() * options.insertFraction());
    for (int number = 1; number <= options.batches(); number++) {
      listener.batchStarted(number, options.batches());
      long appendStart = System.nanoTime();
      append(names, batchRows(options, number, nextId, inserts));
      long appendNanos = System.nanoTime() - appendStart;
      nextId += inserts;
      // the batch's rows: its sequence range, which the files' statistics narrow to its own files
      String batchQuery =
          "SELECT * FROM "
              + names.bronze
              + " WHERE seq >= "
              + ((long) number << SEQUENCE_SHIFT)
              + "L AND seq < "
              + ((long) (number + 1) << SEQUENCE_SHIFT)
              + "L";
      Dataset<Row> batch = spark.sql(batchQuery);
      Map<String, Long> byOp = new LinkedHashMap<>();
      for (Row row : batch.groupBy("op").count().collectAsList()) {
        byOp.put(row.getString(0), row.getLong(1));
      }
      long updates = byOp.getOrDefault("u", 0L);
      long deletes = byOp.getOrDefault("d", 0L);
      long created = byOp.getOrDefault("c", 0L);

      long start = System.nanoTime();
      RunResult result = runPipeline(runner, pipeline);
      long runNanos = System.nanoTime() - start;
      long applied = result.flows().stream().mapToLong(FlowResult::rowsWritten).sum();

      OptionalLong mergeNanos = OptionalLong.empty();
      if (reference) {
        // the batch as a subquery: a temporary view of a DataFrame over an Iceberg table fails
        // Iceberg's MERGE planning in Spark 4.1 ("No plan for TableReference")
        long mergeStart = System.nanoTime();
        spark.sql(referenceMerge(names, "(" + batchQuery + ")"));
        mergeNanos = OptionalLong.of(System.nanoTime() - mergeStart);
      }
      long[] files = files(names.target);
      CdcBenchResults.Batch measured =
          new CdcBenchResults.Batch(
              number,
              updates + deletes + created,
              updates,
              deletes,
              created,
              appendNanos,
              runNanos,
              applied,
              mergeNanos,
              files[0],
              files[1]);
      batches.add(measured);
      listener.batchFinished(measured, options.batches());
      if (options.readsAfter(number)) {
        CdcBenchResults.Read read = read(names, number, false);
        reads.add(read);
        listener.readFinished(read);
      }
    }

    OptionalLong compaction = OptionalLong.empty();
    if (options.compact()) {
      compaction =
          OptionalLong.of(
              timed(
                  listener,
                  "compacting " + names.target,
                  () -> {
                    compact(names.target);
                    return null;
                  }));
      CdcBenchResults.Read read = read(names, options.batches(), true);
      reads.add(read);
      listener.readFinished(read);
    }
    environment.put("load_average_end", CatalogBench.loadAverage());
    return new CdcBenchResults(startedAt, environment, options, setup, batches, reads, compaction);
  }

  /**
   * What the target should hold after a run, computed from bronze with no Lagoa code: the latest
   * change of every key by {@code seq}, unless it is a delete; compared row for row with the
   * target's current rows and, when there is one, with the reference copy.
   */
  public CdcVerification verify(CdcBenchOptions options) {
    Names names = new Names(options);
    String columns = String.join(", ", DATA_COLUMNS);
    Dataset<Row> expected =
        spark.sql(
            "SELECT "
                + columns
                + " FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS"
                + " lagoa_rank FROM "
                + names.bronze
                + ") WHERE lagoa_rank = 1 AND op <> 'd'");
    Dataset<Row> target =
        spark.sql(
            "SELECT "
                + columns
                + " FROM "
                + names.target
                + (options.scdType() == 2 ? " WHERE __END_AT IS NULL" : ""));
    long expectedRows = expected.count();
    long targetRows = target.count();
    long missing = expected.exceptAll(target).count();
    long unexpected = target.exceptAll(expected).count();
    OptionalLong referenceDifferences = OptionalLong.empty();
    if (options.reference() && options.scdType() == 1) {
      Dataset<Row> copy = spark.sql("SELECT " + columns + " FROM " + names.reference);
      referenceDifferences =
          OptionalLong.of(expected.exceptAll(copy).count() + copy.exceptAll(expected).count());
    }
    return new CdcVerification(expectedRows, targetRows, missing, unexpected, referenceDifferences);
  }

  // ------------------------------------------------------------------ setup

  private record Names(String bronze, String target, String state, String reference) {
    Names(CdcBenchOptions options) {
      this(
          options.bronzeNamespace() + "." + BRONZE,
          options.namespace() + "." + TARGET,
          options.namespace() + "." + STATE,
          options.namespace() + "." + REFERENCE);
    }
  }

  /** Stops before changing anything when a table the bench would drop is not the bench's. */
  private void checkOwnership(Names names) {
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    for (String name : List.of(names.bronze, names.target, names.reference)) {
      TableIdentifier id = TableIdentifier.parse(name);
      if (catalog.tableExists(id)
          && !"true".equals(catalog.loadTable(id).properties().get(BENCH_PROPERTY))) {
        throw new IllegalArgumentException(
            "Cannot run the CDC bench: "
                + name
                + " already exists and was not made by lagoa bench (no "
                + BENCH_PROPERTY
                + "=true property); nothing was changed");
      }
    }
    TableIdentifier state = TableIdentifier.parse(names.state);
    if (catalog.tableExists(state) && !catalog.tableExists(TableIdentifier.parse(names.target))) {
      throw new IllegalArgumentException(
          "Cannot run the CDC bench: "
              + names.state
              + " exists without "
              + names.target
              + ", so it is not the bench's; nothing was changed");
    }
  }

  private void dropTables(Names names) {
    // the state before its target: a run stopped in between leaves a target, which is the bench's
    for (String name : List.of(names.state, names.target, names.reference, names.bronze)) {
      spark.sql("DROP TABLE IF EXISTS " + name + " PURGE");
    }
  }

  /** The target's write modes and the bench's mark, as a TBLPROPERTIES list. */
  private static String properties(CdcBenchOptions options) {
    String mode = options.writeMode().label();
    return "'write.merge.mode' = '"
        + mode
        + "', 'write.update.mode' = '"
        + mode
        + "', 'write.delete.mode' = '"
        + mode
        + "', '"
        + BENCH_PROPERTY
        + "' = 'true'";
  }

  /** The pipeline SQL of the bench: the target's declaration and its AUTO CDC flow. */
  static String pipelineSql(CdcBenchOptions options) {
    return "CREATE OR REFRESH STREAMING TABLE "
        + TARGET
        + "\nTBLPROPERTIES ("
        + properties(options)
        + ");\n\nCREATE FLOW t_changes AS AUTO CDC INTO "
        + TARGET
        + "\nFROM STREAM("
        + options.bronzeNamespace()
        + "."
        + BRONZE
        + ")\nKEYS (id)\nAPPLY AS DELETE WHEN op = 'd'\nSEQUENCE BY seq\n"
        + "COLUMNS * EXCEPT (op, seq)\nSTORED AS SCD TYPE "
        + options.scdType()
        + ";\n";
  }

  private Path writePipeline(CdcBenchOptions options, Names names) {
    Path dir = folder.resolve(PIPELINE);
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("pipeline.yaml"),
          "name: " + PIPELINE + "\nnamespace: " + options.namespace() + "\n");
      Files.writeString(dir.resolve("t.sql"), pipelineSql(options));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bench's pipeline to " + dir, e);
    }
    return dir;
  }

  // ------------------------------------------------------------------ the changes

  /** A row of key {@code id} as of version {@code version} (0: the insert, b: batch b). */
  private String attributes(long seed, String version) {
    StringBuilder cities = new StringBuilder("array(");
    for (int i = 0; i < CITIES.length; i++) {
      cities.append(i == 0 ? "" : ", ").append('\'').append(CITIES[i]).append('\'');
    }
    cities.append(')');
    String hash = "xxhash64(id, " + version + ", " + seed + "L, %d)";
    return "concat('customer ', id, ' v', "
        + version
        + ") AS name, concat('c', id, '.v', "
        + version
        + ", '@example.com') AS email, element_at("
        + cities
        + ", CAST(pmod("
        + String.format(Locale.ROOT, hash, 1)
        + ", "
        + CITIES.length
        + ") AS INT) + 1) AS city, CAST(pmod("
        + String.format(Locale.ROOT, hash, 2)
        + ", 10000000) / 100 AS DECIMAL(12,2)) AS amount, CAST(pmod("
        + String.format(Locale.ROOT, hash, 3)
        + ", 50) + 1 AS INT) AS quantity, pmod("
        + String.format(Locale.ROOT, hash, 4)
        + ", 100000) / 1000.0D AS score, timestamp_seconds(1767225600L + "
        + version
        + " * 3600L + pmod(id, 3600)) AS updated_at";
  }

  private Dataset<Row> initialRows(CdcBenchOptions options) {
    return spark.sql(
        "SELECT id, "
            + attributes(options.seed(), "0")
            + ", 'c' AS op, id AS seq FROM range(0, "
            + options.rows()
            + ")");
  }

  /**
   * Batch {@code number}: of the keys so far, {@code deleteFraction} deleted and {@code
   * updateFraction} updated (chosen by a hash of the key, the batch and the seed), and {@code
   * inserts} new keys from {@code nextId}. One change per key, with {@code seq} above every earlier
   * batch's.
   */
  private Dataset<Row> batchRows(CdcBenchOptions options, int number, long nextId, long inserts) {
    String version = Integer.toString(number);
    String seq = "(" + number + "L << " + SEQUENCE_SHIFT + ") + id";
    String draw =
        "pmod(xxhash64(id, " + number + ", " + options.seed() + "L, 7), 1000000000) / 1.0E9D";
    String changed =
        "SELECT id, "
            + attributes(options.seed(), version)
            + ", CASE WHEN u < "
            + options.deleteFraction()
            + "D THEN 'd' ELSE 'u' END AS op, "
            + seq
            + " AS seq FROM (SELECT id, "
            + draw
            + " AS u FROM range(0, "
            + nextId
            + ")) WHERE u < "
            + (options.deleteFraction() + options.updateFraction())
            + "D";
    String created =
        "SELECT id, "
            + attributes(options.seed(), version)
            + ", 'c' AS op, "
            + seq
            + " AS seq FROM range("
            + nextId
            + ", "
            + (nextId + inserts)
            + ")";
    return spark.sql(changed + (inserts > 0 ? " UNION ALL " + created : ""));
  }

  private void append(Names names, Dataset<Row> rows) {
    try {
      rows.writeTo(names.bronze).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("Cannot append to " + names.bronze + ": it is gone", e);
    }
  }

  /**
   * The hand-written merge of {@code source} (a query in parentheses): the batch's one change per
   * key, deletes and upserts, no ordering.
   */
  private static String referenceMerge(Names names, String source) {
    List<String> values = DATA_COLUMNS.stream().map(column -> "s." + column).toList();
    StringBuilder set = new StringBuilder();
    for (String column : DATA_COLUMNS.subList(1, DATA_COLUMNS.size())) {
      set.append(set.isEmpty() ? "" : ", ").append(column).append(" = s.").append(column);
    }
    return "MERGE INTO "
        + names.reference
        + " t USING "
        + source
        + " s ON t.id = s.id WHEN MATCHED AND s.op = 'd' THEN DELETE WHEN MATCHED THEN UPDATE SET "
        + set
        + " WHEN NOT MATCHED AND s.op <> 'd' THEN INSERT ("
        + String.join(", ", DATA_COLUMNS)
        + ") VALUES ("
        + String.join(", ", values)
        + ")";
  }

  // ------------------------------------------------------------------ runs and reads

  /** Loads and compiles the pipeline folder, as {@code lagoa pipeline run} does, and runs it. */
  private RunResult runPipeline(PipelineRunner runner, Path pipeline) {
    PipelineSource source = PipelineLoader.load(pipeline, Map.of());
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    CompiledPipeline compiled =
        new io.lagoa.spark.pipeline.SparkPipelineParser()
            .compile(source, name -> catalog.tableExists(TableIdentifier.parse(name)));
    RunResult result = runner.run(compiled, RunOptions.defaults());
    if (result.error().isPresent()) {
      throw new IllegalStateException(
          "Cannot measure the CDC flow: the pipeline run failed: " + result.error().get());
    }
    return result;
  }

  private CdcBenchResults.Read read(Names names, int afterBatch, boolean compacted) {
    long start = System.nanoTime();
    Row row = spark.sql("SELECT count(*), sum(amount) FROM " + names.target).first();
    long nanos = System.nanoTime() - start;
    long[] files = files(names.target);
    return new CdcBenchResults.Read(
        afterBatch, compacted, nanos, row.getLong(0), files[0], files[1]);
  }

  /** Rewrites the data files that have deletes (and small ones), then drops dangling deletes. */
  private void compact(String table) {
    String quoted = "'" + table + "'";
    spark.sql(
        "CALL lagoa.system.rewrite_data_files(table => "
            + quoted
            + ", options => map('delete-file-threshold', '1', 'min-input-files', '1'))");
    spark.sql(
        "CALL lagoa.system.rewrite_position_delete_files(table => "
            + quoted
            + ", options => map('rewrite-all', 'true'))");
  }

  private long count(String table) {
    return spark.sql("SELECT count(*) FROM " + table).first().getLong(0);
  }

  private Table table(String name) {
    return PipelineRunner.icebergCatalog(spark).loadTable(TableIdentifier.parse(name));
  }

  /** The table's data files and delete files, from its current snapshot's summary. */
  private long[] files(String name) {
    Snapshot snapshot = table(name).currentSnapshot();
    if (snapshot == null) {
      return new long[] {0, 0};
    }
    return new long[] {
      Long.parseLong(snapshot.summary().getOrDefault("total-data-files", "0")),
      Long.parseLong(snapshot.summary().getOrDefault("total-delete-files", "0"))
    };
  }

  private static long timed(CdcBenchListener listener, String step, Supplier<Void> work) {
    listener.stepStarted(step);
    long start = System.nanoTime();
    work.get();
    long nanos = System.nanoTime() - start;
    listener.stepFinished(step, nanos);
    return nanos;
  }
}

package io.lagoa.bench.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.ChildJvm;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.Layout;
import io.lagoa.bench.Matrix;
import io.lagoa.bench.Suite;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a suite once per matrix combination, each in its own JVM. Layouts are prepared first in this
 * JVM as copies of the generated vendas table ({@code vendas_<layout>}), kept for later runs while
 * the generated table does not change.
 */
public final class MatrixRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Told what happens, for progress lines. */
  public interface Listener {
    void preparing(Layout layout, boolean reused);

    void prepared(Layout layout);

    void started(Matrix.Combination combination, int number, int total);

    void finished(Configuration configuration);
  }

  /** Where and how the child JVMs run. */
  public record Launch(
      Map<String, String> environment, Path workingDir, Path configFile, Path logs) {}

  private final SparkSession spark;
  private final Catalog catalog;

  public MatrixRunner(SparkSession spark, Catalog catalog) {
    this.spark = spark;
    this.catalog = catalog;
  }

  public List<Configuration> run(
      BenchRun.Request request, Matrix matrix, Launch launch, Listener listener) {
    List<Matrix.Combination> combinations = matrix.combinations();
    new BenchRun(spark, catalog, request).checkTables();
    Map<Layout, String> tables = new LinkedHashMap<>();
    if (request.suite() == Suite.SALES) {
      for (Layout layout : new LinkedHashSet<>(matrix.layouts())) {
        tables.put(layout, prepare(request, layout, listener));
      }
    }
    List<Configuration> results = new ArrayList<>();
    for (int i = 0; i < combinations.size(); i++) {
      Matrix.Combination combination = combinations.get(i);
      listener.started(combination, i + 1, combinations.size());
      Configuration configuration =
          runOne(request, combination, tables.get(combination.layout()), launch, i + 1);
      results.add(configuration);
      listener.finished(configuration);
    }
    return results;
  }

  /** The vendas table with this layout: a copy of the generated one, made once. */
  String prepare(BenchRun.Request request, Layout layout, Listener listener) {
    String source = request.vendasTable();
    String target = request.namespace() + "." + SalesGenerator.VENDAS + "_" + layout.tableSuffix();
    Table base = BenchTables.require(catalog, source, Suite.SALES, request.namespace());
    String sourceSnapshot = Long.toString(base.currentSnapshot().snapshotId());
    BenchTables.checkOwnership(catalog, target, "prepare layout " + layout.label());
    Optional<Table> existing = BenchTables.load(catalog, target);
    if (existing.isPresent()
        && sourceSnapshot.equals(existing.get().properties().get("lagoa.bench.source-snapshot"))) {
      listener.preparing(layout, true);
      listener.prepared(layout);
      return target;
    }
    listener.preparing(layout, false);
    spark.sql("DROP TABLE IF EXISTS " + target + " PURGE");
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(BenchTables.OWNER_PROPERTY, "true");
    properties.put("lagoa.bench.layout", layout.label());
    properties.put("lagoa.bench.source-snapshot", sourceSnapshot);
    base.properties().entrySet().stream()
        .filter(
            entry ->
                entry.getKey().equals("lagoa.bench.seed")
                    || entry.getKey().equals("lagoa.bench.rows"))
        .forEach(entry -> properties.put(entry.getKey(), entry.getValue()));
    properties.putAll(layout.tableProperties());
    spark.sql(SalesGenerator.createVendas(target, layout, properties));
    if (!layout.sort().equals("none")) {
      spark.sql("ALTER TABLE " + target + " WRITE ORDERED BY " + layout.sort());
    }
    spark.sql("INSERT INTO " + target + " SELECT * FROM " + source);
    listener.prepared(layout);
    return target;
  }

  private Configuration runOne(
      BenchRun.Request request,
      Matrix.Combination combination,
      String vendas,
      Launch launch,
      int number) {
    String name = combination.name();
    try {
      Files.createDirectories(launch.logs());
      Path job = launch.logs().resolve("combination-" + number + ".job.json");
      Path result = launch.logs().resolve("combination-" + number + ".result.json");
      Path log = launch.logs().resolve("combination-" + number + ".log");
      Files.deleteIfExists(result);
      Map<String, String> settings = new LinkedHashMap<>();
      if (combination.layout() != null) {
        settings.putAll(combination.layout().settings());
      }
      MatrixWorker.Job spec =
          new MatrixWorker.Job(
              request.suite().label(),
              request.namespace(),
              request.queries().stream().map(BenchQuery::name).toList(),
              request.warmup(),
              request.runs(),
              vendas,
              name,
              settings,
              launch.configFile() == null ? null : launch.configFile().toString(),
              launch.workingDir().toString(),
              result.toString());
      Files.writeString(job, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec));
      Map<String, String> environment = new LinkedHashMap<>(launch.environment());
      if (combination.cores() != null) {
        environment.put("LAGOA_SPARK_MASTER", "local[" + combination.cores() + "]");
      }
      if (combination.shufflePartitions() != null) {
        environment.put(
            "LAGOA_SPARK_SHUFFLE_PARTITIONS", Integer.toString(combination.shufflePartitions()));
      } else if (combination.cores() != null) {
        // "auto" shuffle partitions follow the cores of this combination, not the parent's.
        environment.put("LAGOA_SPARK_SHUFFLE_PARTITIONS", Integer.toString(combination.cores()));
      }
      ChildJvm.run(
          ChildJvm.command(
              combination.memory(),
              combination.cores(),
              MatrixWorker.class.getName(),
              List.of(job.toString())),
          environment,
          launch.workingDir(),
          log,
          "matrix combination '" + name + "'");
      return JSON.readValue(result.toFile(), Configuration.class);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot run matrix combination '" + name + "': " + LagoaException.rootMessage(e),
          e);
    }
  }
}

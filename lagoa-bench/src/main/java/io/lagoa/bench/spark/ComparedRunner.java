package io.lagoa.bench.spark;

import io.lagoa.bench.Answers;
import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.ReferenceQuery;
import io.lagoa.bench.Statistics;
import io.lagoa.bench.duckdb.DuckDbEngine;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.planning.DuckDbReads;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Runs every query on Lagoa and on DuckDB in turn: the same warm-up and measured runs on each,
 * alternating which engine goes first (Lagoa, DuckDB, then DuckDB, Lagoa, ...) so a busy moment of
 * the machine falls on both alike; then checks the last measured runs returned the same rows.
 */
public final class ComparedRunner {
  /** Told about each query as Lagoa's and DuckDB's runs of it end. */
  public interface Listener extends QueryRunner.Listener {
    void compared(ReferenceQuery query);
  }

  /** Both engines' measurements, query by query in the same order. */
  public record Result(List<QueryRun> lagoa, List<ReferenceQuery> duckDb) {
    public Result {
      lagoa = List.copyOf(lagoa);
      duckDb = List.copyOf(duckDb);
    }
  }

  private final QueryRunner spark;
  private final DuckDbEngine duckDb;

  public ComparedRunner(QueryRunner spark, DuckDbEngine duckDb) {
    this.spark = spark;
    this.duckDb = duckDb;
  }

  public Result run(List<BenchQuery> queries, Listener listener) {
    List<QueryRun> lagoa = new ArrayList<>();
    List<ReferenceQuery> reference = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      BenchQuery query = queries.get(i);
      listener.started(query, i + 1, queries.size());
      List<Double> lagoaTimes = new ArrayList<>();
      List<Double> duckDbTimes = new ArrayList<>();
      QueryMetrics metrics = QueryMetrics.NONE;
      QueryRunner.Execution lastLagoa = null;
      DuckDbEngine.Execution lastDuckDb = null;
      String failure = null;
      for (int run = 0; run < spark.warmup() + spark.runs(); run++) {
        boolean lagoaFirst = run % 2 == 0;
        if (!lagoaFirst && failure == null) {
          try {
            lastDuckDb = duckDb.execute(query);
          } catch (LagoaException e) {
            failure = e.getMessage();
          }
        }
        lastLagoa = spark.once(query);
        if (lagoaFirst && failure == null) {
          try {
            lastDuckDb = duckDb.execute(query);
          } catch (LagoaException e) {
            failure = e.getMessage();
          }
        }
        if (run >= spark.warmup()) {
          lagoaTimes.add(lastLagoa.nanos() / 1e6);
          metrics = lastLagoa.metrics();
          if (failure == null) {
            duckDbTimes.add(lastDuckDb.nanos() / 1e6);
          }
        }
      }
      QueryRun lagoaRun = new QueryRun(query.name(), query.description(), lagoaTimes, metrics);
      lagoa.add(lagoaRun);
      listener.finished(lagoaRun);
      Optional<String> difference =
          failure != null
              ? Optional.of(failure)
              : Answers.difference(lastLagoa.values(), lastDuckDb.rows(), "Lagoa", "DuckDB");
      ReferenceQuery compared =
          new ReferenceQuery(
              query.name(),
              failure == null ? duckDbTimes : List.of(),
              Math.round(Statistics.median(lagoaTimes) * 10) / 10.0,
              difference.isEmpty(),
              difference.orElse(null));
      reference.add(compared);
      listener.compared(compared);
    }
    return new Result(lagoa, reference);
  }

  /**
   * The task slots Spark runs on: N for {@code local[N]}, the machine's cores for {@code local[*]},
   * 1 for {@code local}, the default parallelism on a cluster.
   */
  public static int taskSlots(SparkSession spark) {
    return DuckDbReads.localCores(spark.sparkContext())
        .orElse(Math.max(1, spark.sparkContext().defaultParallelism()));
  }
}

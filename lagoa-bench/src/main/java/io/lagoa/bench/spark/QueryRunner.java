package io.lagoa.bench.spark;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.QueryRun;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.PlanRows;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs queries the way the benchmark measures them: each query's warm-up runs, then its measured
 * runs, timing from submitting the SQL to the last result row on the driver. The metrics come from
 * the executed plan of the last run.
 */
public final class QueryRunner {
  /** Told about each query as it starts and ends, for progress lines. */
  public interface Listener {
    void started(BenchQuery query, int number, int total);

    void finished(QueryRun run);
  }

  private final SparkSession spark;
  private final int warmup;
  private final int runs;

  public QueryRunner(SparkSession spark, int warmup, int runs) {
    if (warmup < 0 || runs < 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run the benchmark with "
              + warmup
              + " warm-up and "
              + runs
              + " measured runs: warm-up must be 0 or more, runs 1 or more");
    }
    this.spark = spark;
    this.warmup = warmup;
    this.runs = runs;
  }

  /** Runs every query (already bound to its tables) in order. */
  public List<QueryRun> run(List<BenchQuery> queries, Listener listener) {
    List<QueryRun> results = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      BenchQuery query = queries.get(i);
      listener.started(query, i + 1, queries.size());
      QueryRun run = run(query);
      results.add(run);
      listener.finished(run);
    }
    return results;
  }

  public QueryRun run(BenchQuery query) {
    List<Double> times = new ArrayList<>();
    QueryMetrics metrics = QueryMetrics.NONE;
    for (int i = 0; i < warmup + runs; i++) {
      Execution execution = once(query);
      if (i >= warmup) {
        times.add(execution.nanos() / 1e6);
        metrics = execution.metrics();
      }
    }
    return new QueryRun(query.name(), query.description(), times, metrics);
  }

  /** One timed execution of a query, its setup statements run first and not timed. */
  public Execution once(BenchQuery query) {
    for (String statement : query.setup()) {
      execute(query, statement);
    }
    long started = System.nanoTime();
    Dataset<Row> frame = execute(query, query.sql());
    List<List<Object>> rows;
    try {
      // the rows as `lagoa sql` fetches them (PlanRows), so the bench times what a user waits for
      rows = PlanRows.collect(frame, "collect");
    } catch (Exception e) { // Spark throws AnalysisException, checked in Java, undeclared
      throw failure(query, e);
    }
    return new Execution(System.nanoTime() - started, frame, rows);
  }

  /** The runs a query is executed in: warm-up runs first, then measured ones. */
  public int warmup() {
    return warmup;
  }

  public int runs() {
    return runs;
  }

  /**
   * One execution: its time from submitting the SQL to the last result row on the driver, the rows
   * and the executed plan.
   */
  public record Execution(long nanos, Dataset<Row> frame, List<List<Object>> values) {
    public QueryMetrics metrics() {
      return PlanMetrics.of(frame.queryExecution().executedPlan(), values.size());
    }
  }

  private Dataset<Row> execute(BenchQuery query, String sql) {
    try {
      return spark.sql(sql);
    } catch (Exception e) { // AnalysisException: checked in Java, never declared by Spark
      throw failure(query, e);
    }
  }

  private static LagoaException failure(BenchQuery query, Exception e) {
    SqlException sql = SparkSql.translate(query.sql(), e);
    return new LagoaException(
        ErrorCode.SQL_ERROR, "cannot run query " + query.name() + ": " + sql.getMessage(), e);
  }
}

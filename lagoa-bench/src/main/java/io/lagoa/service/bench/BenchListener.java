package io.lagoa.service.bench;

import io.lagoa.bench.*;
import io.lagoa.bench.spark.ComparedRunner;
import io.lagoa.bench.spark.MatrixRunner;
import io.lagoa.bench.spark.QueryRunner;
import java.util.Map;

/**
 * Told what {@link BenchService#run} does, for progress lines. Every method may be skipped. A
 * single run reports each query; a matrix reports each layout it prepares and each combination.
 */
public interface BenchListener
    extends QueryRunner.Listener, MatrixRunner.Listener, ComparedRunner.Listener {
  BenchListener NONE = new BenchListener() {};

  /** Spark is up, after this many nanoseconds. */
  default void sparkStarted(long nanos) {}

  /** The tables are there and Spark is up: the plan starts now. */
  default void starting(BenchService.Plan plan) {}

  /** The reference engine is up with these settings (version, threads, memory limit, files). */
  default void comparing(ReferenceEngine engine, Map<String, String> settings) {}

  /** A query ran on both engines: the reference's times, the ratio, whether the answers match. */
  @Override
  default void compared(ReferenceQuery query) {}

  @Override
  default void started(BenchQuery query, int number, int total) {}

  @Override
  default void finished(QueryRun run) {}

  @Override
  default void preparing(Layout layout, boolean reused) {}

  @Override
  default void prepared(Layout layout) {}

  @Override
  default void started(Matrix.Combination combination, int number, int total) {}

  @Override
  default void finished(Configuration configuration) {}
}

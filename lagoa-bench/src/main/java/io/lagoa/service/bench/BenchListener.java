package io.lagoa.service.bench;

import io.lagoa.bench.*;
import io.lagoa.bench.spark.MatrixRunner;
import io.lagoa.bench.spark.QueryRunner;

/**
 * Told what {@link BenchService#run} does, for progress lines. Every method may be skipped. A
 * single run reports each query; a matrix reports each layout it prepares and each combination.
 */
public interface BenchListener extends QueryRunner.Listener, MatrixRunner.Listener {
  BenchListener NONE = new BenchListener() {};

  /** Spark is up, after this many nanoseconds. */
  default void sparkStarted(long nanos) {}

  /** The tables are there and Spark is up: the plan starts now. */
  default void starting(BenchService.Plan plan) {}

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

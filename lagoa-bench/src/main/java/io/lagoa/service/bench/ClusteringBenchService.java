package io.lagoa.service.bench;

import io.lagoa.bench.clustering.ClusteringBenchOptions;
import io.lagoa.bench.clustering.ClusteringBenchResults;
import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.bench.spark.ClusteringBench;
import io.lagoa.service.Lakehouse;

/** Runs {@code lagoa bench clustering} for an adapter; the Spark part stays behind it. */
public final class ClusteringBenchService {
  private ClusteringBenchService() {}

  /**
   * @throws IllegalArgumentException when a table of the bench's namespace was not made by it
   */
  public static ClusteringBenchResults run(
      Lakehouse lakehouse, ClusteringBenchOptions options, MaintenanceBenchListener listener) {
    return new ClusteringBench(lakehouse).run(options, listener);
  }
}

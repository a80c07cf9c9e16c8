package io.lagoa.service.bench;

import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.bench.maintenance.MaintenanceBenchOptions;
import io.lagoa.bench.maintenance.MaintenanceBenchResults;
import io.lagoa.bench.spark.MaintenanceBench;
import io.lagoa.service.Lakehouse;

/**
 * Runs {@code lagoa bench maintenance} for an adapter, which keeps to options, listener and
 * results: the Spark part ({@link MaintenanceBench}) stays behind this service.
 */
public final class MaintenanceBenchService {
  private MaintenanceBenchService() {}

  /**
   * Feeds, maintains and samples the bench's tables in {@code lakehouse} for the options' duration.
   *
   * @throws IllegalArgumentException when a table of the bench's namespace was not made by it
   */
  public static MaintenanceBenchResults run(
      Lakehouse lakehouse, MaintenanceBenchOptions options, MaintenanceBenchListener listener) {
    return new MaintenanceBench(lakehouse).run(options, listener);
  }
}

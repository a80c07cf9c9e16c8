package io.lagoa.bench.catalog;

import java.util.Optional;

/**
 * One measured run: {@code clients} clients doing {@code operation} against {@code target} for
 * {@code seconds}, after a warm-up that is not counted.
 *
 * @param operations operations that succeeded (a commit retried after a conflict counts once)
 * @param conflicts commits that lost the race for the table and were retried
 * @param errors operations that failed; {@code firstError} says how the first one did
 * @param p50Millis latency percentiles of the successful operations, in milliseconds
 */
public record CatalogRunResult(
    CatalogTarget target,
    CatalogOperation operation,
    int clients,
    double seconds,
    long operations,
    long conflicts,
    long errors,
    double p50Millis,
    double p99Millis,
    double p999Millis,
    double maxMillis,
    Optional<String> firstError) {

  public CatalogRunResult {
    if (seconds <= 0) {
      throw new IllegalArgumentException("Cannot record a run of " + seconds + " s: must be > 0");
    }
  }

  static CatalogRunResult of(
      CatalogTarget target,
      CatalogOperation operation,
      int clients,
      double seconds,
      Latency latency,
      long conflicts,
      long errors,
      Optional<String> firstError) {
    return new CatalogRunResult(
        target,
        operation,
        clients,
        seconds,
        latency.count(),
        conflicts,
        errors,
        latency.millisAt(50),
        latency.millisAt(99),
        latency.millisAt(99.9),
        latency.maxMillis(),
        firstError);
  }

  public double operationsPerSecond() {
    return operations / seconds;
  }
}

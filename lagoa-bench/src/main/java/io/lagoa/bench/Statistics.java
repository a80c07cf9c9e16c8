package io.lagoa.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Summary statistics over repeated measurements. */
public final class Statistics {
  private Statistics() {}

  /** The middle value; the mean of the two middle values for an even count. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  public static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  public static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /**
   * The geometric mean: how suites of queries with very different run times are compared, so that
   * one long query does not decide alone (as in TPC-H's power metric).
   */
  public static double geometricMean(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double logSum = 0;
    for (double value : values) {
      logSum += Math.log(Math.max(value, 1e-3));
    }
    return Math.exp(logSum / values.size());
  }
}

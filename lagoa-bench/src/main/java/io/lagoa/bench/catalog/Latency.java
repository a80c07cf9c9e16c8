package io.lagoa.bench.catalog;

import org.HdrHistogram.Histogram;

/**
 * The latency distribution of one run, in microseconds, from an HdrHistogram: every operation is
 * recorded (no sampling), at three significant digits from 1 µs to one hour, in constant memory,
 * and the histograms of the client threads add up exactly.
 */
public final class Latency {
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Histogram histogram = new Histogram(1, HIGHEST_MICROS, 3);

  /** Records one operation that took {@code nanos}; longer than an hour counts as an hour. */
  public void record(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  public void add(Latency other) {
    histogram.add(other.histogram);
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The latency at {@code percentile} (0 to 100) in milliseconds; 0 when nothing was recorded. */
  public double millisAt(double percentile) {
    if (histogram.getTotalCount() == 0) {
      return 0;
    }
    return histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxMillis() {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1000.0;
  }

  public double meanMillis() {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1000.0;
  }
}

package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One query of a suite, measured: the time of every measured run (warm-up runs excluded) and the
 * metrics of the last run (they are the same for every run of the same plan on the same data).
 */
public record QueryRun(
    @JsonProperty("query") String query,
    @JsonProperty("description") String description,
    @JsonProperty("times_ms") List<Double> timesMillis,
    @JsonProperty("metrics") QueryMetrics metrics) {
  public QueryRun {
    timesMillis = timesMillis == null ? List.of() : List.copyOf(timesMillis);
    metrics = metrics == null ? QueryMetrics.NONE : metrics;
  }

  @JsonProperty(value = "median_ms", access = JsonProperty.Access.READ_ONLY)
  public double medianMillis() {
    return round(Statistics.median(timesMillis));
  }

  @JsonProperty(value = "min_ms", access = JsonProperty.Access.READ_ONLY)
  public double minMillis() {
    return round(Statistics.min(timesMillis));
  }

  @JsonProperty(value = "max_ms", access = JsonProperty.Access.READ_ONLY)
  public double maxMillis() {
    return round(Statistics.max(timesMillis));
  }

  @JsonIgnore
  public double medianSeconds() {
    return medianMillis() / 1000;
  }

  private static double round(double millis) {
    return Math.round(millis * 10) / 10.0;
  }
}

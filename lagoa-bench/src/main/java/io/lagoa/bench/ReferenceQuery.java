package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One query on the reference engine, measured alternately with Lagoa's runs of it.
 *
 * @param timesMillis the reference engine's measured runs (warm-up excluded); empty when it failed
 * @param lagoaMedianMillis Lagoa's median for the same query in the same run
 * @param answersMatch both engines returned the same rows (sorted; floating point within a
 *     tolerance, integers and decimals exactly)
 * @param difference what differed, or why the reference engine failed; null when the answers match
 */
public record ReferenceQuery(
    @JsonProperty("query") String query,
    @JsonProperty("times_ms") List<Double> timesMillis,
    @JsonProperty("lagoa_median_ms") double lagoaMedianMillis,
    @JsonProperty("answers_match") boolean answersMatch,
    @JsonProperty("difference") @JsonInclude(JsonInclude.Include.NON_NULL) String difference) {
  public ReferenceQuery {
    timesMillis = timesMillis == null ? List.of() : List.copyOf(timesMillis);
  }

  @JsonProperty(value = "median_ms", access = JsonProperty.Access.READ_ONLY)
  public double medianMillis() {
    return Math.round(Statistics.median(timesMillis) * 10) / 10.0;
  }

  @JsonProperty(value = "min_ms", access = JsonProperty.Access.READ_ONLY)
  public double minMillis() {
    return Math.round(Statistics.min(timesMillis) * 10) / 10.0;
  }

  @JsonProperty(value = "max_ms", access = JsonProperty.Access.READ_ONLY)
  public double maxMillis() {
    return Math.round(Statistics.max(timesMillis) * 10) / 10.0;
  }

  /** Lagoa's median over the reference's: 2.0 means Lagoa took twice as long. NaN if it failed. */
  @JsonProperty(value = "ratio", access = JsonProperty.Access.READ_ONLY)
  public double ratio() {
    double reference = Statistics.median(timesMillis);
    if (Double.isNaN(reference)) {
      return Double.NaN;
    }
    return Math.round(lagoaMedianMillis / Math.max(reference, 0.1) * 100) / 100.0;
  }

  @JsonIgnore
  public boolean failed() {
    return timesMillis.isEmpty();
  }
}

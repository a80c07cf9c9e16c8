package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A suite run on a reference engine beside Lagoa ({@code lagoa bench run --compare duckdb}): the
 * engine's settings (version, threads, memory limit, files read) and every query's times, ratio and
 * answer check.
 *
 * @param engine e.g. {@code duckdb}
 */
public record Reference(
    @JsonProperty("engine") String engine,
    @JsonProperty("settings") Map<String, String> settings,
    @JsonProperty("queries") List<ReferenceQuery> queries) {
  public Reference {
    settings = settings == null ? new LinkedHashMap<>() : new LinkedHashMap<>(settings);
    queries = queries == null ? List.of() : List.copyOf(queries);
  }

  /** Queries whose answers differed or that the reference engine could not run. */
  @JsonIgnore
  public List<ReferenceQuery> mismatches() {
    return queries.stream().filter(query -> !query.answersMatch()).toList();
  }

  /** Geometric mean of the ratios of the queries both engines ran: one number for the suite. */
  @JsonProperty(value = "geomean_ratio", access = JsonProperty.Access.READ_ONLY)
  public double geometricMeanRatio() {
    List<Double> ratios =
        queries.stream().map(ReferenceQuery::ratio).filter(ratio -> !ratio.isNaN()).toList();
    return Math.round(Statistics.geometricMean(ratios) * 100) / 100.0;
  }
}

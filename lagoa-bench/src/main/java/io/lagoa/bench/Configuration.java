package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The queries of a suite measured under one set of settings: a single run has one configuration, a
 * {@code --matrix} run one per combination.
 *
 * @param name short label, e.g. {@code cores=2 shuffle=8 layout=monthly}
 * @param settings every setting that applied, as text (memory, cores, shuffle partitions, layout)
 */
public record Configuration(
    @JsonProperty("name") String name,
    @JsonProperty("settings") Map<String, String> settings,
    @JsonProperty("queries") List<QueryRun> queries) {
  public Configuration {
    settings = settings == null ? new LinkedHashMap<>() : new LinkedHashMap<>(settings);
    queries = queries == null ? List.of() : List.copyOf(queries);
  }

  public Optional<QueryRun> query(String queryName) {
    return queries.stream().filter(query -> query.query().equals(queryName)).findFirst();
  }

  /** Geometric mean of the queries' median times: one number per configuration. */
  @JsonProperty(value = "geomean_ms", access = JsonProperty.Access.READ_ONLY)
  public double geometricMeanMillis() {
    return Math.round(
            Statistics.geometricMean(queries.stream().map(QueryRun::medianMillis).toList()) * 10)
        / 10.0;
  }

  @JsonIgnore
  public double totalMedianMillis() {
    return queries.stream().mapToDouble(QueryRun::medianMillis).sum();
  }
}

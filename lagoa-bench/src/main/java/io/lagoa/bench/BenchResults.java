package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one {@code lagoa bench run} measured; written as results.json and read back by {@code
 * lagoa bench compare} and {@code lagoa bench report}.
 *
 * @param suite {@code sales} or {@code tpch}
 * @param startedAt ISO-8601 instant
 * @param environment machine and software: cores, memory, Java, Spark, Iceberg, Lagoa versions
 * @param dataset what was measured: tables, rows, bytes on disk, seed or scale factor
 * @param warmup warm-up runs per query, not measured
 * @param runs measured runs per query
 * @param comparedWith the same queries on a reference engine (DuckDB), or null when not compared
 */
public record BenchResults(
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("suite") String suite,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("environment") Map<String, String> environment,
    @JsonProperty("dataset") Map<String, String> dataset,
    @JsonProperty("warmup") int warmup,
    @JsonProperty("runs") int runs,
    @JsonProperty("configurations") List<Configuration> configurations,
    @JsonProperty("compared_with") @JsonInclude(JsonInclude.Include.NON_NULL)
        Reference comparedWith) {
  public static final int FORMAT_VERSION = 1;

  /** Results of a run compared with no other engine. */
  public BenchResults(
      int formatVersion,
      String suite,
      String startedAt,
      Map<String, String> environment,
      Map<String, String> dataset,
      int warmup,
      int runs,
      List<Configuration> configurations) {
    this(formatVersion, suite, startedAt, environment, dataset, warmup, runs, configurations, null);
  }

  public BenchResults {
    environment = environment == null ? new LinkedHashMap<>() : new LinkedHashMap<>(environment);
    dataset = dataset == null ? new LinkedHashMap<>() : new LinkedHashMap<>(dataset);
    configurations = configurations == null ? List.of() : List.copyOf(configurations);
  }

  /** The fastest configuration for one query: lowest median. */
  public Optional<Configuration> fastestFor(String query) {
    return configurations.stream()
        .filter(configuration -> configuration.query(query).isPresent())
        .min(Comparator.comparingDouble(c -> c.query(query).orElseThrow().medianMillis()));
  }

  /** The fastest configuration overall: lowest geometric mean of the medians. */
  public Optional<Configuration> fastestOverall() {
    return configurations.stream()
        .min(Comparator.comparingDouble(Configuration::geometricMeanMillis));
  }

  /** Query names in the order they ran, across configurations. */
  @JsonIgnore
  public List<String> queryNames() {
    List<String> names = new ArrayList<>();
    for (Configuration configuration : configurations) {
      for (QueryRun query : configuration.queries()) {
        if (!names.contains(query.query())) {
          names.add(query.query());
        }
      }
    }
    return names;
  }

  /** Per query and overall, which configuration won and by how much over the slowest. */
  @JsonProperty(value = "winners", access = JsonProperty.Access.READ_ONLY)
  public Map<String, String> winners() {
    Map<String, String> winners = new LinkedHashMap<>();
    if (configurations.size() < 2) {
      return winners;
    }
    for (String query : queryNames()) {
      fastestFor(query).ifPresent(best -> winners.put(query, best.name()));
    }
    fastestOverall().ifPresent(best -> winners.put("overall", best.name()));
    return winners;
  }
}

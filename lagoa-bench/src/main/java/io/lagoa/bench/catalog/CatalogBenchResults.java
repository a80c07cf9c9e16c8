package io.lagoa.bench.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code lagoa bench catalog} measured, with what it ran on.
 *
 * @param environment cores, load averages at the start and the end, versions, catalog and server
 */
public record CatalogBenchResults(
    Instant startedAt,
    Map<String, String> environment,
    CatalogBenchOptions options,
    List<CatalogRunResult> runs) {
  public CatalogBenchResults {
    environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
    runs = List.copyOf(runs);
  }
}

package io.lagoa.config;

import java.util.Map;

/**
 * How Lagoa starts its embedded Spark.
 *
 * @param shufflePartitions resolved: never "auto"
 * @param conf extra Spark settings, applied after Lagoa's own
 */
public record SparkSettings(String master, int shufflePartitions, Map<String, String> conf) {
  public SparkSettings {
    conf = Map.copyOf(conf);
  }
}

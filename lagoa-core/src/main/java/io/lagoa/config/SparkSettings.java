package io.lagoa.config;

import io.lagoa.text.SecretPatterns;
import java.util.Map;
import java.util.TreeMap;

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

  /** Settings whose names say they hold a secret (e.g. fs.s3a.secret.key) show as ******. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    conf.forEach((key, value) -> shown.put(key, SecretPatterns.maskValue(key, value)));
    return "SparkSettings[master="
        + master
        + ", shufflePartitions="
        + shufflePartitions
        + ", conf="
        + shown
        + "]";
  }
}

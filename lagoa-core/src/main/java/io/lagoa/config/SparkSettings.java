package io.lagoa.config;

import io.lagoa.text.SecretPatterns;
import java.util.Map;
import java.util.TreeMap;

/**
 * How Lagoa starts its embedded Spark.
 *
 * @param shufflePartitions resolved: never "auto"
 * @param accelerator the native engine that runs what it supports of each plan
 * @param offHeapMb resolved: the accelerator's off-heap memory in MiB, never "auto"
 * @param duckDbReads whether aggregations over local Iceberg tables may run in DuckDB
 * @param conf extra Spark settings, applied after Lagoa's own
 */
public record SparkSettings(
    String master,
    int shufflePartitions,
    Accelerator accelerator,
    long offHeapMb,
    boolean duckDbReads,
    Map<String, String> conf) {
  public SparkSettings {
    conf = Map.copyOf(conf);
  }

  /** Off-heap memory for {@code spark.off-heap-mb: auto}: half the heap, at least 1 GiB. */
  public static long autoOffHeapMb(long maxHeapBytes) {
    return Math.max(1024, maxHeapBytes / 2 / (1024 * 1024));
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
        + ", accelerator="
        + accelerator.configName()
        + ", offHeapMb="
        + offHeapMb
        + ", duckDbReads="
        + duckDbReads
        + ", conf="
        + shown
        + "]";
  }
}

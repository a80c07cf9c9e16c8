package io.lagoa.config;

/**
 * One effective configuration value and where it came from, for {@code lagoa config}.
 *
 * @param name the key, e.g. {@code catalog.uri}; entries of a mapping key are {@code
 *     spark.conf[spark.sql.adaptive.enabled]}
 * @param value the value in effect as text, {@code ******} for a secret, or null when unset
 * @param origin {@code default}, {@code lagoa.yaml:3:12} or {@code environment variable
 *     LAGOA_WAREHOUSE}, followed by {@code via ${env:NAME}} when the value refers to the
 *     environment
 */
public record ConfigValue(String name, String value, String origin) {}

package io.lagoa.config;

import java.util.Map;
import java.util.Optional;

/**
 * Where the Iceberg catalog lives.
 *
 * @param uri a JDBC URL (sqlite, postgres) or an HTTP URL (rest); always set after loading
 */
public record CatalogConfig(
    CatalogType type,
    String uri,
    Optional<String> user,
    Optional<Secret> password,
    Optional<Secret> token,
    Optional<Secret> credential,
    int connectTimeoutSeconds,
    Map<String, String> properties) {

  public CatalogConfig {
    properties = Map.copyOf(properties);
  }
}

package io.lagoa.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The whole effective configuration, after defaults, the file and environment overrides.
 *
 * @param source the file it was read from, or empty when only defaults and the environment apply
 * @param warehouse where tables live, as a URI: {@code file:/abs/path} or {@code s3://bucket/p}
 * @param localWarehouse the folder when the warehouse is on local disk
 * @param storage how to reach an object-store warehouse (S3 endpoint, credentials)
 */
public record LagoaConfig(
    Optional<Path> source,
    String warehouse,
    Optional<Path> localWarehouse,
    StorageConfig storage,
    CatalogConfig catalog,
    SparkSettings spark) {

  /** Where the configuration came from, for messages. */
  public String describeSource() {
    return source.map(Path::toString).orElse("built-in defaults");
  }
}

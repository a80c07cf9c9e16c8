package io.lagoa.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The whole effective configuration, after defaults, the file and environment overrides.
 *
 * @param source the file it was read from, or empty when only defaults and the environment apply
 * @param warehouse where tables live, as a URI: {@code file:/abs/path} or {@code s3://bucket/p}
 * @param localWarehouse the folder when the warehouse is on local disk
 * @param storage how to reach an object-store warehouse (S3 endpoint, credentials)
 * @param lineage where pipeline runs send OpenLineage events
 * @param origins where each key that was set came from, by key name: {@code lagoa.yaml:7:3} or
 *     {@code environment variable LAGOA_CATALOG_URI}; keys left at their default are absent
 */
public record LagoaConfig(
    Optional<Path> source,
    String warehouse,
    Optional<Path> localWarehouse,
    StorageConfig storage,
    CatalogConfig catalog,
    SparkSettings spark,
    LineageConfig lineage,
    Map<String, String> origins) {

  public LagoaConfig {
    origins = Map.copyOf(origins);
  }

  public LagoaConfig(
      Optional<Path> source,
      String warehouse,
      Optional<Path> localWarehouse,
      StorageConfig storage,
      CatalogConfig catalog,
      SparkSettings spark) {
    this(
        source, warehouse, localWarehouse, storage, catalog, spark, LineageConfig.none(), Map.of());
  }

  /** Where the configuration came from, for messages. */
  public String describeSource() {
    return source.map(Path::toString).orElse("built-in defaults");
  }

  /**
   * Where a key's value came from, for messages that tell the user what to edit: {@code
   * lagoa.yaml:7:3}, {@code environment variable LAGOA_CATALOG_URI}, or {@code the default} for a
   * key that was not set. A secret read from a file names its {@code -file} key.
   */
  public String origin(ConfigKey key) {
    String origin = origins.get(key.name());
    if (origin != null) {
      return origin;
    }
    if (key.secret()) {
      String fileKey = ConfigKeys.fileKeyOf(key);
      if (origins.containsKey(fileKey)) {
        return fileKey + " at " + origins.get(fileKey);
      }
    }
    return "the default";
  }
}

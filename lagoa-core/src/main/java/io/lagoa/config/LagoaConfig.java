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
 * @param storage how to reach S3: an S3 warehouse, and the s3:// folders pipelines read (endpoint,
 *     credentials)
 * @param lineage where pipeline runs send OpenLineage events
 * @param server how {@code lagoa server} serves the catalog
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
    ServerConfig server,
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
        source,
        warehouse,
        localWarehouse,
        storage,
        catalog,
        spark,
        LineageConfig.none(),
        ServerConfig.defaults(),
        Map.of());
  }

  /**
   * Whether the warehouse is on S3 ({@code s3://} or {@code s3a://}), so its tables go through
   * S3FileIO. S3 settings alone do not make it so: with a local warehouse they are for landing
   * folders.
   */
  public boolean warehouseOnS3() {
    return warehouse.regionMatches(true, 0, "s3://", 0, 5)
        || warehouse.regionMatches(true, 0, "s3a://", 0, 6);
  }

  /** A copy served with other server settings (e.g. a port given on the command line). */
  public LagoaConfig withServer(ServerConfig server) {
    return new LagoaConfig(
        source, warehouse, localWarehouse, storage, catalog, spark, lineage, server, origins);
  }

  /** A copy with another catalog (e.g. with extra catalog properties). */
  public LagoaConfig withCatalog(CatalogConfig catalog) {
    return new LagoaConfig(
        source, warehouse, localWarehouse, storage, catalog, spark, lineage, server, origins);
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

package io.lagoa.catalog;

import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.S3Config;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Iceberg catalog properties for a configuration. One map serves both the Iceberg API ({@link
 * LagoaCatalogs#open}) and Spark, which receives it as {@code spark.sql.catalog.lagoa.*}, so both
 * always see the same catalog.
 */
public final class CatalogProperties {
  /** The catalog's name in SQL: tables are {@code lagoa.<namespace>.<table>}. */
  public static final String CATALOG_NAME = "lagoa";

  /**
   * Iceberg's own S3 client (AWS SDK v2, from iceberg-aws-bundle at run time). Hadoop's S3A is not
   * used: Iceberg never lists directories or renames, so S3FileIO does less and needs no Hadoop
   * configuration.
   */
  public static final String S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO";

  /**
   * Table defaults Lagoa applies to every new table. Commit retries are raised above Iceberg's
   * default of 4 because several writers (a pipeline and a compaction, say) commonly commit to one
   * table at once, and a retry is cheap compared with a failed job.
   */
  static final Map<String, String> TABLE_DEFAULTS =
      Map.of(
          "format-version", "2",
          "commit.retry.num-retries", "20",
          "commit.retry.min-wait-ms", "50",
          "write.metadata.delete-after-commit.enabled", "true",
          "write.metadata.previous-versions-max", "100");

  static final String CATALOG_IMPL = "catalog-impl";

  /** Iceberg's manifest content cache ({@code CatalogProperties.IO_MANIFEST_CACHE_ENABLED}). */
  static final String MANIFEST_CACHE = "io.manifest.cache-enabled";

  /**
   * Iceberg's JDBC catalog with Lagoa's commit check for pipeline batches ({@link
   * LagoaJdbcCatalog}); the tables and the catalog database are Iceberg's own.
   */
  static final String JDBC_CATALOG = LagoaJdbcCatalog.class.getName();

  /** Iceberg's REST catalog client that recognises the server's commit check. */
  static final String REST_CATALOG = LagoaRestCatalog.class.getName();

  private CatalogProperties() {}

  public static Map<String, String> of(LagoaConfig config) {
    CatalogConfig catalog = config.catalog();
    Map<String, String> properties = new LinkedHashMap<>();
    if (catalog.type() != CatalogType.REST) {
      // A REST server owns its warehouse; Iceberg's REST client would send this as the name of
      // the catalog to serve (set catalog.properties.warehouse for a server with several).
      properties.put("warehouse", config.warehouse());
    }
    properties.put("uri", catalog.uri());
    // Spark's table cache serves the snapshot it first loaded until the entry sits unused for 30
    // s, so a busy session never sees other writers' commits. Loading metadata per statement is
    // cheap next to that surprise.
    properties.put("cache-enabled", "false");
    // Iceberg keeps the manifests it reads (per FileIO, keyed by the manifest's location; Iceberg's
    // limits: 60 s after last use, 100 MB in all, 8 MB a manifest), so planning a query on a table
    // read a moment ago reads no manifest again. Manifests are never rewritten in place (a commit
    // writes new ones under new names), so a cached one cannot be stale.
    properties.put(MANIFEST_CACHE, "true");
    switch (catalog.type()) {
      case SQLITE -> {
        properties.put(CATALOG_IMPL, JDBC_CATALOG);
        properties.put("jdbc.schema-version", "V1");
        // SQLite allows one writer at a time; wait for the lock instead of failing at once.
        properties.put("jdbc.busy_timeout", "30000");
        properties.put("jdbc.journal_mode", "WAL");
      }
      case POSTGRES -> {
        properties.put(CATALOG_IMPL, JDBC_CATALOG);
        properties.put("jdbc.schema-version", "V1");
        catalog.user().ifPresent(user -> properties.put("jdbc.user", user));
        catalog.password().ifPresent(password -> properties.put("jdbc.password", password.value()));
        properties.put("jdbc.connectTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
        properties.put("jdbc.loginTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
      }
      case REST -> {
        // Iceberg's REST client; the commit check's refusal comes back as itself (LagoaRestCatalog)
        properties.put(CATALOG_IMPL, REST_CATALOG);
        catalog.token().ifPresent(token -> properties.put("token", token.value()));
        if (catalog.token().isPresent() || catalog.credential().isPresent()) {
          // What Iceberg infers from a token or credential, said so that it does not warn.
          properties.put("rest.auth.type", "oauth2");
        }
        catalog
            .credential()
            .ifPresent(
                credential -> {
                  properties.put("credential", credential.value());
                  // The REST spec's own token endpoint; Iceberg warns when it has to assume it.
                  properties.put(
                      "oauth2-server-uri",
                      catalog.uri().replaceAll("/+$", "") + "/v1/oauth/tokens");
                });
      }
    }
    TABLE_DEFAULTS.forEach((key, value) -> properties.put("table-default." + key, value));
    // The s3.* settings are there even with a local warehouse: whoever builds an S3FileIO for an
    // s3:// landing folder builds it from these properties. Only an S3 warehouse switches the
    // tables' own FileIO to S3FileIO.
    config.storage().s3().ifPresent(s3 -> putS3(s3, properties));
    if (config.warehouseOnS3()) {
      properties.put("io-impl", S3_FILE_IO);
    }
    properties.putAll(catalog.properties());
    if (properties.containsKey("type")
        && (JDBC_CATALOG.equals(properties.get(CATALOG_IMPL))
            || REST_CATALOG.equals(properties.get(CATALOG_IMPL)))) {
      properties.remove(CATALOG_IMPL); // the user chose a catalog type of their own
    }
    return properties;
  }

  /** S3FileIO's settings; without keys it falls back to the AWS default credentials chain. */
  private static void putS3(S3Config s3, Map<String, String> properties) {
    s3.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint));
    properties.put("s3.path-style-access", Boolean.toString(s3.pathStyleAccess()));
    s3.region().ifPresent(region -> properties.put("client.region", region));
    s3.accessKeyId().ifPresent(id -> properties.put("s3.access-key-id", id));
    s3.secretAccessKey().ifPresent(key -> properties.put("s3.secret-access-key", key.value()));
    s3.sessionToken().ifPresent(token -> properties.put("s3.session-token", token.value()));
  }
}

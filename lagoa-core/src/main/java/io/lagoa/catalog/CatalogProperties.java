package io.lagoa.catalog;

import io.lagoa.config.CatalogConfig;
import io.lagoa.config.LagoaConfig;
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

  private CatalogProperties() {}

  public static Map<String, String> of(LagoaConfig config) {
    CatalogConfig catalog = config.catalog();
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("warehouse", config.warehouse());
    properties.put("uri", catalog.uri());
    // Spark's table cache serves the snapshot it first loaded until the entry sits unused for 30
    // s, so a busy session never sees other writers' commits. Loading metadata per statement is
    // cheap next to that surprise.
    properties.put("cache-enabled", "false");
    switch (catalog.type()) {
      case SQLITE -> {
        properties.put("type", "jdbc");
        properties.put("jdbc.schema-version", "V1");
        // SQLite allows one writer at a time; wait for the lock instead of failing at once.
        properties.put("jdbc.busy_timeout", "30000");
        properties.put("jdbc.journal_mode", "WAL");
      }
      case POSTGRES -> {
        properties.put("type", "jdbc");
        properties.put("jdbc.schema-version", "V1");
        catalog.user().ifPresent(user -> properties.put("jdbc.user", user));
        catalog.password().ifPresent(password -> properties.put("jdbc.password", password.value()));
        properties.put("jdbc.connectTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
        properties.put("jdbc.loginTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
      }
      case REST -> {
        properties.put("type", "rest");
        catalog.token().ifPresent(token -> properties.put("token", token.value()));
        catalog.credential().ifPresent(credential -> properties.put("credential", credential.value()));
      }
    }
    TABLE_DEFAULTS.forEach((key, value) -> properties.put("table-default." + key, value));
    properties.putAll(catalog.properties());
    return properties;
  }
}

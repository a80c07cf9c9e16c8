package io.lagoa.server.rest;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.config.LagoaConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.rest.responses.LoadTableResponse;

/**
 * What a client needs to read and write a table's files, returned in the {@code config} of every
 * table response: for an S3 warehouse the endpoint, region, addressing and the server's
 * credentials, so a client that knows only the catalog URI and its token can use the table.
 * Returned only to a principal allowed to load the table.
 */
public final class TableConfig {
  private final Map<String, String> config;

  public TableConfig(Map<String, String> config) {
    this.config = Map.copyOf(config);
  }

  /** The catalog properties a client's file IO needs; none for a warehouse on local disk. */
  private static final Set<String> STORAGE_KEYS =
      Set.of(
          "io-impl",
          "s3.endpoint",
          "s3.path-style-access",
          "client.region",
          "s3.access-key-id",
          "s3.secret-access-key",
          "s3.session-token");

  /** What clients of this configuration's catalog need for its tables' files. */
  public static TableConfig forClients(LagoaConfig config) {
    Map<String, String> clients = new LinkedHashMap<>();
    if (config.warehouseOnS3()) {
      CatalogProperties.of(config)
          .forEach(
              (key, value) -> {
                if (STORAGE_KEYS.contains(key)) {
                  clients.put(key, value);
                }
              });
    }
    return new TableConfig(clients);
  }

  /** Keys only, for logs: the values may be credentials. */
  @Override
  public String toString() {
    return "TableConfig" + config.keySet();
  }

  public LoadTableResponse withConfig(LoadTableResponse response) {
    if (config.isEmpty()) {
      return response;
    }
    return LoadTableResponse.builder()
        .withTableMetadata(response.tableMetadata())
        .addAllConfig(response.config())
        .addAllConfig(config)
        .addAllCredentials(response.credentials())
        .build();
  }
}

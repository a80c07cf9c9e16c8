package io.lagoa.server.rest;

import java.util.Map;
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

package io.lagoa.catalog;

import java.util.Map;
import org.apache.iceberg.rest.HTTPClient;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTUtil;

/**
 * Iceberg's REST catalog client, with one addition: a pipeline batch the server refuses because
 * another run committed first comes back as a {@link io.lagoa.pipeline.ConcurrentRunException}, as
 * it does from the SQLite and PostgreSQL catalogs ({@link ConcurrentRunErrorClient}). Everything
 * else (HTTP, authentication, retries of a lost commit) is Iceberg's own client.
 */
public class LagoaRestCatalog extends RESTCatalog {
  public LagoaRestCatalog() {
    super(LagoaRestCatalog::httpClient);
  }

  /** The HTTP client Iceberg's {@link RESTCatalog} builds, with the refusal translated. */
  private static ConcurrentRunErrorClient httpClient(Map<String, String> properties) {
    return new ConcurrentRunErrorClient(
        HTTPClient.builder(properties)
            .uri(properties.get(org.apache.iceberg.CatalogProperties.URI))
            .withHeaders(RESTUtil.configHeaders(properties))
            .build());
  }
}

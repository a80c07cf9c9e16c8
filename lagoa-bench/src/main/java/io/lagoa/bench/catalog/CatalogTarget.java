package io.lagoa.bench.catalog;

/** How the clients reach the catalog. */
public enum CatalogTarget {
  /** Iceberg's REST client ({@code RESTCatalog}), one per client, over HTTP to a Lagoa server. */
  REST("rest"),
  /**
   * The reference: the same catalog called through the Iceberg Java API in this JVM, no HTTP, one
   * catalog shared by the clients as the server shares it. What the server adds is on top of this.
   */
  DIRECT("direct");

  private final String label;

  CatalogTarget(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}

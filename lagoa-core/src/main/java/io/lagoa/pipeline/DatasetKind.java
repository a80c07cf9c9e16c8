package io.lagoa.pipeline;

/** What a pipeline statement defines. */
public enum DatasetKind {
  /** Recomputed from its query on every run and replaced in one commit. */
  MATERIALIZED_VIEW("materialized view"),
  /** Processes only the source data appended since the last run: appends, or merges on keys. */
  STREAMING_TABLE("streaming table"),
  /** Never stored: its query is inlined into the flows that read it. */
  TEMPORARY_VIEW("temporary view");

  private final String description;

  DatasetKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** True for the kinds that are written to an Iceberg table. */
  public boolean isTable() {
    return this != TEMPORARY_VIEW;
  }
}

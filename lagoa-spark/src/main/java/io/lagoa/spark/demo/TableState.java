package io.lagoa.spark.demo;

/**
 * A table a step wrote, as of the step's end.
 *
 * @param table name without the catalog, e.g. {@code silver.vendas}
 * @param rows rows in the current snapshot
 * @param snapshotId the current snapshot
 */
public record TableState(String table, long rows, long snapshotId) {}

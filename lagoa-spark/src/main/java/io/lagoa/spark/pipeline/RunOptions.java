package io.lagoa.spark.pipeline;

import java.util.List;

/**
 * How to run a pipeline.
 *
 * @param select selectors such as {@code silver.users+}; empty runs every table
 * @param fullRefresh recompute streaming tables from all their source data
 * @param dryRun check every flow against the catalog and write nothing
 * @param parallelism how many independent flows may run at once
 */
public record RunOptions(List<String> select, boolean fullRefresh, boolean dryRun, int parallelism) {
  public RunOptions {
    select = List.copyOf(select);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, but is " + parallelism);
    }
  }

  public static RunOptions defaults() {
    return new RunOptions(List.of(), false, false, 2);
  }
}

package io.lagoa.spark.pipeline;

import java.util.List;

/**
 * How to run a pipeline.
 *
 * @param select selectors such as {@code silver.users+}; empty runs every table
 * @param fullRefresh recompute streaming tables from all their source data
 * @param dryRun check every flow against the catalog and write nothing
 * @param parallelism how many independent flows may run at once
 * @param recordIdleRuns record a run in lagoa_system even when every flow was up to date (a
 *     continuous run checks for new data every second and records only the runs that found some)
 * @param recordHistory record the run in lagoa_system at its end (a continuous run records its
 *     batches together, every half minute, rather than in three commits per batch)
 */
public record RunOptions(
    List<String> select,
    boolean fullRefresh,
    boolean dryRun,
    int parallelism,
    boolean recordIdleRuns,
    boolean recordHistory) {

  public RunOptions(List<String> select, boolean fullRefresh, boolean dryRun, int parallelism) {
    this(select, fullRefresh, dryRun, parallelism, true, true);
  }

  public RunOptions {
    select = List.copyOf(select);
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, but is " + parallelism);
    }
  }

  /** The same options for the runs after the first of a continuous run. */
  public RunOptions next() {
    return new RunOptions(select, false, dryRun, parallelism, false, recordHistory);
  }

  /** These options with the history recorded by the caller. */
  public RunOptions historyByCaller() {
    return new RunOptions(select, fullRefresh, dryRun, parallelism, recordIdleRuns, false);
  }

  public static RunOptions defaults() {
    return new RunOptions(List.of(), false, false, 2);
  }
}

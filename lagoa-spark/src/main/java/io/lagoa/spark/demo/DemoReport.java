package io.lagoa.spark.demo;

import java.util.List;

/**
 * A whole demo run.
 *
 * @param snapshotBeforeMerge silver's snapshot before the MERGE: what time travel reads
 * @param snapshotAfterMerge silver's snapshot the MERGE committed
 * @param updatedIds a few ids of sales the MERGE updated, the ones the demo shows
 * @param nanos the run's time, Spark's start not included
 */
public record DemoReport(
    DemoOptions options,
    DemoTables tables,
    List<StepResult> steps,
    long snapshotBeforeMerge,
    long snapshotAfterMerge,
    List<Long> updatedIds,
    long nanos) {

  public DemoReport {
    steps = List.copyOf(steps);
    updatedIds = List.copyOf(updatedIds);
  }

  public StepResult step(DemoStep step) {
    return steps.stream()
        .filter(result -> result.step() == step)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Cannot find step " + step + " in report"));
  }
}

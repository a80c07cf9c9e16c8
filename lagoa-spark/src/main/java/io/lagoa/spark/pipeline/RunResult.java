package io.lagoa.spark.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a pipeline run did.
 *
 * @param restored what was put back after a failure, one line per table
 * @param unrestored tables that could not be put back after a failure, each with why and what to do
 * @param historyError why the run could not be recorded in lagoa_system, if it could not
 */
public record RunResult(
    String runId,
    String pipeline,
    Status status,
    Instant startedAt,
    Instant endedAt,
    List<FlowResult> flows,
    Optional<String> error,
    List<String> restored,
    List<String> unrestored,
    Optional<String> historyError) {

  public enum Status {
    SUCCEEDED,
    FAILED,
    DRY_RUN,
    /** Killed part way; recorded by the run after it, which put its tables back. */
    INTERRUPTED
  }

  public RunResult {
    flows = List.copyOf(flows);
    restored = List.copyOf(restored);
    unrestored = List.copyOf(unrestored);
  }
}

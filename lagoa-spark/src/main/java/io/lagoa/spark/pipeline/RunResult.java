package io.lagoa.spark.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a pipeline run did.
 *
 * @param error what failed, as one message for the person who runs the pipeline
 * @param restored what was put back after a failure, one line per table
 * @param unrestored tables that could not be put back after a failure, each with why and what to do
 * @param historyError why the run could not be recorded in lagoa_system, if it could not
 * @param failure the failure behind {@code error}, with its code and typed cause: the first flow's
 *     that failed, or the run's own (it could not start, it was interrupted)
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
    Optional<String> historyError,
    Optional<LagoaException> failure) {

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

  /** A run without a typed failure. */
  public RunResult(
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
    this(
        runId,
        pipeline,
        status,
        startedAt,
        endedAt,
        flows,
        error,
        restored,
        unrestored,
        historyError,
        Optional.empty());
  }

  /**
   * The code an adapter reports for this run (the CLI's exit code is its {@link
   * ErrorCode#exitCode}); empty when the run succeeded. By the rule of {@link ErrorCode}:
   *
   * <ul>
   *   <li>a failure that rejects the input or finds a service not answering (exit code 2, e.g.
   *       {@link ErrorCode#KAFKA_UNREACHABLE}) keeps its code when the run changed no table:
   *       nothing ran;
   *   <li>the same failure after the run had committed to a table (put back since) is a run that
   *       failed in the middle of its work: {@link ErrorCode#PIPELINE_FAILED};
   *   <li>any other failure keeps its code (all exit with 1: {@link ErrorCode#PIPELINE_FAILED},
   *       {@link ErrorCode#TABLE_CONFLICT}, {@link ErrorCode#SQL_ERROR}, {@link
   *       ErrorCode#IO_ERROR}, {@link ErrorCode#INTERNAL_ERROR}...), so an HTTP adapter can tell an
   *       external failure and a bug from a user's error by its {@link ErrorCode#type}.
   * </ul>
   */
  public Optional<ErrorCode> errorCode() {
    if (status == Status.SUCCEEDED || status == Status.DRY_RUN) {
      return Optional.empty();
    }
    if (failure.isEmpty()) {
      return Optional.of(ErrorCode.PIPELINE_FAILED);
    }
    ErrorCode code = failure.get().code();
    boolean changedTables = !restored.isEmpty() || !unrestored.isEmpty();
    if (code.exitCode() == 2 && changedTables) {
      return Optional.of(ErrorCode.PIPELINE_FAILED);
    }
    return Optional.of(code);
  }

  /** What the user can do about the failure, for the adapter to word (see {@link Remedy}). */
  public Optional<Remedy> remedy() {
    return failure.flatMap(LagoaException::remedyOf);
  }
}

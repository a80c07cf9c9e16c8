package io.lagoa.service.produce;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;

/**
 * A {@link LagoaException} from producing, with what went wrong as a {@link Problem}, so an adapter
 * can tell the user which of its own options or commands fixes it.
 */
public final class ProduceException extends LagoaException {
  private static final long serialVersionUID = 1L;

  /** What went wrong; which value was bad, for the invalid ones. */
  public enum Problem {
    RATE(ErrorCode.INVALID_ARGUMENT),
    REPEAT(ErrorCode.INVALID_ARGUMENT),
    LOOP_WITH_REPEAT(ErrorCode.INVALID_ARGUMENT),
    REPLAY_INPUT(ErrorCode.INVALID_ARGUMENT),
    PARTITIONS(ErrorCode.INVALID_ARGUMENT),
    TOPIC(ErrorCode.INVALID_ARGUMENT),
    BOOTSTRAP_SERVERS(ErrorCode.INVALID_ARGUMENT),
    /** The file cannot be read before sending. */
    FILE(ErrorCode.INVALID_ARGUMENT),
    /** A line is not JSON (and raw was not asked for). */
    INVALID_JSON(ErrorCode.INVALID_ARGUMENT),
    /** A record lacks the key field. */
    KEY_FIELD(ErrorCode.INVALID_ARGUMENT),
    /** The topic does not exist (and creating it was not asked for). */
    TOPIC_MISSING(ErrorCode.INVALID_ARGUMENT),
    /** No broker answers at the bootstrap servers. */
    UNREACHABLE(ErrorCode.KAFKA_UNREACHABLE),
    /** Reading the input or sending failed in the middle. */
    FAILED(ErrorCode.IO_ERROR);

    private final ErrorCode code;

    Problem(ErrorCode code) {
      this.code = code;
    }

    public ErrorCode code() {
      return code;
    }
  }

  private final Problem problem;

  ProduceException(Problem problem, String message) {
    super(problem.code(), message);
    this.problem = problem;
  }

  ProduceException(Problem problem, String message, Throwable cause) {
    super(problem.code(), message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}

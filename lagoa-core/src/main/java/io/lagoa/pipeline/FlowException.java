package io.lagoa.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import java.util.List;
import java.util.Set;

/**
 * A flow failed; the message starts with the place in the pipeline's files when it has one.
 *
 * <p>Its code is that of what failed, so an adapter reports a Kafka that does not answer inside a
 * run as it does anywhere else: given, or else the code of the first {@link LagoaException} among
 * its causes, {@link ErrorCode#KAFKA_UNREACHABLE} for a Kafka client's network error, and {@link
 * ErrorCode#PIPELINE_FAILED} for anything else. The runner decides what a run reports.
 */
public class FlowException extends LagoaException {
  private static final long serialVersionUID = 1L;

  /** The Kafka client's errors for a broker it cannot reach or that stopped answering. */
  private static final Set<String> KAFKA_NETWORK_ERRORS =
      Set.of(
          "org.apache.kafka.common.errors.TimeoutException",
          "org.apache.kafka.common.errors.DisconnectException",
          "org.apache.kafka.common.errors.NetworkException");

  private final transient List<ExpectationResult> expectations;

  public FlowException(String message, Throwable cause) {
    this(codeOf(cause), message, cause, null, List.of());
  }

  public FlowException(String message, Throwable cause, List<ExpectationResult> expectations) {
    this(codeOf(cause), message, cause, null, expectations);
  }

  /** A failure whose code the thrower knows, e.g. {@link ErrorCode#KAFKA_UNREACHABLE}. */
  public FlowException(ErrorCode code, String message, Throwable cause) {
    this(code, message, cause, null, List.of());
  }

  /**
   * A failure the user can remedy: the message says what is wrong with the tables or values, the
   * adapter words the remedy.
   */
  public FlowException(String message, Throwable cause, Remedy remedy) {
    this(codeOf(cause), message, cause, remedy, List.of());
  }

  private FlowException(
      ErrorCode code,
      String message,
      Throwable cause,
      Remedy remedy,
      List<ExpectationResult> expectations) {
    super(code, message, cause, remedy);
    this.expectations = List.copyOf(expectations);
  }

  /** The expectation counts when the flow failed on a FAIL expectation. */
  public List<ExpectationResult> expectations() {
    return expectations;
  }

  /** The code of a flow failed by {@code cause} (null: the flow's own check failed). */
  public static ErrorCode codeOf(Throwable cause) {
    for (Throwable error = cause; error != null; error = error.getCause()) {
      if (error instanceof LagoaException lagoa) {
        return lagoa.code();
      }
      if (KAFKA_NETWORK_ERRORS.contains(error.getClass().getName())) {
        return ErrorCode.KAFKA_UNREACHABLE;
      }
      if (error.getCause() == error) {
        break;
      }
    }
    return ErrorCode.PIPELINE_FAILED;
  }
}

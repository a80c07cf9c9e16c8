package io.lagoa.spark.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.List;

/** A flow failed; the message starts with the place in the pipeline's files when it has one. */
public class FlowException extends LagoaException {
  private static final long serialVersionUID = 1L;
  private final transient List<ExpectationResult> expectations;

  public FlowException(String message, Throwable cause) {
    this(message, cause, List.of());
  }

  public FlowException(String message, Throwable cause, List<ExpectationResult> expectations) {
    super(ErrorCode.PIPELINE_FAILED, message, cause);
    this.expectations = List.copyOf(expectations);
  }

  /** The expectation counts when the flow failed on a FAIL expectation. */
  public List<ExpectationResult> expectations() {
    return expectations;
  }
}

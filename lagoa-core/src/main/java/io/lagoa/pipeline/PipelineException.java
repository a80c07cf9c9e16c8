package io.lagoa.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import java.util.List;

/**
 * A pipeline definition is wrong. Carries every problem found, each starting with the place it is
 * at ({@code file.sql:line:col: message}), so one validate run shows all of them.
 */
public final class PipelineException extends LagoaException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public PipelineException(List<String> problems) {
    this(problems, null);
  }

  /**
   * @param remedy what the user can do, which the adapter words (the problems do not name it)
   */
  public PipelineException(List<String> problems, Remedy remedy) {
    super(ErrorCode.PIPELINE_INVALID, message(problems), null, remedy);
    this.problems = List.copyOf(problems);
  }

  public static PipelineException at(SourcePosition position, String problem) {
    return new PipelineException(List.of(position + ": " + problem));
  }

  public static PipelineException at(String location, String problem) {
    return new PipelineException(List.of(location + ": " + problem));
  }

  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    return "the pipeline has " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
  }
}

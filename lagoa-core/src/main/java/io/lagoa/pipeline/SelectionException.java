package io.lagoa.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.List;

/**
 * A selection of what to run ({@link PipelineGraph#select}) names no dataset, or no table. The
 * message speaks of selectors; {@link #message(String)} words it with the adapter's name for the
 * selection instead (the CLI's {@code --select}).
 */
public final class SelectionException extends LagoaException {
  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param selector the selector it is about, or null when it is about the whole selection
   * @param text what is wrong
   */
  public record Problem(String selector, String text) {}

  private final List<Problem> problems;

  public SelectionException(List<Problem> problems) {
    super(ErrorCode.PIPELINE_INVALID, message(problems, null));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  /** The message with {@code name} (say, {@code --select}) naming the selection and selectors. */
  public String message(String name) {
    return message(problems, name);
  }

  private static String message(List<Problem> problems, String name) {
    List<String> lines =
        problems.stream()
            .map(
                problem ->
                    problem.selector() == null
                        ? (name == null ? "" : name + ": ") + problem.text()
                        : (name == null ? "selector" : name)
                            + " "
                            + problem.selector()
                            + ": "
                            + problem.text())
            .toList();
    if (lines.size() == 1) {
      return lines.get(0);
    }
    return "the selection has " + lines.size() + " problems:\n  " + String.join("\n  ", lines);
  }
}

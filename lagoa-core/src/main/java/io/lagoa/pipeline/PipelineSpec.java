package io.lagoa.pipeline;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code pipeline.yaml} says.
 *
 * @param folder the pipeline's folder, absolute
 * @param namespace where tables named without a namespace go, e.g. {@code silver}
 * @param variables values for {@code ${name}} in the SQL files, after command-line overrides
 * @param expectationPolicy the policy of expectations written without ON VIOLATION
 */
public record PipelineSpec(
    String name,
    Path folder,
    Optional<String> namespace,
    Map<String, String> variables,
    ExpectationPolicy expectationPolicy) {

  public PipelineSpec {
    variables = Map.copyOf(variables);
  }
}

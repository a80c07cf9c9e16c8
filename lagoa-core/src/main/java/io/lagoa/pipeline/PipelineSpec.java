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
 * @param triggerInterval in continuous mode, the time between the starts of two runs
 * @param compactEvery in continuous mode, compact the streaming tables' small files after this many
 *     runs that wrote data; 0 never
 * @param hashStandard how the Data Vault tables turn business keys into hash keys ({@code
 *     hash-standard}); recorded on each table, and a run with another one is refused
 */
public record PipelineSpec(
    String name,
    Path folder,
    Optional<String> namespace,
    Map<String, String> variables,
    ExpectationPolicy expectationPolicy,
    java.time.Duration triggerInterval,
    int compactEvery,
    io.lagoa.vault.HashStandard hashStandard) {

  public static final java.time.Duration DEFAULT_TRIGGER_INTERVAL = java.time.Duration.ofSeconds(1);
  public static final int DEFAULT_COMPACT_EVERY = 100;

  public PipelineSpec(
      String name,
      Path folder,
      Optional<String> namespace,
      Map<String, String> variables,
      ExpectationPolicy expectationPolicy) {
    this(
        name,
        folder,
        namespace,
        variables,
        expectationPolicy,
        DEFAULT_TRIGGER_INTERVAL,
        DEFAULT_COMPACT_EVERY,
        io.lagoa.vault.HashStandard.DEFAULT);
  }

  public PipelineSpec {
    variables = Map.copyOf(variables);
  }
}

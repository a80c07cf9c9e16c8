package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;

/** Hears about a run's progress, e.g. to print a line per flow. Called from worker threads. */
public interface PipelineListener {
  PipelineListener NONE = new PipelineListener() {};

  default void runStarted(String runId, int flows) {}

  default void flowStarted(Dataset dataset, String action) {}

  default void flowFinished(FlowResult result) {}

  default void restored(String message) {}
}

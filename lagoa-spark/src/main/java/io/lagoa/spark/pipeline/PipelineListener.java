package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import java.util.List;

/** Hears about a run's progress, e.g. to print a line per flow. Called from worker threads. */
public interface PipelineListener {
  PipelineListener NONE = new PipelineListener() {};

  default void runStarted(String runId, int flows) {}

  default void flowStarted(Dataset dataset, String action) {}

  default void flowFinished(FlowResult result) {}

  default void restored(String message) {}

  /**
   * A flow's commit lost to another run of the pipeline (see {@link ConcurrentRunConflict}); the
   * flow is planned again from the table's new state.
   */
  default void replanned(Dataset dataset, String reason) {}

  /** After the run, with every flow's final status (skipped, rolled back) and the history. */
  default void runFinished(RunResult result) {}

  /** Tells each listener in turn. */
  static PipelineListener all(List<PipelineListener> listeners) {
    List<PipelineListener> copy = List.copyOf(listeners);
    return new PipelineListener() {
      @Override
      public void runStarted(String runId, int flows) {
        copy.forEach(listener -> listener.runStarted(runId, flows));
      }

      @Override
      public void flowStarted(Dataset dataset, String action) {
        copy.forEach(listener -> listener.flowStarted(dataset, action));
      }

      @Override
      public void flowFinished(FlowResult result) {
        copy.forEach(listener -> listener.flowFinished(result));
      }

      @Override
      public void restored(String message) {
        copy.forEach(listener -> listener.restored(message));
      }

      @Override
      public void replanned(Dataset dataset, String reason) {
        copy.forEach(listener -> listener.replanned(dataset, reason));
      }

      @Override
      public void runFinished(RunResult result) {
        copy.forEach(listener -> listener.runFinished(result));
      }
    };
  }
}

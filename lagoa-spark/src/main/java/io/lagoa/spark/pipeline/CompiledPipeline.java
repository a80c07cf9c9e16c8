package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.PipelineGraph;
import io.lagoa.pipeline.PipelineSource;
import java.util.Map;

/** A pipeline read, parsed and checked: ready to run. */
public record CompiledPipeline(
    PipelineSource source, PipelineGraph graph, Map<String, DatasetPlan> plans) {

  public CompiledPipeline {
    plans = Map.copyOf(plans);
  }

  public String name() {
    return source.spec().name();
  }

  DatasetPlan plan(Dataset dataset) {
    return plans.get(dataset.name());
  }
}

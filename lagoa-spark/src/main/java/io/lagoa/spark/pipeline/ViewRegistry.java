package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineGraph;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the pipeline's temporary views in the run's session, each once and only when a flow needs
 * it: a view is resolved against the tables it reads when it is created, and those are written by
 * earlier flows of the run. Spark re-reads a view's tables each time it is used.
 */
final class ViewRegistry {
  private final SparkSession spark;
  private final PipelineGraph graph;
  private final Set<String> created = new HashSet<>();

  ViewRegistry(SparkSession spark, PipelineGraph graph) {
    this.spark = spark;
    this.graph = graph;
  }

  synchronized void ensure(Dataset dataset, FlowExecutor executor) {
    for (Input input : dataset.inputs()) {
      if (input.kind() != Input.Kind.DATASET) {
        continue;
      }
      Dataset upstream = graph.dataset(input.name()).orElseThrow();
      if (upstream.kind() == DatasetKind.TEMPORARY_VIEW && !created.contains(upstream.name())) {
        ensure(upstream, executor);
        executor.sql(upstream.statement(), executor.viewText(upstream));
        created.add(upstream.name());
      }
    }
  }

  synchronized void dropAll() {
    for (String view : created) {
      spark.catalog().dropTempView(view);
    }
    created.clear();
  }
}

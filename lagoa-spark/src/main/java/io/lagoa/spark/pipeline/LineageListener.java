package io.lagoa.spark.pipeline;

import io.lagoa.config.LagoaConfig;
import io.lagoa.config.LineageConfig;
import io.lagoa.lineage.FlowOutcome;
import io.lagoa.lineage.LineageEmitter;
import io.lagoa.lineage.PipelineLineage;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.ExpectationResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a pipeline run's OpenLineage events (see {@link PipelineLineage}) as the run goes: the
 * adapter from the runner's flow results to the engine-neutral lineage events. It never throws:
 * lineage must not fail a run.
 */
public final class LineageListener implements PipelineListener {
  private static final Logger LOG = LoggerFactory.getLogger(LineageListener.class);

  private final LagoaConfig config;
  private final CompiledPipeline pipeline;
  private final SparkSession spark;
  private final Consumer<String> console;
  private final Consumer<String> warnings;
  private final Clock clock;
  private LineageEmitter emitter;
  private PipelineLineage lineage;

  /**
   * @param console where the console transport prints events
   * @param warnings told once per run when events cannot be delivered
   */
  public LineageListener(
      LagoaConfig config,
      CompiledPipeline pipeline,
      SparkSession spark,
      Consumer<String> console,
      Consumer<String> warnings,
      Clock clock) {
    this.config = config;
    this.pipeline = pipeline;
    this.spark = spark;
    this.console = console;
    this.warnings = warnings;
    this.clock = clock;
  }

  @Override
  public synchronized void runStarted(String runId, int flows) {
    LineageConfig settings = config.lineage();
    try {
      emitter = LineageEmitter.open(settings, console, warnings);
      lineage =
          new PipelineLineage(
              settings.namespace(),
              pipeline.name(),
              pipeline.graph(),
              PipelineRunner.icebergCatalog(spark),
              config.warehouse(),
              config.catalog().type().configName(),
              emitter);
      lineage.runStarted(runId, clock.instant());
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void flowStarted(Dataset dataset, String action) {
    PipelineLineage current = current();
    if (current == null || !dataset.kind().isTable()) {
      return;
    }
    try {
      current.flowStarted(dataset, clock.instant());
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void flowFinished(FlowResult result) {
    PipelineLineage current = current();
    Optional<Dataset> dataset = pipeline.graph().dataset(result.flow());
    if (current == null || dataset.isEmpty() || !dataset.get().kind().isTable()) {
      return;
    }
    FlowOutcome.State state =
        switch (result.status()) {
          case SUCCEEDED, UP_TO_DATE -> FlowOutcome.State.COMPLETED;
          case FAILED -> FlowOutcome.State.FAILED;
          default -> null; // not run: reported when the run ends
        };
    if (state == null) {
      return;
    }
    List<FlowOutcome.Check> checks = new ArrayList<>();
    for (ExpectationResult expectation : result.expectations()) {
      checks.add(
          new FlowOutcome.Check(
              expectation.rule(),
              expectation.condition(),
              expectation.policy().configName(),
              expectation.rowsChecked(),
              expectation.rowsFailed()));
    }
    try {
      current.flowFinished(
          dataset.get(),
          new FlowOutcome(
              result.flow(),
              state,
              result.endedAt(),
              result.rowsWritten(),
              result.rowsQuarantined(),
              checks,
              result.error()));
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void runFinished(RunResult result) {
    PipelineLineage current = current();
    if (current == null) {
      return;
    }
    try {
      for (FlowResult flow : result.flows()) {
        Optional<Dataset> dataset = pipeline.graph().dataset(flow.flow());
        if (flow.status() == FlowStatus.SKIPPED
            && dataset.isPresent()
            && dataset.get().kind().isTable()) {
          current.flowSkipped(
              dataset.get(),
              result.endedAt(),
              "not run: " + result.error().orElse("an earlier flow failed"));
        }
      }
      Optional<String> error = result.error();
      if (error.isPresent() && !result.restored().isEmpty()) {
        error = Optional.of(error.get() + "; restored: " + String.join("; ", result.restored()));
      }
      current.runFinished(result.status() == RunResult.Status.SUCCEEDED, error, result.endedAt());
    } catch (RuntimeException e) {
      fail(e);
    } finally {
      synchronized (this) {
        emitter.close();
        lineage = null;
      }
    }
  }

  private synchronized PipelineLineage current() {
    return lineage;
  }

  private void fail(RuntimeException e) {
    LOG.warn("cannot build OpenLineage events for pipeline {}", pipeline.name(), e);
  }
}

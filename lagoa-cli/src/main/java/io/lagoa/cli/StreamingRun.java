package io.lagoa.cli;

import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import io.lagoa.spark.pipeline.CompiledPipeline;
import io.lagoa.spark.pipeline.ContinuousRunner;
import io.lagoa.spark.pipeline.FlowResult;
import io.lagoa.spark.pipeline.FlowStatus;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.PipelineRunner;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code lagoa pipeline run --continuous | --once}: micro-batches with one line per batch that
 * found data, and the totals at the end.
 *
 * <p>Ctrl-C and SIGTERM are taken over while it runs (sun.misc.Signal, the JDK's only hook for
 * this): the first asks the loop to stop after the running batch commits, and the process exits
 * 0; a second stops at once. The default handlers would start the JVM's shutdown, during which
 * Spark stops its own context under the running batch.
 */
final class StreamingRun {
  private final Cli cli;
  private final OutputOptions output;
  private final AtomicBoolean stop = new AtomicBoolean();

  StreamingRun(Cli cli, OutputOptions output) {
    this.cli = cli;
    this.output = output;
  }

  /** @param listener hears about every batch (e.g. lineage events) */
  /**
   * @param journal where each batch notes its tables before writing (the pipeline's lease)
   * @param leaseLost whether another runner took the pipeline's lease: stop after this batch
   */
  int run(SparkSession spark, CompiledPipeline pipeline, RunOptions options,
      ContinuousRunner.Mode mode, PipelineListener listener, RunJournal journal,
      java.util.function.BooleanSupplier leaseLost) {
    List<Signal> signals = new ArrayList<>();
    List<SignalHandler> previous = new ArrayList<>();
    for (String name : List.of("INT", "TERM")) {
      try {
        Signal signal = new Signal(name);
        previous.add(Signal.handle(signal, this::onSignal));
        signals.add(signal);
      } catch (IllegalArgumentException e) {
        // not on this platform (or the JVM was started with -Xrs): Ctrl-C stops at once
      }
    }
    try {
      if (mode == ContinuousRunner.Mode.CONTINUOUS) {
        cli.err().println("running " + pipeline.name() + " continuously, a batch every "
            + Values.seconds(pipeline.source().spec().triggerInterval().toNanos())
            + "; Ctrl-C stops after the running batch commits");
      }
      PipelineRunner runner = new PipelineRunner(spark, listener, Clock.systemUTC(), journal);
      ContinuousRunner.Summary summary = new ContinuousRunner(runner, spark, Clock.systemUTC())
          .run(pipeline, options, mode, () -> stop.get() || leaseLost.getAsBoolean(), new Lines());
      if (leaseLost.getAsBoolean()) {
        throw new LagoaException(ErrorCode.PIPELINE_BUSY, "another runner took over the lease of"
            + " pipeline " + pipeline.name() + " (with --force); this one stopped after its last"
            + " committed batch");
      }
      cli.printer().print(totals(summary), output.format(), cli.out());
      RunResult last = summary.last();
      if (last != null && last.status() == RunResult.Status.FAILED) {
        throw new LagoaException(ErrorCode.PIPELINE_FAILED, "pipeline run failed: "
            + last.error().orElse("a flow failed") + "\nthe failed batch was rolled back; every"
            + " table is as it was after the last good batch (run id " + last.runId() + ")");
      }
      cli.err().println(pipeline.name() + (summary.stopped() ? " stopped" : " caught up")
          + " after " + summary.runs() + " batches, " + summary.runsWithData() + " with new data");
      return 0;
    } finally {
      for (int i = 0; i < signals.size(); i++) {
        Signal.handle(signals.get(i), previous.get(i));
      }
    }
  }

  private void onSignal(Signal signal) {
    if (stop.getAndSet(true)) {
      cli.err().println("\nstopping now; the batch that was running is not committed and will"
          + " be read again on the next run");
      cli.err().flush();
      Runtime.getRuntime().halt(130);
    }
    cli.err().println("\nSIG" + signal.getName() + ": stopping after the running batch commits"
        + " (again to stop at once)");
    cli.err().flush();
  }

  /** One line per batch that found data, per retry and per compaction. */
  private final class Lines implements ContinuousRunner.Observer {
    private int batch;

    @Override
    public void runFinished(RunResult result) {
      batch++;
      List<String> parts = new ArrayList<>();
      for (FlowResult flow : result.flows()) {
        if (flow.status() == FlowStatus.SUCCEEDED) {
          String part = flow.flow() + " +" + flow.rowsWritten();
          if (flow.rowsQuarantined() > 0) {
            part += " (" + flow.rowsQuarantined() + " quarantined)";
          }
          parts.add(part);
        }
      }
      if (parts.isEmpty() && result.status() == RunResult.Status.SUCCEEDED) {
        return;
      }
      String took = Values.seconds(Duration.between(result.startedAt(), result.endedAt()).toNanos());
      String line = LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " batch " + batch + ": "
          + (result.status() == RunResult.Status.FAILED
              ? "failed: " + result.error().orElse("").lines().findFirst().orElse("")
              : String.join(", ", parts))
          + " (" + took + ")";
      synchronized (cli) {
        cli.err().println(line);
        cli.err().flush();
      }
    }

    @Override
    public void retrying(RunResult failed, Duration wait, int failures) {
      cli.err().println("  retrying in " + wait.toSeconds() + " s (failure " + failures + " of "
          + 5 + " in a row)");
    }

    @Override
    public void compacted(String table, String outcome) {
      cli.err().println("  compacted " + table + ": " + outcome);
    }
  }

  private static QueryResult totals(ContinuousRunner.Summary summary) {
    List<ResultColumn> columns = List.of(
        new ResultColumn("flow", "string"), new ResultColumn("batches_with_data", "int"),
        new ResultColumn("rows_read", "bigint"), new ResultColumn("rows_written", "bigint"),
        new ResultColumn("dropped", "bigint"), new ResultColumn("quarantined", "bigint"));
    List<List<Object>> rows = new ArrayList<>();
    for (Map.Entry<String, ContinuousRunner.FlowTotals> flow : summary.flows().entrySet()) {
      ContinuousRunner.FlowTotals totals = flow.getValue();
      rows.add(List.of(flow.getKey(), totals.runsWithData(), totals.rowsRead(),
          totals.rowsWritten(), totals.rowsDropped(), totals.rowsQuarantined()));
    }
    return new QueryResult(columns, rows, false);
  }
}

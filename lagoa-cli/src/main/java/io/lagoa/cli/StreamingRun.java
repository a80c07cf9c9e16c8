package io.lagoa.cli;

import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import io.lagoa.service.PipelineService;
import io.lagoa.service.StopHandle;
import io.lagoa.spark.pipeline.ContinuousRunner;
import io.lagoa.spark.pipeline.FlowResult;
import io.lagoa.spark.pipeline.FlowStatus;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code lagoa pipeline run --continuous | --once}: micro-batches with one line per batch that
 * found data, and the totals at the end.
 *
 * <p>Ctrl-C and SIGTERM are taken over while it runs (sun.misc.Signal, the JDK's only hook for
 * this): the first asks the loop to stop after the running batch commits, and the process exits 0;
 * a second stops at once. The default handlers would start the JVM's shutdown, during which Spark
 * stops its own context under the running batch.
 */
final class StreamingRun {
  private final Cli cli;
  private final OutputOptions output;
  private final StopHandle stop = new StopHandle();

  StreamingRun(Cli cli, OutputOptions output) {
    this.cli = cli;
    this.output = output;
  }

  int run(
      PipelineService pipelines,
      PipelineSource source,
      RunOptions options,
      ContinuousRunner.Mode mode,
      PipelineService.LeaseOptions lease,
      PipelineService.RunEvents events) {
    List<Signal> signals = new ArrayList<>();
    List<SignalHandler> previous = new ArrayList<>();
    // Signals are taken over once the batches start, not while the lease is waited for.
    PipelineService.RunEvents withSignals =
        new PipelineService.RunEvents() {
          @Override
          public void waiting(String message) {
            events.waiting(message);
          }

          @Override
          public void leaseTakenOver(String pipeline, PipelineLeases.Holder from) {
            events.leaseTakenOver(pipeline, from);
          }

          @Override
          public void recovered(String message) {
            events.recovered(message);
          }

          @Override
          public void streamStarted(
              String pipeline, ContinuousRunner.Mode started, Duration interval) {
            for (String name : List.of("INT", "TERM")) {
              try {
                Signal signal = new Signal(name);
                previous.add(Signal.handle(signal, StreamingRun.this::onSignal));
                signals.add(signal);
              } catch (IllegalArgumentException e) {
                // not on this platform (or the JVM was started with -Xrs): Ctrl-C stops at once
              }
            }
            events.streamStarted(pipeline, started, interval);
          }

          @Override
          public void lineageEvent(String event) {
            events.lineageEvent(event);
          }

          @Override
          public void lineageWarning(String warning) {
            events.lineageWarning(warning);
          }
        };
    try {
      PipelineService.StreamResult result =
          pipelines.stream(source, options, mode, lease, stop, withSignals, new Lines());
      if (result.leaseLost()) {
        throw new LagoaException(
            ErrorCode.PIPELINE_BUSY,
            "another runner took over the lease of"
                + " pipeline "
                + result.pipeline()
                + " (with --force); this one stopped after its"
                + " last committed batch");
      }
      ContinuousRunner.Summary summary = result.summary();
      cli.printer().print(totals(summary), output.format(), cli.out());
      Optional<LagoaException> failure = PipelineService.failure(summary);
      if (failure.isPresent()) {
        throw failure.get();
      }
      cli.err()
          .println(
              result.pipeline()
                  + (summary.stopped() ? " stopped" : " caught up")
                  + " after "
                  + summary.runs()
                  + " batches, "
                  + summary.runsWithData()
                  + " with new data");
      return 0;
    } finally {
      for (int i = 0; i < signals.size(); i++) {
        Signal.handle(signals.get(i), previous.get(i));
      }
    }
  }

  private void onSignal(Signal signal) {
    if (stop.stop()) {
      cli.err()
          .println(
              "\nstopping now; the batch that was running is not committed and will"
                  + " be read again on the next run");
      cli.err().flush();
      Runtime.getRuntime().halt(130);
    }
    cli.err()
        .println(
            "\nSIG"
                + signal.getName()
                + ": stopping after the running batch commits"
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
      String took =
          Values.seconds(Duration.between(result.startedAt(), result.endedAt()).toNanos());
      String line =
          LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
              + " batch "
              + batch
              + ": "
              + (result.status() == RunResult.Status.FAILED
                  ? "failed: " + result.error().orElse("").lines().findFirst().orElse("")
                  : String.join(", ", parts))
              + " ("
              + took
              + ")";
      synchronized (cli) {
        cli.err().println(line);
        cli.err().flush();
      }
    }

    @Override
    public void retrying(RunResult failed, Duration wait, int failures) {
      cli.err()
          .println(
              "  retrying in "
                  + wait.toSeconds()
                  + " s (failure "
                  + failures
                  + " of "
                  + 5
                  + " in a row)");
    }

    @Override
    public void compacted(String table, String outcome) {
      cli.err().println("  compacted " + table + ": " + outcome);
    }
  }

  private static QueryResult totals(ContinuousRunner.Summary summary) {
    List<ResultColumn> columns =
        List.of(
            new ResultColumn("flow", "string"), new ResultColumn("batches_with_data", "int"),
            new ResultColumn("rows_read", "bigint"), new ResultColumn("rows_written", "bigint"),
            new ResultColumn("dropped", "bigint"), new ResultColumn("quarantined", "bigint"));
    List<List<Object>> rows = new ArrayList<>();
    for (Map.Entry<String, ContinuousRunner.FlowTotals> flow : summary.flows().entrySet()) {
      ContinuousRunner.FlowTotals totals = flow.getValue();
      rows.add(
          List.of(
              flow.getKey(),
              totals.runsWithData(),
              totals.rowsRead(),
              totals.rowsWritten(),
              totals.rowsDropped(),
              totals.rowsQuarantined()));
    }
    return new QueryResult(columns, rows, false);
  }
}

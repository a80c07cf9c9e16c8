package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline again and again: each run is one micro-batch of every flow, committed like any
 * run (all or nothing; sources' positions stored with the data). {@link Mode#ONCE} stops when a run
 * finds nothing new; {@link Mode#CONTINUOUS} starts a run every trigger interval until asked to
 * stop, and a stop request lets the current run finish and commit first.
 *
 * <p>Frequent small commits leave many small files: every {@code compact-every} runs that wrote
 * data, the streaming tables written since are compacted (Iceberg's rewrite_data_files, which only
 * merges files below the target size).
 */
public final class ContinuousRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousRunner.class);

  /** A failing run is retried after 1, 2, 4, 8 and 16 s; then the continuous run stops. */
  static final int MAX_CONSECUTIVE_FAILURES = 5;

  /** How often a continuous run writes its batches' history. */
  static final Duration HISTORY_INTERVAL = Duration.ofSeconds(30);

  public enum Mode {
    ONCE,
    CONTINUOUS
  }

  /** What the caller sees of each run. */
  public interface Observer {
    default void runFinished(RunResult result) {}

    default void retrying(RunResult failed, Duration wait, int failures) {}

    default void compacted(String table, String outcome) {}
  }

  /** All runs together. */
  public record Summary(
      int runs, int runsWithData, Map<String, FlowTotals> flows, RunResult last, boolean stopped) {}

  /** One flow's totals over all runs. */
  public record FlowTotals(
      long rowsRead, long rowsWritten, long rowsDropped, long rowsQuarantined, int runsWithData) {
    FlowTotals plus(FlowResult flow) {
      boolean wrote = flow.status() == FlowStatus.SUCCEEDED;
      return new FlowTotals(
          rowsRead + flow.rowsRead(),
          rowsWritten + flow.rowsWritten(),
          rowsDropped + flow.rowsDropped(),
          rowsQuarantined + flow.rowsQuarantined(),
          runsWithData + (wrote ? 1 : 0));
    }
  }

  private final PipelineRunner runner;
  private final SparkSession spark;
  private final Clock clock;
  private final Sleeper sleeper;

  /** Waits, returning early when a stop is requested. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration, BooleanSupplier stop) throws InterruptedException;
  }

  public ContinuousRunner(PipelineRunner runner, SparkSession spark, Clock clock) {
    this(runner, spark, clock, ContinuousRunner::sleepUnlessStopped);
  }

  ContinuousRunner(PipelineRunner runner, SparkSession spark, Clock clock, Sleeper sleeper) {
    this.runner = runner;
    this.spark = spark;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * Runs until done (ONCE), until {@code stop} is true (checked between runs), or until runs keep
   * failing. A failed last run is in {@link Summary#last()}.
   */
  public Summary run(
      CompiledPipeline pipeline,
      RunOptions options,
      Mode mode,
      BooleanSupplier stop,
      Observer observer) {
    Map<String, FlowTotals> totals = new LinkedHashMap<>();
    Set<String> toCompact = new LinkedHashSet<>();
    int runs = 0;
    int withData = 0;
    int sinceCompaction = 0;
    int failures = 0;
    RunOptions current = options.historyByCaller();
    RunResult last = null;
    History history = new History(options);
    Duration interval = pipeline.source().spec().triggerInterval();
    int compactEvery = pipeline.source().spec().compactEvery();
    while (!stop.getAsBoolean()) {
      Instant started = clock.instant();
      last = runner.run(pipeline, current);
      runs++;
      observer.runFinished(last);
      history.add(last, current.fullRefresh());
      if (last.status() == RunResult.Status.FAILED) {
        failures++;
        if (mode == Mode.ONCE || failures >= MAX_CONSECUTIVE_FAILURES) {
          history.flush();
          return new Summary(runs, withData, totals, last, false);
        }
        Duration wait = Duration.ofSeconds(1L << (failures - 1));
        observer.retrying(last, wait, failures);
        sleep(wait, stop);
        continue;
      }
      failures = 0;
      current = current.next();
      boolean wrote = false;
      for (FlowResult flow : last.flows()) {
        totals.merge(flow.flow(), new FlowTotals(0, 0, 0, 0, 0).plus(flow), (a, b) -> a.plus(flow));
        if (flow.status() == FlowStatus.SUCCEEDED && flow.kind() == DatasetKind.STREAMING_TABLE) {
          toCompact.add(flow.flow());
        }
        wrote |= flow.status() == FlowStatus.SUCCEEDED;
      }
      if (wrote) {
        withData++;
        sinceCompaction++;
      }
      history.flushEvery(HISTORY_INTERVAL);
      if (compactEvery > 0 && sinceCompaction >= compactEvery) {
        compact(pipeline, toCompact, observer);
        toCompact.clear();
        sinceCompaction = 0;
      }
      if (mode == Mode.ONCE && !wrote) {
        break;
      }
      if (mode == Mode.CONTINUOUS) {
        Duration left = interval.minus(Duration.between(started, clock.instant()));
        if (!left.isNegative() && !left.isZero() && !wrote) {
          sleep(left, stop);
        } else if (!wrote) {
          sleep(Duration.ofMillis(10), stop);
        }
      }
    }
    if (!toCompact.isEmpty()
        && mode == Mode.ONCE
        && compactEvery > 0
        && sinceCompaction > 0
        && sinceCompaction >= Math.min(compactEvery, 10)) {
      compact(pipeline, toCompact, observer);
    }
    history.flush();
    return new Summary(runs, withData, totals, last, stop.getAsBoolean());
  }

  /**
   * Batches that found data (or failed), recorded in lagoa_system together: three commits per half
   * minute instead of three per batch.
   */
  private final class History {
    private final RunOptions options;
    private final List<RunResult> pending = new java.util.ArrayList<>();
    private boolean fullRefresh;
    private Instant flushed = clock.instant();

    History(RunOptions options) {
      this.options = options;
    }

    void add(RunResult result, boolean refresh) {
      boolean idle =
          result.status() == RunResult.Status.SUCCEEDED
              && result.flows().stream().allMatch(flow -> flow.status() == FlowStatus.UP_TO_DATE);
      if (idle) {
        return;
      }
      if (refresh != fullRefresh && !pending.isEmpty()) {
        flush();
      }
      fullRefresh = refresh;
      pending.add(result);
    }

    void flushEvery(Duration interval) {
      if (Duration.between(flushed, clock.instant()).compareTo(interval) >= 0) {
        flush();
      }
    }

    void flush() {
      flushed = clock.instant();
      if (pending.isEmpty()) {
        return;
      }
      try {
        new RunHistory(spark).record(pending, fullRefresh, options.select());
      } catch (RuntimeException e) {
        LOG.warn(
            "cannot record {} pipeline runs in {}: {}",
            pending.size(),
            RunHistory.NAMESPACE,
            e.getMessage());
      }
      pending.clear();
    }
  }

  private void sleep(Duration duration, BooleanSupplier stop) {
    try {
      sleeper.sleep(duration, stop);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepUnlessStopped(Duration duration, BooleanSupplier stop)
      throws InterruptedException {
    long until = System.nanoTime() + duration.toNanos();
    while (!stop.getAsBoolean()) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000)));
    }
  }

  /** Merges the small files of these tables (and of their quarantine tables). */
  void compact(CompiledPipeline pipeline, Set<String> tables, Observer observer) {
    for (String table : tables) {
      Dataset dataset = pipeline.graph().dataset(table).orElse(null);
      List<String> names =
          dataset == null
              ? List.of(table)
              : List.of(
                  table,
                  dataset.quarantineTable(),
                  dataset.sourceQuarantineTable(),
                  dataset.cdcStateTable());
      for (String name : names) {
        if (!PipelineRunner.icebergCatalog(spark).tableExists(FlowExecutor.identifier(name))) {
          continue;
        }
        try {
          List<org.apache.spark.sql.Row> rows =
              spark
                  .sql(
                      "CALL lagoa.system.rewrite_data_files(table => "
                          + FlowExecutor.literal(name)
                          + ", options => map('min-input-files', '5'))")
                  .collectAsList();
          org.apache.spark.sql.Row row = rows.isEmpty() ? null : rows.get(0);
          String outcome =
              row == null
                  ? "nothing to do"
                  : row.getInt(0) + " files rewritten into " + row.getInt(1);
          LOG.debug("compacted {}: {}", name, outcome);
          observer.compacted(name, outcome);
        } catch (RuntimeException e) {
          // compaction is housekeeping: a failure must not stop ingestion
          LOG.warn("cannot compact {}: {}", name, e.getMessage());
          observer.compacted(name, "failed: " + e.getMessage());
        }
      }
    }
  }
}

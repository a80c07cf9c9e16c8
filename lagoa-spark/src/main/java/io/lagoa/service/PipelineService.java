package io.lagoa.service;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.InterruptedRun;
import io.lagoa.pipeline.PipelineGraph;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.lease.PipelineLease;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.spark.pipeline.BusyRunsListener;
import io.lagoa.spark.pipeline.CompiledPipeline;
import io.lagoa.spark.pipeline.ContinuousRunner;
import io.lagoa.spark.pipeline.LineageListener;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.PipelineRunner;
import io.lagoa.spark.pipeline.PipelineStatus;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import io.lagoa.spark.pipeline.SparkPipelineParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.spark.sql.SparkSession;

/**
 * Pipelines of one lakehouse: check them, show their graph and status, and run them once or
 * continuously. A run takes the pipeline's lease first (so two runners never race), puts back the
 * tables of a run that was interrupted, and gives the lease back when done.
 *
 * <p>Validation and the graph need only the catalog; status and runs start the engine.
 */
public final class PipelineService {
  private final Lakehouse lakehouse;
  private final Clock clock;

  public PipelineService(Lakehouse lakehouse) {
    this(lakehouse, Clock.systemUTC());
  }

  public PipelineService(Lakehouse lakehouse, Clock clock) {
    this.lakehouse = lakehouse;
    this.clock = clock;
  }

  /** What a valid pipeline holds. */
  public record Validation(
      String pipeline, long tables, long temporaryViews, long expectations, int externalInputs) {}

  /**
   * Checks the pipeline without running it: syntax, names, inputs, cycles.
   *
   * @throws LagoaException with {@link ErrorCode#PIPELINE_INVALID} when it does not validate
   */
  public Validation validate(PipelineSource source) {
    CompiledPipeline pipeline =
        new SparkPipelineParser().compile(source, exists(lakehouse.catalog()));
    PipelineGraph graph = pipeline.graph();
    long tables = graph.tables().size();
    long rules =
        graph.datasets().stream()
            .mapToLong(dataset -> dataset.statement().expectations().size())
            .sum();
    return new Validation(
        pipeline.name(),
        tables,
        graph.datasets().size() - tables,
        rules,
        graph.externalInputs().size());
  }

  /** What each dataset reads; the pipeline is checked as by {@link #validate}. */
  public PipelineGraph graph(PipelineSource source) {
    return new SparkPipelineParser().compile(source, exists(lakehouse.catalog())).graph();
  }

  /**
   * Where a pipeline stands.
   *
   * @param sources one entry per source of each streaming table, none when it has none
   * @param runner who runs it now, and whether a run was interrupted; empty for a catalog that
   *     keeps no leases (REST)
   */
  public record Status(
      String pipeline, List<PipelineStatus.SourceStatus> sources, Optional<String> runner) {}

  /** How far each streaming table is behind its sources, and who runs the pipeline. */
  public Status status(PipelineSource source) {
    SparkSession spark = lakehouse.session();
    CompiledPipeline pipeline = compile(source, spark);
    List<PipelineStatus.SourceStatus> sources =
        PipelineStatus.of(spark, pipeline, clock, lakehouse.sources());
    Optional<String> runner =
        PipelineLeases.of(lakehouse.config(), clock)
            .map(leases -> runner(leases, pipeline.name(), clock.instant()));
    return new Status(pipeline.name(), sources, runner);
  }

  /** Who runs the pipeline now, and whether a run was interrupted, in one line. */
  static String runner(PipelineLeases leases, String pipeline, Instant now) {
    Optional<PipelineLeases.LeaseInfo> lease = leases.lookup(pipeline);
    if (lease.isEmpty()) {
      return "pipeline " + pipeline + " is not running";
    }
    PipelineLeases.LeaseInfo info = lease.get();
    boolean live =
        info.expiresAt().isAfter(now)
            && !info.holder().deadOnThisHost(PipelineLeases.Holder.thisHost());
    String interrupted =
        info.run()
            .map(
                run ->
                    "; run "
                        + run.runId()
                        + " (started "
                        + run.startedAt().truncatedTo(ChronoUnit.SECONDS)
                        + ") has not ended"
                        + (live
                            ? ""
                            : " and was interrupted: the next run puts its" + " tables back"))
            .orElse("");
    if (live) {
      return "pipeline "
          + pipeline
          + " is running on "
          + info.holder()
          + " since "
          + info.acquiredAt().truncatedTo(ChronoUnit.SECONDS)
          + interrupted;
    }
    return "pipeline "
        + pipeline
        + " is not running (its last runner, "
        + info.holder()
        + ", is gone)"
        + interrupted;
  }

  /**
   * How a run takes the pipeline's lease.
   *
   * @param force take it even from a live holder (only for a holder that is gone, e.g. a crashed
   *     machine, whose lease has not expired yet)
   * @param maxWait how long to wait for a live holder to end; zero (or less) fails at once
   */
  public record LeaseOptions(boolean force, Duration maxWait) {
    public static final LeaseOptions DEFAULT = new LeaseOptions(false, Duration.ZERO);

    public LeaseOptions {
      maxWait = maxWait.isNegative() ? Duration.ZERO : maxWait;
    }
  }

  /** What happens around a run, besides its flows and batches. All optional. */
  public interface RunEvents {
    /** The lease is held by a live runner, and this run waits for it to end. */
    default void waiting(String message) {}

    /** The lease was taken from a live holder ({@link LeaseOptions#force()}). */
    default void leaseTakenOver(String pipeline, PipelineLeases.Holder from) {}

    /** A table of an interrupted run was put back (or could not be), before this run. */
    default void recovered(String message) {}

    /** A continuous or catch-up run starts its batches. */
    default void streamStarted(String pipeline, ContinuousRunner.Mode mode, Duration interval) {}

    /** An OpenLineage event, when the console transport is configured. */
    default void lineageEvent(String event) {}

    /** Lineage events could not be delivered (told once per run); the run goes on. */
    default void lineageWarning(String warning) {}
  }

  /**
   * Runs the pipeline once: every table in dependency order, all or nothing. A dry run checks every
   * flow and writes nothing; it takes no lease.
   *
   * @param progress hears about every flow as it starts and ends
   * @return the run's result, failed or not; see {@link #failure(RunResult, boolean)}
   * @throws io.lagoa.pipeline.lease.PipelineBusyException when another live runner holds the lease
   *     (after waiting as long as {@code lease} says)
   */
  public RunResult run(
      PipelineSource source,
      RunOptions options,
      LeaseOptions lease,
      RunEvents events,
      PipelineListener progress) {
    SparkSession spark = lakehouse.session();
    CompiledPipeline pipeline = compile(source, spark);
    if (options.dryRun()) {
      return new PipelineRunner(spark, progress, clock, RunJournal.NONE, lakehouse.sources())
          .run(pipeline, options);
    }
    try (Leased leased = lease(pipeline, spark, lease, events)) {
      PipelineListener listener = progress;
      if (lakehouse.config().lineage().enabled()) {
        listener = PipelineListener.all(List.of(progress, lineage(pipeline, spark, events, clock)));
      }
      return new PipelineRunner(spark, listener, clock, leased.journal(), lakehouse.sources())
          .run(pipeline, options);
    }
  }

  /**
   * The outcome of {@link #stream}.
   *
   * @param leaseLost another runner took over the lease (forcing it); this one stopped after its
   *     last committed batch
   */
  public record StreamResult(
      String pipeline, ContinuousRunner.Summary summary, boolean leaseLost) {}

  /**
   * Runs micro-batches: until every source is caught up ({@link ContinuousRunner.Mode#ONCE}), or
   * one every trigger interval until {@code stop} is asked ({@link
   * ContinuousRunner.Mode#CONTINUOUS}); a stop lets the running batch commit first.
   *
   * @param batches hears about every batch, retry and compaction
   */
  public StreamResult stream(
      PipelineSource source,
      RunOptions options,
      ContinuousRunner.Mode mode,
      LeaseOptions lease,
      StopHandle stop,
      RunEvents events,
      ContinuousRunner.Observer batches) {
    if (options.dryRun()) {
      throw new IllegalArgumentException(
          "Cannot stream a dry run: a dry run checks the pipeline once");
    }
    SparkSession spark = lakehouse.session();
    CompiledPipeline pipeline = compile(source, spark);
    try (Leased leased = lease(pipeline, spark, lease, events)) {
      BusyRunsListener lineage = new BusyRunsListener();
      if (lakehouse.config().lineage().enabled()) {
        lineage.target(lineage(pipeline, spark, events, lineage.clock()));
      }
      events.streamStarted(pipeline.name(), mode, pipeline.source().spec().triggerInterval());
      PipelineRunner runner =
          new PipelineRunner(spark, lineage, clock, leased.journal(), lakehouse.sources());
      ContinuousRunner.Summary summary =
          new ContinuousRunner(runner, spark, clock)
              .run(pipeline, options, mode, () -> stop.stopRequested() || leased.lost(), batches);
      return new StreamResult(pipeline.name(), summary, leased.lost());
    }
  }

  /**
   * The error to report for a failed run: what failed, and which tables were put back; empty when
   * the run succeeded. Its code and remedy are the failure's ({@link RunResult#errorCode()}: e.g. a
   * Kafka that does not answer before anything was written keeps its own code).
   */
  public static Optional<LagoaException> failure(RunResult result, boolean dryRun) {
    if (result.status() != RunResult.Status.FAILED) {
      return Optional.empty();
    }
    StringBuilder message = new StringBuilder();
    message
        .append(dryRun ? "dry run found problems: " : "pipeline run failed: ")
        .append(result.error().orElse("a flow failed"));
    if (!dryRun && result.unrestored().isEmpty()) {
      message.append("\nevery table is as it was before the run");
      if (!result.restored().isEmpty()) {
        message.append(" (").append(String.join("; ", result.restored())).append(')');
      }
      message.append("; fix the problem and run again (run id ").append(result.runId()).append(")");
    } else if (!dryRun) {
      if (!result.restored().isEmpty()) {
        message.append("\nput back: ").append(String.join("; ", result.restored()));
      }
      message
          .append("\nnot put back: ")
          .append(String.join("; ", result.unrestored()))
          .append(" (run id ")
          .append(result.runId())
          .append(")");
    }
    return Optional.of(reported(result, message.toString()));
  }

  private static LagoaException reported(RunResult result, String message) {
    return new LagoaException(
        result.errorCode().orElse(ErrorCode.PIPELINE_FAILED),
        message,
        result.failure().orElse(null),
        result.remedy().orElse(null));
  }

  /**
   * The error to report when the last batch of a streamed run failed; empty when it did not. The
   * failed batch was rolled back.
   */
  public static Optional<LagoaException> failure(ContinuousRunner.Summary summary) {
    RunResult last = summary.last();
    if (last == null || last.status() != RunResult.Status.FAILED) {
      return Optional.empty();
    }
    return Optional.of(
        reported(
            last,
            "pipeline run failed: "
                + last.error().orElse("a flow failed")
                + "\nthe failed batch was rolled back; every"
                + " table is as it was after the last good batch (run id "
                + last.runId()
                + ")"));
  }

  /** Compiled against the catalog Spark writes through, so runs see Spark's view of tables. */
  private static CompiledPipeline compile(PipelineSource source, SparkSession spark) {
    return new SparkPipelineParser().compile(source, exists(PipelineRunner.icebergCatalog(spark)));
  }

  /** Whether the catalog has a table or view, through the Iceberg API. */
  private static Predicate<String> exists(Catalog catalog) {
    return name -> {
      TableIdentifier identifier = TableIdentifier.parse(name);
      return catalog.tableExists(identifier)
          || catalog instanceof ViewCatalog views && views.viewExists(identifier);
    };
  }

  /** The lease (when the catalog keeps leases), with an interrupted run's tables put back. */
  private Leased lease(
      CompiledPipeline pipeline, SparkSession spark, LeaseOptions options, RunEvents events) {
    Optional<PipelineLease> lease =
        PipelineLeases.of(lakehouse.config(), clock)
            .map(
                leases ->
                    leases.acquire(
                        pipeline.name(), options.force(), options.maxWait(), events::waiting));
    Leased leased = new Leased(lease);
    try {
      lease
          .flatMap(PipelineLease::takenFrom)
          .ifPresent(holder -> events.leaseTakenOver(pipeline.name(), holder));
      if (lease.isPresent() && lease.get().interrupted().isPresent()) {
        InterruptedRun interrupted = lease.get().interrupted().get();
        new PipelineRunner(
                spark, PipelineListener.NONE, clock, RunJournal.NONE, lakehouse.sources())
            .recover(pipeline, interrupted)
            .forEach(events::recovered);
        lease.get().recovered(interrupted);
      }
      return leased;
    } catch (RuntimeException | Error e) {
      leased.close();
      throw e;
    }
  }

  /** OpenLineage events as configured, to the run's events. */
  private LineageListener lineage(
      CompiledPipeline pipeline, SparkSession spark, RunEvents events, Clock lineageClock) {
    return new LineageListener(
        lakehouse.config(),
        pipeline,
        spark,
        events::lineageEvent,
        events::lineageWarning,
        lineageClock);
  }

  /** A held lease, or none for a catalog without leases. */
  private record Leased(Optional<PipelineLease> lease) implements AutoCloseable {
    RunJournal journal() {
      return lease.<RunJournal>map(held -> held).orElse(RunJournal.NONE);
    }

    boolean lost() {
      return lease.map(PipelineLease::lost).orElse(false);
    }

    @Override
    public void close() {
      lease.ifPresent(PipelineLease::close);
    }
  }
}

package io.lagoa.spark.pipeline;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.lineage.RunIds;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.InterruptedRun;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.pipeline.source.QuarantineOrder;
import io.lagoa.spark.pipeline.source.SourceReaders;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.spark.SparkCatalog;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a compiled pipeline: its selected tables in dependency order, independent ones side by side,
 * then records the run in {@code lagoa_system}.
 *
 * <p>Atomicity: every table write is one Iceberg commit, and a run is all or nothing. Before the
 * first write the runner captures the metadata of every table the run may write (targets and
 * quarantine tables); when a flow fails, it waits for the running flows, then restores each table
 * the run committed to (see {@link TableState#restore}). Restoring after the fact was chosen over
 * staging every result and committing at the end because downstream flows must read the new
 * upstream tables, and Iceberg has no multi-table transaction in the JDBC catalog.
 */
public final class PipelineRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

  /** How often a flow is planned again after losing its commit to another run. */
  static final int MAX_CONFLICT_ATTEMPTS = 8;

  private final SparkSession spark;
  private final PipelineListener listener;
  private final Clock clock;
  private final RunJournal journal;
  private final SourceReaders sources;

  /** Closes the source readers a runner made itself once the runner is unreachable. */
  private static final java.lang.ref.Cleaner OWNED_SOURCES = java.lang.ref.Cleaner.create();

  public PipelineRunner(SparkSession spark, PipelineListener listener, Clock clock) {
    this(spark, listener, clock, RunJournal.NONE);
  }

  /**
   * @param journal where each run notes its tables' states before its first commit (the pipeline's
   *     lease), so the next run can put them back if this one is killed
   */
  public PipelineRunner(
      SparkSession spark, PipelineListener listener, Clock clock, RunJournal journal) {
    this(spark, listener, clock, journal, new SourceReaders());
    SourceReaders owned = sources;
    OWNED_SOURCES.register(this, owned::close);
  }

  /**
   * @param sources the source readers of the warehouse, which keep Kafka clients and loaded file
   *     logs across runs; the caller closes them
   */
  public PipelineRunner(
      SparkSession spark,
      PipelineListener listener,
      Clock clock,
      RunJournal journal,
      SourceReaders sources) {
    this.spark = spark;
    this.listener = listener;
    this.clock = clock;
    this.journal = journal;
    this.sources = sources;
  }

  /** The Iceberg catalog Spark writes through, so captures and restores see Spark's cache. */
  public static Catalog icebergCatalog(SparkSession spark) {
    return sparkCatalog(spark).icebergCatalog();
  }

  public RunResult run(CompiledPipeline pipeline, RunOptions options) {
    SparkSession session = ((org.apache.spark.sql.classic.SparkSession) spark).cloneSession();
    // A run without a journal caches each source batch once, to split readable from rejected
    // records, and drops it at the end of the flow: compressing that short-lived cache cost ~8%
    // of a Kafka batch's CPU. (Expectations cache a flow's result the same way.)
    session.conf().set("spark.sql.inMemoryColumnarStorage.compressed", "false");
    // Iceberg resolves some catalogs through the thread's active session, and flow threads
    // inherit it: make it this run's session, or another lakehouse's catalog may be used.
    scala.Option<SparkSession> previous = SparkSession.getActiveSession();
    SparkSession.setActiveSession(session);
    try {
      RunResult result = run(pipeline, options, session);
      listener.runFinished(result);
      return result;
    } finally {
      if (previous.isDefined()) {
        SparkSession.setActiveSession(previous.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }

  private RunResult run(CompiledPipeline pipeline, RunOptions options, SparkSession session) {
    String runId = RunIds.next(clock.instant()); // UUIDv7, as OpenLineage wants run ids
    Instant started = clock.instant();
    List<Dataset> selected = pipeline.graph().select(options.select());
    Catalog catalog = icebergCatalog(session);
    pipeline
        .source()
        .spec()
        .namespace()
        .ifPresent(
            namespace -> {
              if (namespaceExists(session, namespace) || !options.dryRun()) {
                createNamespace(session, namespace);
                session.sql(
                    "USE " + CatalogProperties.CATALOG_NAME + "." + FlowExecutor.quote(namespace));
              }
            });
    ViewRegistry views = new ViewRegistry(session, pipeline.graph());
    FlowExecutor executor =
        new FlowExecutor(
            session,
            catalog,
            pipeline,
            runId,
            options.fullRefresh(),
            clock,
            views,
            sources,
            // without a journal that puts back a killed run, rejected records must come first
            journal.putsBackInterruptedRuns()
                ? QuarantineOrder.AFTER_TARGET
                : QuarantineOrder.BEFORE_TARGET);
    if (!options.dryRun()) {
      for (Dataset dataset : selected) {
        executor.checkHashStandard(dataset); // a refused standard: before anything is written
      }
    }
    listener.runStarted(runId, selected.size());
    try {
      if (options.dryRun()) {
        return dryRun(pipeline, selected, executor, catalog, runId, started);
      }
      for (Dataset dataset : selected) {
        createNamespace(session, namespaceOf(dataset.name()));
      }
      RunResult result = execute(pipeline, selected, options, executor, catalog, runId, started);
      if (!options.recordHistory()) {
        return result;
      }
      if (!options.recordIdleRuns()
          && result.status() == RunResult.Status.SUCCEEDED
          && result.flows().stream().allMatch(flow -> flow.status() == FlowStatus.UP_TO_DATE)) {
        return result;
      }
      try {
        LOG.debug("run {}: recording history", runId);
        new RunHistory(session).record(result, options.fullRefresh(), options.select());
        LOG.debug("run {}: recorded", runId);
        return result;
      } catch (RuntimeException e) {
        LOG.warn("cannot record pipeline run {} in {}", runId, RunHistory.NAMESPACE, e);
        return new RunResult(
            result.runId(),
            result.pipeline(),
            result.status(),
            result.startedAt(),
            result.endedAt(),
            result.flows(),
            result.error(),
            result.restored(),
            result.unrestored(),
            Optional.of(SparkSql.translate("", e).getMessage()),
            result.failure());
      }
    } finally {
      views.dropAll();
      forgetCachedTables(selected);
    }
  }

  /**
   * The caller's session caches Iceberg tables; the run wrote (and maybe restored) these through
   * its own session, so the caller must load them afresh.
   */
  private void forgetCachedTables(List<Dataset> selected) {
    List<String> names = new ArrayList<>();
    for (Dataset dataset : selected) {
      names.add(dataset.name());
      names.add(dataset.quarantineTable());
      names.add(dataset.sourceQuarantineTable());
      names.add(dataset.cdcStateTable());
      names.addAll(dataset.identityTables());
    }
    forgetCachedTables(names);
  }

  private void forgetCachedTables(java.util.Collection<String> tables) {
    SparkCatalog catalog = sparkCatalog(spark);
    List<String> names =
        new ArrayList<>(
            List.of(
                RunHistory.PIPELINE_RUNS, RunHistory.FLOW_RUNS, RunHistory.EXPECTATION_RESULTS));
    names.addAll(tables);
    for (String name : names) {
      String[] parts = name.split("\\.");
      catalog.invalidateTable(
          org.apache.spark.sql.connector.catalog.Identifier.of(
              java.util.Arrays.copyOf(parts, parts.length - 1), parts[parts.length - 1]));
    }
  }

  private RunResult execute(
      CompiledPipeline pipeline,
      List<Dataset> selected,
      RunOptions options,
      FlowExecutor executor,
      Catalog catalog,
      String runId,
      Instant started) {
    LOG.debug("run {}: capturing table states", runId);
    Map<String, TableState> before = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    for (Dataset dataset : selected) {
      for (String table : tablesWritten(dataset)) {
        before.put(table, TableState.capture(catalog, FlowExecutor.identifier(table)));
      }
    }
    try {
      journal.begin(runId, started, Map.copyOf(before));
    } catch (RuntimeException e) {
      String error = "the run did not start: " + e.getMessage();
      LagoaException failure =
          e instanceof LagoaException lagoa
              ? lagoa
              : new LagoaException(FlowException.codeOf(e), error, e);
      List<FlowResult> flows = new ArrayList<>();
      for (Dataset dataset : selected) {
        flows.add(
            FlowResult.notRun(
                dataset.name(),
                dataset.kind(),
                executor.mode(dataset).label(),
                FlowStatus.SKIPPED,
                clock.instant(),
                before.get(dataset.name()).snapshotId(),
                Optional.empty()));
      }
      return new RunResult(
          runId,
          pipeline.name(),
          RunResult.Status.FAILED,
          started,
          clock.instant(),
          flows,
          Optional.of(error),
          List.of(),
          List.of(),
          Optional.empty(),
          Optional.of(failure));
    }
    Set<String> selectedNames = new HashSet<>();
    selected.forEach(dataset -> selectedNames.add(dataset.name()));
    Map<String, List<Long>> written = new ConcurrentHashMap<>();
    Map<String, FlowResult> results = new ConcurrentHashMap<>();
    Set<String> done = new HashSet<>();
    Set<String> running = new HashSet<>();
    Optional<String> error = Optional.empty();
    Optional<LagoaException> failure = Optional.empty();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.parallelism(),
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-flow");
              thread.setDaemon(true);
              return thread;
            });
    CompletionService<String> completions = new ExecutorCompletionService<>(pool);
    Map<Future<String>, Dataset> futures = new LinkedHashMap<>();
    try {
      while (true) {
        if (error.isEmpty()) {
          for (Dataset dataset : selected) {
            if (running.size() >= options.parallelism()) {
              break; // submit no more than can run, so a failure stops what has not started
            }
            if (done.contains(dataset.name())
                || running.contains(dataset.name())
                || !ready(pipeline, dataset, selectedNames, done)) {
              continue;
            }
            running.add(dataset.name());
            futures.put(
                completions.submit(
                    () -> {
                      runFlow(dataset, executor, catalog, runId, started, before, written, results);
                      return dataset.name();
                    }),
                dataset);
          }
        }
        if (running.isEmpty()) {
          break;
        }
        Future<String> finished = completions.take();
        Dataset dataset = futures.remove(finished);
        running.remove(dataset.name());
        done.add(dataset.name());
        try {
          finished.get();
        } catch (ExecutionException e) {
          if (error.isEmpty()) {
            error = Optional.of(dataset.name() + " failed: " + e.getCause().getMessage());
            failure =
                Optional.of(
                    e.getCause() instanceof LagoaException lagoa
                        ? lagoa
                        : new LagoaException(ErrorCode.INTERNAL_ERROR, error.get(), e.getCause()));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = Optional.of("the run was interrupted");
      failure = Optional.of(new LagoaException(ErrorCode.PIPELINE_FAILED, error.get(), e));
    } finally {
      pool.shutdownNow();
    }
    List<String> restored = new ArrayList<>();
    List<String> unrestored = new ArrayList<>();
    if (error.isPresent()) {
      LOG.debug("run {}: restoring tables", runId);
      restore(before, written, catalog, restored, unrestored);
    }
    endJournal(runId);
    List<FlowResult> flows = new ArrayList<>();
    Instant ended = clock.instant();
    for (Dataset dataset : selected) {
      FlowResult result = results.get(dataset.name());
      if (result == null) {
        result =
            FlowResult.notRun(
                dataset.name(),
                dataset.kind(),
                action(executor, dataset),
                FlowStatus.SKIPPED,
                ended,
                before.get(dataset.name()).snapshotId(),
                Optional.empty());
      } else if (error.isPresent()
          && (result.status() == FlowStatus.SUCCEEDED
              || result.status() == FlowStatus.UP_TO_DATE)) {
        result = result.withStatus(FlowStatus.ROLLED_BACK);
      }
      flows.add(result);
    }
    return new RunResult(
        runId,
        pipeline.name(),
        error.isPresent() ? RunResult.Status.FAILED : RunResult.Status.SUCCEEDED,
        started,
        ended,
        flows,
        error,
        restored,
        unrestored,
        Optional.empty(),
        error.isPresent() ? failure : Optional.empty());
  }

  /**
   * Runs one flow and records its result, FAILED whatever went wrong. A commit lost to another run
   * of the pipeline is planned again from the table's new state, a few times.
   */
  private void runFlow(
      Dataset dataset,
      FlowExecutor executor,
      Catalog catalog,
      String runId,
      Instant runStarted,
      Map<String, TableState> before,
      Map<String, List<Long>> written,
      Map<String, FlowResult> results) {
    Instant flowStarted = clock.instant();
    String action = "run";
    try {
      for (int attempt = 1; ; attempt++) {
        action = executor.mode(dataset).label();
        if (attempt == 1) {
          listener.flowStarted(dataset, action);
        }
        LOG.debug("run {}: {} {} started", runId, action, dataset.name());
        try {
          FlowResult result = executor.run(dataset, before.get(dataset.name()), written);
          results.put(dataset.name(), result);
          LOG.debug("run {}: {} {}", runId, dataset.name(), result.status().label());
          listener.flowFinished(result);
          return;
        } catch (RuntimeException e) {
          // a commit lost to another run, or a table another run's failure dropped meanwhile
          Optional<String> conflict =
              e instanceof ConcurrentRunConflict lost
                  ? Optional.of(lost.getMessage())
                  : ConcurrentRunConflict.describe(e);
          if (conflict.isEmpty()) {
            throw e;
          }
          if (attempt >= MAX_CONFLICT_ATTEMPTS) {
            throw new FlowException(
                dataset.position()
                    + ": "
                    + conflict.get()
                    + "; gave up after "
                    + attempt
                    + " attempts",
                e);
          }
          LOG.info("run {}: {}: {}; planning it again", runId, dataset.name(), conflict.get());
          listener.replanned(dataset, conflict.get());
          settleConflict(dataset, catalog, before, written);
          journal.begin(runId, runStarted, Map.copyOf(before));
          // exponential backoff with jitter, so runners that keep colliding spread out
          Thread.sleep(
              java.util.concurrent.ThreadLocalRandom.current()
                  .nextLong(10, Math.min(4_000, 50L << attempt)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(
          dataset,
          action,
          flowStarted,
          before,
          results,
          new FlowException("the run was interrupted", e));
    } catch (RuntimeException e) {
      LOG.debug("run {}: {} failed", runId, dataset.name(), e);
      FlowException failure =
          e instanceof FlowException flow
              ? flow
              : new FlowException(
                  dataset.position() + ": " + SparkSql.translate("", e).getMessage(), e);
      throw failed(dataset, action, flowStarted, before, results, failure);
    }
  }

  private FlowException failed(
      Dataset dataset,
      String action,
      Instant flowStarted,
      Map<String, TableState> before,
      Map<String, FlowResult> results,
      FlowException failure) {
    FlowResult result =
        FlowResult.failed(
            dataset.name(),
            dataset.kind(),
            action,
            flowStarted,
            clock.instant(),
            before.get(dataset.name()).snapshotId(),
            failure.expectations(),
            failure);
    results.put(dataset.name(), result);
    listener.flowFinished(result);
    return failure;
  }

  /**
   * After a flow lost its commit to another run: its quarantine commits of the lost batch are
   * undone unless the other run took them over (it replays a batch whose quarantine is committed,
   * does not quarantine it again, and names that commit in its own), and the flow's tables are
   * captured afresh, so a later failure of this run puts them back to the other run's state, not
   * before it.
   */
  private void settleConflict(
      Dataset dataset,
      Catalog catalog,
      Map<String, TableState> before,
      Map<String, List<Long>> written) {
    Map<String, String> target =
        catalog.tableExists(FlowExecutor.identifier(dataset.name()))
            ? FlowExecutor.pipelineSummary(
                catalog.loadTable(FlowExecutor.identifier(dataset.name())))
            : Map.of(); // dropped by another run's failure: nothing took the quarantine over
    for (String table : List.of(dataset.quarantineTable(), dataset.sourceQuarantineTable())) {
      List<Long> ids = written.remove(table);
      if (ids == null || ids.isEmpty()) {
        continue;
      }
      try {
        org.apache.iceberg.Table quarantine = catalog.loadTable(FlowExecutor.identifier(table));
        org.apache.iceberg.Snapshot mine = quarantine.snapshot(ids.get(ids.size() - 1));
        // the other run replayed this batch and left its quarantine rows to this commit
        boolean takenOver =
            mine != null
                && Long.toString(mine.snapshotId())
                    .equals(target.get(FlowExecutor.REPLAYS_PREFIX + table));
        if (!takenOver) {
          // withdraw, not restore: another run that started after this commit may have
          // quarantined the same records again on top of it (it read them from the winner's
          // position); restoring would refuse, and the records would be quarantined twice
          String done = before.get(table).withdraw(catalog, new HashSet<>(ids));
          LOG.debug("{}: {}", dataset.name(), done);
        }
      } catch (RuntimeException e) {
        LOG.warn("{}: cannot undo this run's quarantine commit: {}", table, e.getMessage());
      }
    }
    // an identity graph's side tables were committed before its table lost: the next plan
    // resolves the batch again against the graph as it was
    for (String table : dataset.identityTables()) {
      List<Long> ids = written.remove(table);
      if (ids != null && !ids.isEmpty()) {
        try {
          before.get(table).restore(catalog, new HashSet<>(ids));
        } catch (RuntimeException e) {
          LOG.warn("{}: cannot undo this run's commit: {}", table, e.getMessage());
        }
      }
    }
    for (String table : tablesWritten(dataset)) {
      before.put(table, TableState.capture(catalog, FlowExecutor.identifier(table)));
    }
  }

  /** The tables a flow may commit to: its target and its quarantine tables. */
  private static List<String> tablesWritten(Dataset dataset) {
    List<String> tables = new ArrayList<>(List.of(dataset.name()));
    if (dataset.hasQuarantine()) {
      tables.add(dataset.quarantineTable());
    }
    if (dataset.hasSourceQuarantine()) {
      tables.add(dataset.sourceQuarantineTable());
    }
    if (dataset.hasCdcState()) {
      tables.add(dataset.cdcStateTable());
    }
    tables.addAll(dataset.identityTables());
    return tables;
  }

  private static String action(FlowExecutor executor, Dataset dataset) {
    try {
      return executor.mode(dataset).label();
    } catch (RuntimeException e) {
      return "run";
    }
  }

  private void endJournal(String runId) {
    try {
      journal.end(runId);
    } catch (RuntimeException e) {
      LOG.warn("cannot clear run {} from the run journal: {}", runId, e.getMessage());
    }
  }

  private void restore(
      Map<String, TableState> before,
      Map<String, List<Long>> written,
      Catalog catalog,
      List<String> restored,
      List<String> unrestored) {
    List<String> names;
    synchronized (before) {
      names = new ArrayList<>(before.keySet());
    }
    java.util.Collections.reverse(names);
    for (String name : names) {
      List<Long> ids = written.get(name);
      if (ids == null || ids.isEmpty()) {
        continue;
      }
      try {
        String message = before.get(name).restore(catalog, new HashSet<>(ids));
        if (!message.isEmpty()) {
          restored.add(message);
          listener.restored(message);
        }
      } catch (RuntimeException e) {
        String message = notPutBack(name, e);
        LOG.warn(message);
        LOG.debug("restoring {}", name, e);
        unrestored.add(message);
        listener.restored(message);
      }
    }
  }

  /** Why a table was not put back: the restore's own explanation, or the failure's. */
  private static String notPutBack(String name, RuntimeException e) {
    return e instanceof TableState.RestoreException
        ? e.getMessage()
        : "cannot put " + name + " back: " + e.getMessage();
  }

  /**
   * Puts back the tables of a run that was killed part way (noted in the run journal and never
   * ended), and records it in lagoa_system as interrupted.
   *
   * @return one line per table put back or left as it was, to tell the user
   */
  public List<String> recover(CompiledPipeline pipeline, InterruptedRun run) {
    Catalog catalog = icebergCatalog(spark);
    List<String> restored = new ArrayList<>();
    List<String> unrestored = new ArrayList<>();
    List<String> names = new ArrayList<>(run.tables().keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      org.apache.iceberg.catalog.TableIdentifier identifier = FlowExecutor.identifier(name);
      try {
        if (!catalog.tableExists(identifier)) {
          continue;
        }
        org.apache.iceberg.Table table = catalog.loadTable(identifier);
        Set<Long> written = new HashSet<>();
        for (org.apache.iceberg.Snapshot snapshot : table.snapshots()) {
          if (snapshot.summary() != null
              && run.runId().equals(snapshot.summary().get(FlowExecutor.RUN_ID_PROPERTY))) {
            written.add(snapshot.snapshotId());
          }
        }
        if (written.isEmpty()) {
          continue;
        }
        String message =
            TableState.at(catalog, identifier, run.tables().get(name)).restore(catalog, written);
        if (!message.isEmpty()) {
          restored.add(message);
        }
      } catch (RuntimeException e) {
        unrestored.add(notPutBack(name, e));
      }
    }
    forgetCachedTables(names);
    String summary =
        "run "
            + run.runId()
            + " (started "
            + run.startedAt()
            + " on "
            + run.holder()
            + ") was interrupted";
    RunResult record =
        new RunResult(
            run.runId(),
            pipeline.name(),
            RunResult.Status.INTERRUPTED,
            run.startedAt(),
            clock.instant(),
            List.of(),
            Optional.of(summary),
            restored,
            unrestored,
            Optional.empty());
    try {
      new RunHistory(spark).record(record, false, List.of());
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot record the interrupted run {} in {}: {}",
          run.runId(),
          RunHistory.NAMESPACE,
          e.getMessage());
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        summary
            + (restored.isEmpty() && unrestored.isEmpty()
                ? " before it committed anything"
                : "; its tables were put back:"));
    restored.forEach(line -> lines.add("  " + line));
    unrestored.forEach(line -> lines.add("  " + line));
    return lines;
  }

  /** Upstream tables that are selected must be done; views and unselected tables are ready. */
  private static boolean ready(
      CompiledPipeline pipeline, Dataset dataset, Set<String> selected, Set<String> done) {
    for (String upstream : tablesUpstream(pipeline, dataset, new HashSet<>())) {
      if (selected.contains(upstream) && !done.contains(upstream)) {
        return false;
      }
    }
    return true;
  }

  /** Tables a dataset reads, directly or through temporary views. */
  private static Set<String> tablesUpstream(
      CompiledPipeline pipeline, Dataset dataset, Set<String> into) {
    for (Input input : dataset.inputs()) {
      if (input.kind() != Input.Kind.DATASET) {
        continue;
      }
      Dataset upstream = pipeline.graph().dataset(input.name()).orElseThrow();
      if (upstream.kind() == DatasetKind.TEMPORARY_VIEW) {
        tablesUpstream(pipeline, upstream, into);
      } else {
        into.add(upstream.name());
      }
    }
    return into;
  }

  /**
   * Checks every selected flow without writing: its query and expectations are analyzed against the
   * catalog. A flow that reads a table this run would create first cannot be checked yet.
   */
  private RunResult dryRun(
      CompiledPipeline pipeline,
      List<Dataset> selected,
      FlowExecutor executor,
      Catalog catalog,
      String runId,
      Instant started) {
    List<FlowResult> flows = new ArrayList<>();
    Optional<String> error = Optional.empty();
    Optional<LagoaException> failure = Optional.empty();
    for (Dataset dataset : selected) {
      String action = executor.mode(dataset).label();
      Instant at = clock.instant();
      Optional<String> missing =
          tablesUpstream(pipeline, dataset, new HashSet<>()).stream()
              .filter(name -> !catalog.tableExists(FlowExecutor.identifier(name)))
              .findFirst();
      Optional<String> problem = Optional.empty();
      Optional<LagoaException> flowFailure = Optional.empty();
      if (missing.isPresent()) {
        problem = Optional.of("not checked: reads " + missing.get() + ", which this run creates");
      } else {
        try {
          executor.check(dataset);
        } catch (FlowException e) {
          problem = Optional.of(e.getMessage());
          flowFailure = Optional.of(e);
          if (error.isEmpty()) {
            error = Optional.of(e.getMessage());
            failure = flowFailure;
          }
        }
      }
      FlowResult result =
          FlowResult.notRun(
              dataset.name(),
              dataset.kind(),
              action,
              problem.isPresent() && !problem.get().startsWith("not checked")
                  ? FlowStatus.FAILED
                  : FlowStatus.PLANNED,
              at,
              TableState.capture(catalog, FlowExecutor.identifier(dataset.name())).snapshotId(),
              problem,
              flowFailure);
      listener.flowFinished(result);
      flows.add(result);
    }
    return new RunResult(
        runId,
        pipeline.name(),
        error.isPresent() ? RunResult.Status.FAILED : RunResult.Status.DRY_RUN,
        started,
        clock.instant(),
        flows,
        error,
        List.of(),
        List.of(),
        Optional.empty(),
        failure);
  }

  private static String namespaceOf(String table) {
    return table.substring(0, table.lastIndexOf('.'));
  }

  private static SparkCatalog sparkCatalog(SparkSession session) {
    return (SparkCatalog)
        session.sessionState().catalogManager().catalog(CatalogProperties.CATALOG_NAME);
  }

  private static boolean namespaceExists(SparkSession session, String namespace) {
    return sparkCatalog(session).namespaceExists(namespace.split("\\."));
  }

  private static void createNamespace(SparkSession session, String namespace) {
    if (!namespaceExists(session, namespace)) {
      try {
        // A HashMap, not Map.of(): Iceberg's REST client asks the properties whether they hold a
        // null key, which Map.of answers with a NullPointerException.
        sparkCatalog(session).createNamespace(namespace.split("\\."), new java.util.HashMap<>());
      } catch (org.apache.spark.sql.catalyst.analysis.NamespaceAlreadyExistsException e) {
        // created by a concurrent run
      } catch (RuntimeException e) {
        // a concurrent run's create can also surface as the catalog database's key violation
        if (!namespaceExists(session, namespace)) {
          throw e;
        }
      }
    }
  }

  static TableIdentifier identifier(String name) {
    return FlowExecutor.identifier(name);
  }
}

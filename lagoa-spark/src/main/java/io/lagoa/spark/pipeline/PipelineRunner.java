package io.lagoa.spark.pipeline;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.lineage.RunIds;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.SparkSql;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
 * Runs a compiled pipeline: its selected tables in dependency order, independent ones side by
 * side, then records the run in {@code lagoa_system}.
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

  private final SparkSession spark;
  private final PipelineListener listener;
  private final Clock clock;

  public PipelineRunner(SparkSession spark, PipelineListener listener, Clock clock) {
    this.spark = spark;
    this.listener = listener;
    this.clock = clock;
  }

  /** The Iceberg catalog Spark writes through, so captures and restores see Spark's cache. */
  public static Catalog icebergCatalog(SparkSession spark) {
    return sparkCatalog(spark).icebergCatalog();
  }

  public RunResult run(CompiledPipeline pipeline, RunOptions options) {
    SparkSession session = ((org.apache.spark.sql.classic.SparkSession) spark).cloneSession();
    // A run caches each source batch once, to split readable from rejected records, and drops it
    // at the end of the flow: compressing that short-lived cache cost ~8% of a Kafka batch's CPU.
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
    pipeline.source().spec().namespace().ifPresent(namespace -> {
      if (namespaceExists(session, namespace) || !options.dryRun()) {
        createNamespace(session, namespace);
        session.sql("USE " + CatalogProperties.CATALOG_NAME + "." + FlowExecutor.quote(namespace));
      }
    });
    ViewRegistry views = new ViewRegistry(session, pipeline.graph());
    FlowExecutor executor = new FlowExecutor(session, catalog, pipeline, runId,
        options.fullRefresh(), clock, views);
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
      if (!options.recordIdleRuns() && result.status() == RunResult.Status.SUCCEEDED
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
        return new RunResult(result.runId(), result.pipeline(), result.status(),
            result.startedAt(), result.endedAt(), result.flows(), result.error(),
            result.restored(), Optional.of(SparkSql.translate("", e).getMessage()));
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
    SparkCatalog catalog = sparkCatalog(spark);
    List<String> names = new ArrayList<>(List.of(
        RunHistory.PIPELINE_RUNS, RunHistory.FLOW_RUNS, RunHistory.EXPECTATION_RESULTS));
    for (Dataset dataset : selected) {
      names.add(dataset.name());
      names.add(dataset.quarantineTable());
      names.add(dataset.sourceQuarantineTable());
    }
    for (String name : names) {
      String[] parts = name.split("\\.");
      catalog.invalidateTable(org.apache.spark.sql.connector.catalog.Identifier.of(
          java.util.Arrays.copyOf(parts, parts.length - 1), parts[parts.length - 1]));
    }
  }

  private RunResult execute(CompiledPipeline pipeline, List<Dataset> selected, RunOptions options,
      FlowExecutor executor, Catalog catalog, String runId, Instant started) {
    LOG.debug("run {}: capturing table states", runId);
    Map<String, TableState> before = new LinkedHashMap<>();
    for (Dataset dataset : selected) {
      before.put(dataset.name(), TableState.capture(catalog, FlowExecutor.identifier(dataset.name())));
      if (dataset.hasQuarantine()) {
        before.put(dataset.quarantineTable(),
            TableState.capture(catalog, FlowExecutor.identifier(dataset.quarantineTable())));
      }
      if (dataset.hasSourceQuarantine()) {
        before.put(dataset.sourceQuarantineTable(),
            TableState.capture(catalog, FlowExecutor.identifier(dataset.sourceQuarantineTable())));
      }
    }
    Set<String> selectedNames = new HashSet<>();
    selected.forEach(dataset -> selectedNames.add(dataset.name()));
    Map<String, List<Long>> written = new ConcurrentHashMap<>();
    Map<String, FlowResult> results = new ConcurrentHashMap<>();
    Set<String> done = new HashSet<>();
    Set<String> running = new HashSet<>();
    Optional<String> error = Optional.empty();
    ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), runnable -> {
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
            if (done.contains(dataset.name()) || running.contains(dataset.name())
                || !ready(pipeline, dataset, selectedNames, done)) {
              continue;
            }
            running.add(dataset.name());
            futures.put(completions.submit(() -> {
              String action = executor.action(dataset);
              listener.flowStarted(dataset, action);
              LOG.debug("run {}: {} {} started", runId, action, dataset.name());
              Instant flowStarted = clock.instant();
              TableState state = before.get(dataset.name());
              try {
                FlowResult result = executor.run(dataset, state, written);
                results.put(dataset.name(), result);
                LOG.debug("run {}: {} {}", runId, dataset.name(), result.status().label());
                listener.flowFinished(result);
              } catch (RuntimeException e) {
                LOG.debug("run {}: {} failed", runId, dataset.name(), e);
                FlowException failure = e instanceof FlowException flow
                    ? flow : new FlowException(dataset.position() + ": " + SparkSql.translate("", e).getMessage(), e);
                FlowResult result = new FlowResult(dataset.name(), dataset.kind(), action,
                    FlowStatus.FAILED, flowStarted, clock.instant(), 0, 0, 0, 0,
                    state.snapshotId(), OptionalLong.empty(), OptionalLong.empty(),
                    failure.expectations(), Optional.of(failure.getMessage()));
                results.put(dataset.name(), result);
                listener.flowFinished(result);
                throw failure;
              }
              return dataset.name();
            }), dataset);
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
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = Optional.of("the run was interrupted");
    } finally {
      pool.shutdownNow();
    }
    List<String> restored = new ArrayList<>();
    if (error.isPresent()) {
      LOG.debug("run {}: restoring tables", runId);
      restored.addAll(restore(before, written, catalog));
    }
    List<FlowResult> flows = new ArrayList<>();
    Instant ended = clock.instant();
    for (Dataset dataset : selected) {
      FlowResult result = results.get(dataset.name());
      if (result == null) {
        result = FlowResult.notRun(dataset.name(), dataset.kind(), executor.action(dataset),
            FlowStatus.SKIPPED, ended, before.get(dataset.name()).snapshotId(), Optional.empty());
      } else if (error.isPresent() && (result.status() == FlowStatus.SUCCEEDED
          || result.status() == FlowStatus.UP_TO_DATE)) {
        result = result.withStatus(FlowStatus.ROLLED_BACK);
      }
      flows.add(result);
    }
    return new RunResult(runId, pipeline.name(),
        error.isPresent() ? RunResult.Status.FAILED : RunResult.Status.SUCCEEDED,
        started, ended, flows, error, restored, Optional.empty());
  }

  private List<String> restore(
      Map<String, TableState> before, Map<String, List<Long>> written, Catalog catalog) {
    List<String> messages = new ArrayList<>();
    List<String> names = new ArrayList<>(before.keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      List<Long> ids = written.get(name);
      if (ids == null || ids.isEmpty()) {
        continue;
      }
      try {
        String message = before.get(name).restore(catalog, new HashSet<>(ids));
        if (!message.isEmpty()) {
          messages.add(message);
          listener.restored(message);
        }
      } catch (RuntimeException e) {
        String message = "cannot restore " + name + ": " + e.getMessage();
        LOG.error(message, e);
        messages.add(message);
        listener.restored(message);
      }
    }
    return messages;
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
   * Checks every selected flow without writing: its query and expectations are analyzed against
   * the catalog. A flow that reads a table this run would create first cannot be checked yet.
   */
  private RunResult dryRun(CompiledPipeline pipeline, List<Dataset> selected,
      FlowExecutor executor, Catalog catalog, String runId, Instant started) {
    List<FlowResult> flows = new ArrayList<>();
    Optional<String> error = Optional.empty();
    for (Dataset dataset : selected) {
      String action = executor.action(dataset);
      Instant at = clock.instant();
      Optional<String> missing = tablesUpstream(pipeline, dataset, new HashSet<>()).stream()
          .filter(name -> !catalog.tableExists(FlowExecutor.identifier(name)))
          .findFirst();
      Optional<String> problem = Optional.empty();
      if (missing.isPresent()) {
        problem = Optional.of("not checked: reads " + missing.get() + ", which this run creates");
      } else {
        try {
          executor.check(dataset);
        } catch (FlowException e) {
          problem = Optional.of(e.getMessage());
          if (error.isEmpty()) {
            error = Optional.of(e.getMessage());
          }
        }
      }
      FlowResult result = FlowResult.notRun(dataset.name(), dataset.kind(), action,
          problem.isPresent() && !problem.get().startsWith("not checked")
              ? FlowStatus.FAILED : FlowStatus.PLANNED,
          at, TableState.capture(catalog, FlowExecutor.identifier(dataset.name())).snapshotId(),
          problem);
      listener.flowFinished(result);
      flows.add(result);
    }
    return new RunResult(runId, pipeline.name(),
        error.isPresent() ? RunResult.Status.FAILED : RunResult.Status.DRY_RUN, started,
        clock.instant(), flows, error, List.of(), Optional.empty());
  }

  private static String namespaceOf(String table) {
    return table.substring(0, table.lastIndexOf('.'));
  }

  private static SparkCatalog sparkCatalog(SparkSession session) {
    return (SparkCatalog) session.sessionState().catalogManager()
        .catalog(CatalogProperties.CATALOG_NAME);
  }

  private static boolean namespaceExists(SparkSession session, String namespace) {
    return sparkCatalog(session).namespaceExists(namespace.split("\\."));
  }

  private static void createNamespace(SparkSession session, String namespace) {
    if (!namespaceExists(session, namespace)) {
      try {
        sparkCatalog(session).createNamespace(namespace.split("\\."), Map.of());
      } catch (org.apache.spark.sql.catalyst.analysis.NamespaceAlreadyExistsException e) {
        // created by a concurrent run
      }
    }
  }

  static TableIdentifier identifier(String name) {
    return FlowExecutor.identifier(name);
  }
}

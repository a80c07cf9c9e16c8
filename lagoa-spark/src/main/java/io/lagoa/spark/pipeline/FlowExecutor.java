package io.lagoa.spark.pipeline;

import static org.apache.spark.sql.functions.lit;

import io.lagoa.error.Remedy;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.DatasetStatement;
import io.lagoa.pipeline.ExpectationResult;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourcePosition;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
import io.lagoa.spark.pipeline.source.QuarantineOrder;
import io.lagoa.spark.pipeline.source.SourceBatch;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.spark.pipeline.vault.VaultWriter;
import io.lagoa.table.TableNames;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one flow: computes the dataset's query (each source read from where the last run stopped),
 * checks its expectations ({@link ExpectationCheck}), and writes the quarantine tables ({@link
 * QuarantineWriter}) and the table ({@link TableWriter} of the flow's {@link WriteMode}) in one
 * Iceberg commit each. What a batch knows of earlier runs comes from {@link StreamBatchState}.
 */
final class FlowExecutor {
  /** Snapshot summary key holding the last source snapshot a streaming table has processed. */
  static final String STREAM_STATE_PREFIX = PipelineCommits.STREAM_STATE_PREFIX;

  static final String RUN_ID_PROPERTY = PipelineCommits.RUN_ID;

  /** On quarantine commits: the target's snapshot when the batch was read. */
  static final String TARGET_SNAPSHOT_PROPERTY = PipelineCommits.TARGET_SNAPSHOT;

  /** On a batch that replays an interrupted one: the quarantine commit, per table, it replays. */
  static final String REPLAYS_PREFIX = PipelineCommits.REPLAYS_PREFIX;

  private static final String SNAPSHOT_ID = "__snapshot-id";

  /** On a materialized view's commits: the snapshot of each input it was computed from. */
  static final String INPUT_PREFIX = PipelineCommits.INPUT_PREFIX;

  static final String QUERY_HASH_PROPERTY = PipelineCommits.QUERY_HASH;

  private final SparkSession spark;
  private final Catalog catalog;
  private final CompiledPipeline pipeline;
  private final String runId;
  private final boolean fullRefresh;
  private final Clock clock;
  private final ViewRegistry views;
  private final AtomicInteger names = new AtomicInteger();
  private final SourceReaders sources;
  private final TableCommitter committer;
  private final QuarantineWriter quarantines;
  private final StreamBatchState state;
  private final QuarantineOrder sourceQuarantineOrder;

  /**
   * @param sources the readers of the run's source calls, owned by the caller
   * @param sourceQuarantineOrder when a source batch's rejected records may be committed: {@link
   *     QuarantineOrder#AFTER_TARGET} only when a run killed part way is put back by the next run
   */
  FlowExecutor(
      SparkSession spark,
      Catalog catalog,
      CompiledPipeline pipeline,
      String runId,
      boolean fullRefresh,
      Clock clock,
      ViewRegistry views,
      SourceReaders sources,
      QuarantineOrder sourceQuarantineOrder) {
    this.sources = sources;
    this.sourceQuarantineOrder = sourceQuarantineOrder;
    this.spark = spark;
    this.catalog = catalog;
    this.pipeline = pipeline;
    this.runId = runId;
    this.fullRefresh = fullRefresh;
    this.clock = clock;
    this.views = views;
    this.committer = new TableCommitter(spark, catalog, runId);
    this.quarantines = new QuarantineWriter(committer);
    this.state = new StreamBatchState(catalog);
  }

  /**
   * Analyzes the flow's query and expectations against the catalog without running or writing
   * anything: what {@code --dry-run} does.
   */
  void check(Dataset dataset) {
    checkHashStandard(dataset);
    DatasetPlan plan = pipeline.plan(dataset);
    views.ensure(dataset, this);
    List<SourceBatch> batches = new ArrayList<>();
    try {
      check(
          dataset,
          plan,
          queryText(plan, new WriteMode.Create(), new LinkedHashMap<>(), batches, true));
    } finally {
      batches.forEach(batch -> batch.release().run());
    }
  }

  private void check(Dataset dataset, DatasetPlan plan, String queryText) {
    org.apache.spark.sql.Dataset<Row> result = sql(plan.statement(), queryText);
    ExpectationCheck.analyze(dataset, result);
    dataset
        .autoCdc()
        .ifPresent(
            cdc ->
                new CdcWriter(
                        new WriteMode.ApplyChanges(cdc, WriteMode.ApplyChanges.Phase.CREATE),
                        plan,
                        committer,
                        clock)
                    .check(dataset, result));
    dataset
        .identityGraph()
        .ifPresent(
            rules ->
                new IdentityGraphWriter(
                        new WriteMode.ResolveIdentities(rules, WriteMode.ApplyChanges.Phase.CREATE),
                        committer,
                        clock)
                    .check(dataset, result));
    if (dataset.merges()) {
      for (String key : dataset.statement().keys()) {
        if (!ExpectationCheck.hasColumn(result, key)) {
          throw new FlowException(
              dataset.position()
                  + ": KEYS column "
                  + key
                  + " is not a column of the query's result",
              null);
        }
      }
    }
  }

  /** How the flow will write its table now: create, replace, full refresh, append or merge. */
  WriteMode mode(Dataset dataset) {
    return WriteMode.of(dataset, catalog.tableExists(identifier(dataset.name())), fullRefresh);
  }

  /**
   * Runs the flow. Throws {@link FlowException} when it fails; anything it committed before failing
   * is listed in {@code written} so the run can restore it.
   */
  FlowResult run(Dataset dataset, TableState before, Map<String, List<Long>> written) {
    Instant started = clock.instant();
    WriteMode mode = mode(dataset);
    DatasetPlan plan = pipeline.plan(dataset);
    views.ensure(dataset, this);
    Map<String, String> commitProperties = new LinkedHashMap<>();
    commitProperties.put(RUN_ID_PROPERTY, runId);
    List<SourceBatch> batches = new ArrayList<>();
    try {
      String queryText = queryText(plan, mode, commitProperties, batches, false);
      if (queryText == null) {
        return FlowResult.upToDate(
            dataset.name(),
            dataset.kind(),
            mode.label(),
            started,
            clock.instant(),
            before.snapshotId());
      }
      FlowResult result =
          run(
              new Execution(
                  dataset, plan, mode, before, written, started, commitProperties, batches),
              queryText);
      batches.forEach(batch -> batch.committed().run()); // the positions are in the table now
      return result;
    } finally {
      batches.forEach(batch -> batch.release().run());
    }
  }

  /**
   * One execution of a flow: its table, how it writes, what it read, and where it notes commits.
   */
  private record Execution(
      Dataset dataset,
      DatasetPlan plan,
      WriteMode mode,
      TableState before,
      Map<String, List<Long>> written,
      Instant started,
      Map<String, String> commitProperties,
      List<SourceBatch> batches) {

    /**
     * Whether the sources' rejected records are written after the table's commit: every batch was
     * read without a cache ({@link QuarantineOrder#AFTER_TARGET}).
     */
    boolean quarantinesAfterTarget() {
      return !batches.isEmpty()
          && batches.stream().allMatch(batch -> batch.order() == QuarantineOrder.AFTER_TARGET);
    }

    /** Writes the rows to the flow's table in one commit, the way its mode says. */
    OptionalLong write(TableCommitter committer, org.apache.spark.sql.Dataset<Row> rows) {
      return TableWriter.of(mode, plan, committer)
          .write(
              dataset,
              rows,
              commitProperties,
              written,
              batches.stream().anyMatch(SourceBatch::addsColumns));
    }
  }

  private FlowResult run(Execution flow, String queryText) {
    Dataset dataset = flow.dataset();
    DatasetPlan plan = flow.plan();
    org.apache.spark.sql.Dataset<Row> result = sql(plan.statement(), queryText);
    if (flow.mode() instanceof WriteMode.LoadVault load) {
      return writeVault(flow, load, result, queryText);
    }
    if (dataset.statement().expectations().isEmpty()
        && !dataset.merges()
        && dataset.autoCdc().isEmpty()
        && dataset.identityGraph().isEmpty()) {
      return writeUnchecked(flow, result);
    }
    try (ExpectationCheck check = ExpectationCheck.flag(dataset, result)) {
      ExpectationCheck.Counts counts;
      try {
        counts = check.count();
      } catch (Exception e) {
        throw located(plan.statement(), queryText, e);
      }
      check.failOn(counts);
      org.apache.spark.sql.Dataset<Row> good = check.passed();
      long goodRows = counts.passed();
      if (dataset.merges()) {
        // MERGE cannot plan a source that reads a view of an Iceberg scan (Spark 4.1 keeps a
        // TableReference there), so the batch is materialized first; it is only the new rows.
        good = MergeWriter.latestPerKey(dataset, good).localCheckpoint();
        goodRows = good.count();
      } else if (dataset.autoCdc().isPresent()) {
        good = good.localCheckpoint(); // for MERGE, as above; the changes are only the new ones
      }
      // Quarantines first: a retry after a crash before the target's commit finds them marked
      // with the target's snapshot, replays the same batch and does not write them again. (The
      // sources' rejected records of uncached batches follow the target, see
      // sourceQuarantineAfterTarget.)
      Map<String, String> quarantineProperties =
          state.quarantineProperties(dataset, flow.commitProperties());
      long rejectedRows =
          flow.quarantinesAfterTarget()
              ? 0
              : quarantines.writeSourceQuarantine(
                  dataset, flow.mode(), flow.batches(), quarantineProperties, flow.written());
      OptionalLong quarantineAfter = OptionalLong.empty();
      if (dataset.hasQuarantine()) {
        quarantineAfter =
            quarantines.writeQuarantine(
                dataset,
                flow.mode(),
                check.quarantined(runId),
                quarantineProperties,
                flow.written());
      }
      OptionalLong after;
      long dropped = counts.dropped();
      Optional<String> note = Optional.empty();
      if (flow.mode() instanceof WriteMode.ResolveIdentities identities) {
        IdentityGraphWriter.Outcome outcome =
            new IdentityGraphWriter(identities, committer, clock)
                .write(dataset, good, flow.commitProperties(), flow.written());
        after = outcome.snapshot();
        goodRows = outcome.written();
        dropped += outcome.dropped();
        note = Optional.of(outcome.summary());
      } else if (flow.mode() instanceof WriteMode.ApplyChanges changes) {
        CdcWriter.Outcome outcome =
            new CdcWriter(changes, plan, committer, clock)
                .write(
                    dataset,
                    good,
                    flow.commitProperties(),
                    flow.written(),
                    flow.batches().stream().anyMatch(SourceBatch::addsColumns));
        after = outcome.snapshot();
        goodRows = outcome.applied();
      } else {
        after = flow.write(committer, good);
      }
      if (flow.quarantinesAfterTarget()) {
        rejectedRows = sourceQuarantineAfterTarget(flow, quarantineProperties);
      }
      return succeeded(
              flow,
              counts.total() + rejectedRows,
              goodRows,
              dropped,
              counts.quarantined() + rejectedRows,
              after,
              quarantineAfter,
              counts.expectations())
          .withNote(note);
    }
  }

  /**
   * A Data Vault table: the staged rows hashed, compared with the table and inserted in one commit
   * ({@link VaultWriter}), after checking that the table records the pipeline's hash standard.
   */
  private FlowResult writeVault(
      Execution flow,
      WriteMode.LoadVault load,
      org.apache.spark.sql.Dataset<Row> staged,
      String queryText) {
    Dataset dataset = flow.dataset();
    checkHashStandard(dataset);
    String target = quoted(dataset.name());
    org.apache.spark.sql.Dataset<Row> existing = load.rebuilds() ? null : spark.table(target);
    VaultWriter.Outcome outcome;
    try {
      outcome =
          new VaultWriter(load.vault(), flow.started())
              .write(
                  target,
                  staged,
                  existing,
                  load.phase() == WriteMode.ApplyChanges.Phase.FULL_REFRESH,
                  (rows, statement) ->
                      committer.commitView(
                          dataset.name(),
                          rows,
                          "__lagoa_vault_",
                          statement,
                          flow.commitProperties(),
                          flow.written()));
    } catch (FlowException e) {
      throw e;
    } catch (RuntimeException e) {
      throw located(flow.plan().statement(), queryText, e);
    }
    OptionalLong after = outcome.snapshot();
    return succeeded(
            flow,
            outcome.read(),
            after.isPresent() ? addedRecordsOfThisRun(dataset.name(), after.getAsLong()) : 0,
            0,
            0,
            outcome.snapshot(),
            OptionalLong.empty(),
            List.of())
        .withNote(
            outcome.withoutKey() == 0
                ? Optional.empty()
                : Optional.of(
                    outcome.withoutKey()
                        + " staged rows without a business key (null or empty, or a hub's"
                        + " missing for a link): not loaded"));
  }

  /**
   * Refuses a Data Vault table that records another hash standard than the pipeline's; nothing for
   * other datasets and tables that do not exist yet.
   */
  void checkHashStandard(Dataset dataset) {
    if (dataset.vault().isEmpty() || !catalog.tableExists(identifier(dataset.name()))) {
      return;
    }
    Table table = catalog.loadTable(identifier(dataset.name()));
    table.refresh();
    VaultWriter.checkStandard(
        dataset.name(), dataset.position(), dataset.vault().get(), table.properties());
  }

  /**
   * A flow without expectations writes its query's result straight away: no cached copy to count
   * and check first (the most expensive step of a large batch). The rows written are the commit's
   * own count.
   */
  private FlowResult writeUnchecked(Execution flow, org.apache.spark.sql.Dataset<Row> result) {
    Dataset dataset = flow.dataset();
    Map<String, String> quarantineProperties =
        state.quarantineProperties(dataset, flow.commitProperties());
    long rejectedRows =
        flow.quarantinesAfterTarget()
            ? 0
            : quarantines.writeSourceQuarantine(
                dataset, flow.mode(), flow.batches(), quarantineProperties, flow.written());
    OptionalLong after;
    try {
      after = flow.write(committer, result);
    } catch (ConcurrentRunConflict e) {
      throw e;
    } catch (FlowException e) {
      throw e.getCause() instanceof Exception cause && !(cause instanceof FlowException)
          ? located(flow.plan().statement(), flow.plan().statement().engineSql(), cause)
          : e;
    }
    if (flow.quarantinesAfterTarget()) {
      rejectedRows = sourceQuarantineAfterTarget(flow, quarantineProperties);
    }
    long rows = after.isPresent() ? addedRecords(dataset.name(), after.getAsLong()) : 0;
    return succeeded(
        flow, rows + rejectedRows, rows, 0, rejectedRows, after, OptionalLong.empty(), List.of());
  }

  /**
   * Writes the sources' rejected records after the table's commit ({@link
   * QuarantineOrder#AFTER_TARGET}): nothing more to read when the write counted none. The table's
   * commit already stores the batch's end position, so this commit must not be lost on its own: any
   * failure here, a commit lost to another run included, fails the flow, and the run puts the table
   * back to where the batch started (as the next run does after a crash), so the batch is read
   * again whole.
   */
  private long sourceQuarantineAfterTarget(
      Execution flow, Map<String, String> quarantineProperties) {
    try {
      return quarantines.writeSourceQuarantineAfterTarget(
          flow.dataset(), flow.mode(), flow.batches(), quarantineProperties, flow.written());
    } catch (ConcurrentRunConflict e) {
      throw new FlowException(
          flow.dataset().position()
              + ": cannot write the records the sources could not read to "
              + flow.dataset().sourceQuarantineTable()
              + ": "
              + e.getMessage()
              + "; the batch is rolled back and read again by the next run",
          e);
    }
  }

  private FlowResult succeeded(
      Execution flow,
      long rowsRead,
      long rowsWritten,
      long rowsDropped,
      long rowsQuarantined,
      OptionalLong after,
      OptionalLong quarantineAfter,
      List<ExpectationResult> expectations) {
    return FlowResult.succeeded(
        flow.dataset().name(),
        flow.dataset().kind(),
        flow.mode().label(),
        flow.started(),
        clock.instant(),
        rowsRead,
        rowsWritten,
        rowsDropped,
        rowsQuarantined,
        flow.before().snapshotId(),
        after,
        quarantineAfter,
        expectations);
  }

  /** The rows a commit of this run added; 0 when the snapshot is another run's. */
  private long addedRecordsOfThisRun(String name, long snapshotId) {
    Snapshot snapshot = catalog.loadTable(identifier(name)).snapshot(snapshotId);
    boolean ours =
        snapshot != null
            && snapshot.summary() != null
            && runId.equals(snapshot.summary().get(RUN_ID_PROPERTY));
    return ours ? addedRecords(name, snapshotId) : 0;
  }

  /** The rows a commit added, from its snapshot summary. */
  private long addedRecords(String name, long snapshotId) {
    Table table = catalog.loadTable(identifier(name));
    Snapshot snapshot = table.snapshot(snapshotId);
    String added =
        snapshot == null || snapshot.summary() == null
            ? null
            : snapshot.summary().get("added-records");
    return added == null ? 0 : Long.parseLong(added);
  }

  /**
   * The statement's query as Spark runs it: the head blanked out (so positions stay those of the
   * file) and each STREAM(table) replaced by a view of the data new since the last run.
   *
   * @param dryRun a {@code --dry-run}: sources read, but write nothing (no file log)
   * @return null when no STREAM source has new data and there is nothing to do
   */
  private String queryText(
      DatasetPlan plan,
      WriteMode mode,
      Map<String, String> commitProperties,
      List<SourceBatch> batches,
      boolean dryRun) {
    char[] text = plan.statement().engineSql().toCharArray();
    for (int i = 0; i < plan.queryOffset(); i++) {
      if (text[i] != '\n' && text[i] != '\r') {
        text[i] = ' ';
      }
    }
    if (plan.streams().isEmpty() && plan.statement().sources().isEmpty()) {
      boolean snapshots =
          plan.statement().autoCdc().map(io.lagoa.pipeline.AutoCdc::fromSnapshot).orElse(false);
      if (plan.statement().kind() != DatasetKind.MATERIALIZED_VIEW && !snapshots) {
        return new String(text);
      }
      // A materialized view (or a snapshot diff) whose inputs have not changed since its last run
      // is up to date.
      Map<String, String> inputs = inputSnapshots(datasetOf(plan));
      Map<String, String> last =
          snapshots
              ? state.lastProcessed(datasetOf(plan).name(), commitProperties)
              : state.summary(datasetOf(plan).name());
      commitProperties.putAll(inputs);
      boolean compares = snapshots ? mode.incremental() : mode instanceof WriteMode.Replace;
      if (inputs.isEmpty() || fullRefresh || !compares) {
        return new String(text);
      }
      boolean unchanged =
          inputs.entrySet().stream()
              .allMatch(input -> input.getValue().equals(last.get(input.getKey())));
      return unchanged && queryHash(plan).equals(last.get(QUERY_HASH_PROPERTY))
          ? null
          : new String(text);
    }
    boolean anyNew = false;
    boolean incremental = mode.incremental();
    // Taken for every batch, so its quarantine marks name where it started even for a create
    Map<String, String> processed = state.lastProcessed(nameOf(plan), commitProperties);
    Map<String, String> previous = incremental ? processed : Map.of();
    Dataset target = datasetOf(plan);
    // positions of a batch whose quarantine was committed but whose target commit was not
    Map<String, String> pending = Map.of();
    if (incremental) {
      pending =
          state.pendingBatch(
              target,
              commitProperties.get(PipelineCommits.expectedBaseKey(target.name())),
              commitProperties);
    } else {
      state.expectQuarantineBases(target, commitProperties);
    }
    for (io.lagoa.pipeline.SourceCall call : plan.statement().sources()) {
      SourceBatch batch = readSource(call, target, previous, pending, batches, dryRun);
      anyNew |= batch.hasNew();
      commitProperties.putAll(batch.position());
      String view = "__k" + names.incrementAndGet();
      batch.rows().createOrReplaceTempView(view);
      for (int i = call.start(); i < call.end(); i++) {
        if (text[i] != '\n' && text[i] != '\r') {
          text[i] = ' ';
        }
      }
      view.getChars(0, view.length(), text, call.nameOffset());
    }
    for (DatasetPlan.StreamRead stream : plan.streams()) {
      String source = sourceName(stream.parts());
      Table table = catalog.loadTable(identifier(source));
      table.refresh();
      Snapshot current = table.currentSnapshot();
      String view = "__s" + names.incrementAndGet();
      org.apache.spark.sql.Dataset<Row> rows;
      String last = previous.get(STREAM_STATE_PREFIX + source);
      String replay = pending.get(STREAM_STATE_PREFIX + source);
      if (replay != null && current != null && !replay.equals(last)) {
        Snapshot replayed = table.snapshot(Long.parseLong(replay));
        current = replayed == null ? current : replayed; // the crashed attempt's batch
      }
      String tableName = quoted(source);
      if (current == null) {
        rows = spark.table(tableName).where(lit(false));
      } else if (last == null) {
        rows =
            spark
                .read()
                .format("iceberg")
                .option("versionAsOf", current.snapshotId())
                .load(tableName);
        anyNew = true;
      } else if (Long.parseLong(last) == current.snapshotId()) {
        rows = spark.table(tableName).where(lit(false));
      } else {
        long lastId = Long.parseLong(last);
        if (!SnapshotUtil.isAncestorOf(table, current.snapshotId(), lastId)) {
          throw new FlowException(
              plan.statement().position()
                  + ": "
                  + source
                  + " no longer"
                  + " contains snapshot "
                  + lastId
                  + ", where the last run stopped reading it (it was"
                  + " rolled back or its history expired); the table needs a full refresh",
              null,
              Remedy.FULL_REFRESH);
        }
        rows =
            spark
                .read()
                .format("iceberg")
                .option("start-snapshot-id", lastId)
                .option("end-snapshot-id", current.snapshotId())
                .load(tableName);
        anyNew = true;
      }
      if (current != null) {
        commitProperties.put(STREAM_STATE_PREFIX + source, Long.toString(current.snapshotId()));
      }
      rows.createOrReplaceTempView(view);
      int length = stream.end() - stream.start();
      if (view.length() > length) {
        throw new IllegalStateException("STREAM(...) span too short for " + view);
      }
      String padded = view + " ".repeat(length - view.length());
      padded.getChars(0, length, text, stream.start());
    }
    boolean exists =
        !(mode instanceof WriteMode.Create)
            && !(mode instanceof WriteMode.ApplyChanges changes && changes.rebuilds())
            && !(mode instanceof WriteMode.LoadVault load && load.rebuilds())
            && !(mode instanceof WriteMode.ResolveIdentities identities && identities.rebuilds());
    if (!anyNew && exists && !fullRefresh) {
      return null;
    }
    return new String(text);
  }

  /**
   * The current snapshot of each table a materialized view reads (through temporary views too), as
   * summary entries; empty when it reads anything else (files, sources), which has no snapshot to
   * compare.
   */
  private Map<String, String> inputSnapshots(Dataset dataset) {
    Map<String, String> snapshots = new java.util.TreeMap<>();
    if (!collectInputSnapshots(dataset, snapshots)) {
      return Map.of();
    }
    snapshots.put(QUERY_HASH_PROPERTY, queryHash(pipeline.plan(dataset)));
    return snapshots;
  }

  private boolean collectInputSnapshots(Dataset dataset, Map<String, String> into) {
    if (!dataset.statement().sources().isEmpty()) {
      return false;
    }
    for (Input input : dataset.inputs()) {
      switch (input.kind()) {
        case DATASET, TABLE -> {
          Dataset upstream = pipeline.graph().dataset(input.name()).orElse(null);
          if (upstream != null && upstream.kind() == DatasetKind.TEMPORARY_VIEW) {
            if (!collectInputSnapshots(upstream, into)) {
              return false;
            }
            continue;
          }
          Map<String, String> summary = state.summary(input.name());
          into.put(
              INPUT_PREFIX + input.name(),
              summary.getOrDefault(StreamBatchState.SNAPSHOT_ID, "none"));
        }
        default -> {
          return false;
        }
      }
    }
    return true;
  }

  /** A hash of what the view computes, so an edited query is never taken as up to date. */
  private static String queryHash(DatasetPlan plan) {
    return Integer.toHexString(
        java.util.Objects.hash(
            plan.statement().engineSql(),
            plan.partitioning(),
            plan.comment(),
            plan.properties(),
            plan.statement().expectations().toString()));
  }

  private Dataset datasetOf(DatasetPlan plan) {
    return pipeline.graph().dataset(nameOf(plan)).orElseThrow();
  }

  private SourceBatch readSource(
      io.lagoa.pipeline.SourceCall call,
      Dataset target,
      Map<String, String> previous,
      Map<String, String> pending,
      List<SourceBatch> batches,
      boolean dryRun) {
    QuarantineOrder order = dryRun ? QuarantineOrder.BEFORE_TARGET : sourceQuarantineOrder;
    SourceBatch batch =
        sources
            .reader(spark, catalog, call, pipeline.source().spec().folder(), target.name())
            .read(
                new LinkedHashMap<>(call.streaming() ? previous : Map.of()),
                pending,
                runId,
                !call.streaming(),
                dryRun,
                order);
    batches.add(batch);
    return batch;
  }

  /** See {@link StreamBatchState#pipelineSummary}. */
  static Map<String, String> pipelineSummary(Table table) {
    return StreamBatchState.pipelineSummary(table);
  }

  private String nameOf(DatasetPlan plan) {
    for (Dataset dataset : pipeline.graph().datasets()) {
      if (dataset.statement() == plan.statement()) {
        return dataset.name();
      }
    }
    throw new IllegalStateException("no dataset for " + plan.statement().position());
  }

  private String sourceName(List<String> parts) {
    String joined = String.join(".", parts).toLowerCase(java.util.Locale.ROOT);
    for (Dataset dataset : pipeline.graph().datasets()) {
      for (Input input : dataset.inputs()) {
        if (input.streaming()
            && (input.name().equals(joined) || input.name().endsWith("." + joined))) {
          return input.name();
        }
      }
    }
    return joined;
  }

  /** Runs a query of a statement; errors come back at their place in the file. */
  org.apache.spark.sql.Dataset<Row> sql(DatasetStatement statement, String queryText) {
    try {
      org.apache.spark.sql.Dataset<Row> rows = spark.sql(queryText);
      rows.schema();
      return rows;
    } catch (Exception e) {
      throw located(statement, queryText, e);
    }
  }

  static FlowException located(DatasetStatement statement, String text, Exception e) {
    if (e instanceof FlowException flow) {
      return flow;
    }
    SqlException error = SparkSql.translate(text, e);
    SourcePosition at =
        error.line().isPresent()
            ? statement.positionAt(error.line().getAsInt(), error.column().orElse(0))
            : statement.position();
    if (statement.vault().isPresent() && error.line().isPresent()) {
      // the query was written from the LOAD flows: the error is in the flow that wrote the line
      at = statement.vault().get().flowAt(error.line().getAsInt()).orElse(statement.position());
    }
    return new FlowException(at + ": " + SparkPipelineParser.withoutExcerpt(error.getMessage()), e);
  }

  /** The query text of a temporary view's statement, to create it in the session. */
  String viewText(Dataset view) {
    return view.statement().engineSql();
  }

  static TableIdentifier identifier(String name) {
    return TableNames.parse(name);
  }

  static String quoted(String name) {
    StringBuilder quoted = new StringBuilder("lagoa");
    for (String part : name.split("\\.")) {
      quoted.append('.').append(quote(part));
    }
    return quoted.toString();
  }

  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}

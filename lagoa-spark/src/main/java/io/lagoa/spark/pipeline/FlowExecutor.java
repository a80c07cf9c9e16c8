package io.lagoa.spark.pipeline;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.DatasetStatement;
import io.lagoa.pipeline.Expectation;
import io.lagoa.pipeline.ExpectationPolicy;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourcePosition;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
import io.lagoa.spark.pipeline.source.SourceBatch;
import io.lagoa.spark.pipeline.source.SourceReaders;
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
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

/**
 * Runs one flow: computes the dataset's query, checks its expectations in one pass over a cached
 * result, and writes the table (and its quarantine table) in one Iceberg commit each.
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
  private static final String FLAG = "__lagoa_rule_";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FlowExecutor.class);

  private final SparkSession spark;
  private final Catalog catalog;
  private final CompiledPipeline pipeline;
  private final String runId;
  private final boolean fullRefresh;
  private final Clock clock;
  private final ViewRegistry views;
  private final AtomicInteger names = new AtomicInteger();
  private final SourceReaders sources;

  FlowExecutor(SparkSession spark, Catalog catalog, CompiledPipeline pipeline, String runId,
      boolean fullRefresh, Clock clock, ViewRegistry views) {
    this(spark, catalog, pipeline, runId, fullRefresh, clock, views, new SourceReaders());
  }

  /** @param sources the readers of the run's source calls, owned by the caller */
  FlowExecutor(SparkSession spark, Catalog catalog, CompiledPipeline pipeline, String runId,
      boolean fullRefresh, Clock clock, ViewRegistry views, SourceReaders sources) {
    this.sources = sources;
    this.spark = spark;
    this.catalog = catalog;
    this.pipeline = pipeline;
    this.runId = runId;
    this.fullRefresh = fullRefresh;
    this.clock = clock;
    this.views = views;
  }

  /**
   * Analyzes the flow's query and expectations against the catalog without running or writing
   * anything: what {@code --dry-run} does.
   */
  void check(Dataset dataset) {
    DatasetPlan plan = pipeline.plan(dataset);
    views.ensure(dataset, this);
    List<SourceBatch> batches = new ArrayList<>();
    try {
      check(dataset, plan, queryText(plan, "create", new LinkedHashMap<>(), batches, true));
    } finally {
      batches.forEach(batch -> batch.release().run());
    }
  }

  private void check(Dataset dataset, DatasetPlan plan, String queryText) {
    org.apache.spark.sql.Dataset<Row> result = sql(plan.statement(), queryText);
    for (Expectation rule : dataset.statement().expectations()) {
      try {
        result.select(expr(rule.condition()).cast("boolean")).schema();
      } catch (Exception e) {
        throw new FlowException(rule.conditionPosition() + ": in expectation " + rule.name()
            + ": " + SparkSql.translate(rule.condition(), e).getMessage(), e);
      }
    }
    if (dataset.merges()) {
      for (String key : dataset.statement().keys()) {
        if (java.util.Arrays.stream(result.columns()).noneMatch(key::equalsIgnoreCase)) {
          throw new FlowException(dataset.position() + ": KEYS column " + key
              + " is not a column of the query's result", null);
        }
      }
    }
  }

  /** What the flow will do: create, replace, full refresh, append or merge. */
  String action(Dataset dataset) {
    boolean exists = catalog.tableExists(identifier(dataset.name()));
    if (!exists) {
      return "create";
    }
    if (dataset.kind() == DatasetKind.MATERIALIZED_VIEW) {
      return "replace";
    }
    if (fullRefresh) {
      return "full refresh";
    }
    return dataset.merges() ? "merge" : "append";
  }

  /**
   * Runs the flow. Throws {@link FlowException} when it fails; anything it committed before
   * failing is listed in {@code written} so the run can restore it.
   */
  FlowResult run(Dataset dataset, TableState before, Map<String, List<Long>> written) {
    Instant started = clock.instant();
    String action = action(dataset);
    DatasetPlan plan = pipeline.plan(dataset);
    views.ensure(dataset, this);
    Map<String, String> commitProperties = new LinkedHashMap<>();
    commitProperties.put(RUN_ID_PROPERTY, runId);
    List<SourceBatch> batches = new ArrayList<>();
    try {
      String queryText = queryText(plan, action, commitProperties, batches, false);
      if (queryText == null) {
        return new FlowResult(dataset.name(), dataset.kind(), action, FlowStatus.UP_TO_DATE,
            started, clock.instant(), 0, 0, 0, 0, before.snapshotId(), before.snapshotId(),
            OptionalLong.empty(), List.of(), Optional.empty());
      }
      return run(dataset, plan, action, before, written, started, commitProperties, batches,
          queryText);
    } finally {
      batches.forEach(batch -> batch.release().run());
    }
  }

  private FlowResult run(Dataset dataset, DatasetPlan plan, String action, TableState before,
      Map<String, List<Long>> written, Instant started, Map<String, String> commitProperties,
      List<SourceBatch> batches, String queryText) {
    org.apache.spark.sql.Dataset<Row> result = sql(plan.statement(), queryText);
    List<Expectation> rules = dataset.statement().expectations();
    if (rules.isEmpty() && !dataset.merges()) {
      return writeUnchecked(dataset, plan, action, before, written, started, commitProperties,
          batches, result);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : result.columns()) {
      columns.add(col("`" + name.replace("`", "``") + "`"));
    }
    org.apache.spark.sql.Dataset<Row> flagged = result;
    for (int i = 0; i < rules.size(); i++) {
      Expectation rule = rules.get(i);
      Column passed;
      try {
        passed = coalesce(expr(rule.condition()).cast("boolean"), lit(false));
        flagged = flagged.withColumn(FLAG + i, passed);
        flagged.schema(); // resolve now, to report a bad column at the rule's place
      } catch (Exception e) {
        SqlException error = SparkSql.translate(rule.condition(), e);
        throw new FlowException(rule.conditionPosition() + ": in expectation " + rule.name()
            + ": " + error.getMessage(), e);
      }
    }
    Column quarantined = anyFailed(rules, ExpectationPolicy.QUARANTINE);
    Column dropped = anyFailed(rules, ExpectationPolicy.DROP).and(not(quarantined));
    Column failedHard = anyFailed(rules, ExpectationPolicy.FAIL);
    flagged = flagged.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Column> aggregates = new ArrayList<>();
      aggregates.add(count(lit(1)));
      aggregates.add(sum(when(dropped, 1).otherwise(0)));
      aggregates.add(sum(when(quarantined, 1).otherwise(0)));
      for (int i = 0; i < rules.size(); i++) {
        aggregates.add(sum(when(col(FLAG + i), 0).otherwise(1)));
      }
      Row counts;
      try {
        counts = flagged.agg(aggregates.get(0), aggregates.subList(1, aggregates.size())
            .toArray(new Column[0])).first();
      } catch (Exception e) {
        throw located(plan.statement(), queryText, e);
      }
      long total = counts.getLong(0);
      long droppedRows = total == 0 ? 0 : counts.getLong(1);
      long quarantinedRows = total == 0 ? 0 : counts.getLong(2);
      List<ExpectationResult> expectations = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        Expectation rule = rules.get(i);
        long failed = total == 0 ? 0 : counts.getLong(3 + i);
        expectations.add(new ExpectationResult(
            rule.name(), rule.condition(), rule.policy(), total, failed));
        if (rule.policy() == ExpectationPolicy.FAIL && failed > 0) {
          failures.add(rule.position() + ": expectation " + rule.name() + " ("
              + rule.condition().strip() + ") failed for " + failed + " of " + total + " rows");
        }
      }
      if (!failures.isEmpty()) {
        throw new FlowException(String.join("\n", failures) + "\n" + dataset.name()
            + " was not written (ON VIOLATION FAIL UPDATE)", null, expectations);
      }
      org.apache.spark.sql.Dataset<Row> good =
          flagged.where(not(quarantined).and(not(dropped))).select(columns.toArray(new Column[0]));
      long goodRows = total - droppedRows - quarantinedRows;
      if (dataset.merges()) {
        // MERGE cannot plan a source that reads a view of an Iceberg scan (Spark 4.1 keeps a
        // TableReference there), so the batch is materialized first; it is only the new rows.
        good = latestPerKey(dataset, good).localCheckpoint();
        goodRows = good.count();
      }
      // Quarantines first: a retry after a crash before the target's commit finds them marked
      // with the target's snapshot, replays the same batch and does not write them again.
      Map<String, String> quarantineProperties = new LinkedHashMap<>(commitProperties);
      quarantineProperties.put(TARGET_SNAPSHOT_PROPERTY, marker(dataset, commitProperties));
      long rejectedRows = writeSourceQuarantine(dataset, action, batches, quarantineProperties,
          written);
      OptionalLong quarantineAfter = OptionalLong.empty();
      if (dataset.hasQuarantine()) {
        org.apache.spark.sql.Dataset<Row> bad =
            flagged.where(quarantined).select(quarantineColumns(rules, columns));
        quarantineAfter = writeQuarantine(dataset, dataset.quarantineTable(), action, bad,
            quarantineProperties, written, "Rows of " + dataset.name()
                + " that failed a QUARANTINE expectation");
      }
      OptionalLong after = write(dataset, plan, action, good, commitProperties, written,
          batches.stream().anyMatch(SourceBatch::addsColumns));
      return new FlowResult(dataset.name(), dataset.kind(), action, FlowStatus.SUCCEEDED, started,
          clock.instant(), total + rejectedRows, goodRows, droppedRows,
          quarantinedRows + rejectedRows, before.snapshotId(), after, quarantineAfter,
          expectations, Optional.empty());
    } finally {
      flagged.unpersist();
    }
  }

  /**
   * A flow without expectations writes its query's result straight away: no cached copy to
   * count and check first (the most expensive step of a large batch). The rows written are the
   * commit's own count.
   */
  private FlowResult writeUnchecked(Dataset dataset, DatasetPlan plan, String action,
      TableState before, Map<String, List<Long>> written, Instant started,
      Map<String, String> commitProperties, List<SourceBatch> batches,
      org.apache.spark.sql.Dataset<Row> result) {
    Map<String, String> quarantineProperties = new LinkedHashMap<>(commitProperties);
    quarantineProperties.put(TARGET_SNAPSHOT_PROPERTY, marker(dataset, commitProperties));
    long rejectedRows = writeSourceQuarantine(dataset, action, batches, quarantineProperties,
        written);
    OptionalLong after;
    try {
      after = write(dataset, plan, action, result, commitProperties, written,
          batches.stream().anyMatch(SourceBatch::addsColumns));
    } catch (ConcurrentRunConflict e) {
      throw e;
    } catch (FlowException e) {
      throw e.getCause() instanceof Exception cause && !(cause instanceof FlowException)
          ? located(plan.statement(), plan.statement().engineSql(), cause) : e;
    }
    long rows = after.isPresent() ? addedRecords(dataset.name(), after.getAsLong()) : 0;
    return new FlowResult(dataset.name(), dataset.kind(), action, FlowStatus.SUCCEEDED, started,
        clock.instant(), rows + rejectedRows, rows, 0, rejectedRows, before.snapshotId(), after,
        OptionalLong.empty(), List.of(), Optional.empty());
  }

  /** The rows a commit added, from its snapshot summary. */
  private long addedRecords(String name, long snapshotId) {
    Table table = catalog.loadTable(identifier(name));
    Snapshot snapshot = table.snapshot(snapshotId);
    String added = snapshot == null || snapshot.summary() == null ? null
        : snapshot.summary().get("added-records");
    return added == null ? 0 : Long.parseLong(added);
  }

  private static Column anyFailed(List<Expectation> rules, ExpectationPolicy policy) {
    Column any = lit(false);
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).policy() == policy) {
        any = any.or(not(col(FLAG + i)));
      }
    }
    return any;
  }

  private Column[] quarantineColumns(List<Expectation> rules, List<Column> columns) {
    List<Column> names = new ArrayList<>();
    List<Column> reasons = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Expectation rule = rules.get(i);
      if (rule.policy() == ExpectationPolicy.QUARANTINE) {
        names.add(when(not(col(FLAG + i)), lit(rule.name())));
        reasons.add(when(not(col(FLAG + i)), lit("failed EXPECT (" + rule.condition().strip() + ")")));
      }
    }
    List<Column> all = new ArrayList<>(columns);
    all.add(concat_ws(", ", names.toArray(new Column[0])).as("_rule"));
    all.add(concat_ws("; ", reasons.toArray(new Column[0])).as("_reason"));
    all.add(lit(runId).as("_run_id"));
    all.add(current_timestamp().as("_quarantined_at"));
    return all.toArray(new Column[0]);
  }

  /**
   * A merge takes one row per key: with SEQUENCE BY the latest, without it duplicates are an
   * error (which of them should win would be a guess).
   */
  private org.apache.spark.sql.Dataset<Row> latestPerKey(
      Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
    DatasetStatement statement = dataset.statement();
    Column[] keys = statement.keys().stream().map(key -> col("`" + key + "`")).toArray(Column[]::new);
    if (statement.sequenceBy().isPresent()) {
      return rows.withColumn("__lagoa_rank", row_number().over(
              Window.partitionBy(keys).orderBy(col("`" + statement.sequenceBy().get() + "`").desc())))
          .where(col("__lagoa_rank").equalTo(1))
          .drop("__lagoa_rank");
    }
    List<Row> duplicates = rows.groupBy(keys).count().where(col("count").gt(1)).limit(3).collectAsList();
    if (!duplicates.isEmpty()) {
      throw new FlowException(statement.position() + ": " + dataset.name() + " merges on KEYS ("
          + String.join(", ", statement.keys()) + "), but the new data has several rows for the"
          + " same key, e.g. " + duplicates.get(0).toString() + "; add SEQUENCE BY <column> to"
          + " keep the latest, or remove the duplicates in the query", null);
    }
    return rows;
  }

  /**
   * The statement's query as Spark runs it: the head blanked out (so positions stay those of the
   * file) and each STREAM(table) replaced by a view of the data new since the last run.
   *
   * @param dryRun a {@code --dry-run}: sources read, but write nothing (no file log)
   * @return null when no STREAM source has new data and there is nothing to do
   */
  private String queryText(DatasetPlan plan, String action, Map<String, String> commitProperties,
      List<SourceBatch> batches, boolean dryRun) {
    char[] text = plan.statement().engineSql().toCharArray();
    for (int i = 0; i < plan.queryOffset(); i++) {
      if (text[i] != '\n' && text[i] != '\r') {
        text[i] = ' ';
      }
    }
    if (plan.streams().isEmpty() && plan.statement().sources().isEmpty()) {
      if (plan.statement().kind() != DatasetKind.MATERIALIZED_VIEW) {
        return new String(text);
      }
      // A materialized view whose inputs have not changed since its last run is up to date.
      Map<String, String> inputs = inputSnapshots(datasetOf(plan));
      commitProperties.putAll(inputs);
      if (inputs.isEmpty() || fullRefresh || !action.equals("replace")) {
        return new String(text);
      }
      Map<String, String> last = summary(datasetOf(plan).name());
      boolean unchanged = inputs.entrySet().stream()
          .allMatch(input -> input.getValue().equals(last.get(input.getKey())));
      return unchanged && queryHash(plan).equals(last.get(QUERY_HASH_PROPERTY))
          ? null : new String(text);
    }
    boolean anyNew = false;
    boolean incremental = action.equals("append") || action.equals("merge");
    // Taken for every batch, so its quarantine marks name where it started even for a create
    Map<String, String> processed = lastProcessed(plan, commitProperties);
    Map<String, String> previous = incremental ? processed : Map.of();
    Dataset target = datasetOf(plan);
    // positions of a batch whose quarantine was committed but whose target commit was not
    Map<String, String> pending = incremental
        ? pendingBatch(target, commitProperties.get(PipelineCommits.expectedBaseKey(target.name())),
            commitProperties)
        : Map.of();
    {
      // Quarantine commits are checked like the target's: a batch another run has quarantined
      // since this one started is replayed, not quarantined a second time (nor replaced).
      for (String table : List.of(target.sourceQuarantineTable(), target.quarantineTable())) {
        commitProperties.put(PipelineCommits.expectedBaseKey(table), lastPipelineCommit(table)
            .map(snapshot -> Long.toString(snapshot.snapshotId())).orElse(PipelineCommits.NONE));
      }
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
        rows = spark.read().format("iceberg").option("versionAsOf", current.snapshotId())
            .load(tableName);
        anyNew = true;
      } else if (Long.parseLong(last) == current.snapshotId()) {
        rows = spark.table(tableName).where(lit(false));
      } else {
        long lastId = Long.parseLong(last);
        if (!SnapshotUtil.isAncestorOf(table, current.snapshotId(), lastId)) {
          throw new FlowException(plan.statement().position() + ": " + source + " no longer"
              + " contains snapshot " + lastId + ", where the last run stopped reading it (it was"
              + " rolled back or its history expired); run again with --full-refresh", null);
        }
        rows = spark.read().format("iceberg")
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
    boolean exists = !action.equals("create");
    if (!anyNew && exists && !fullRefresh) {
      return null;
    }
    return new String(text);
  }

  /**
   * The current snapshot of each table a materialized view reads (through temporary views too),
   * as summary entries; empty when it reads anything else (files, sources), which has no
   * snapshot to compare.
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
          Map<String, String> summary = summary(input.name());
          into.put(INPUT_PREFIX + input.name(), summary.getOrDefault(SNAPSHOT_ID, "none"));
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
    return Integer.toHexString(java.util.Objects.hash(plan.statement().engineSql(),
        plan.partitioning(), plan.comment(), plan.properties(),
        plan.statement().expectations().toString()));
  }

  private Dataset datasetOf(DatasetPlan plan) {
    return pipeline.graph().dataset(nameOf(plan)).orElseThrow();
  }

  /** The target's current snapshot id, or "none": what quarantine commits are marked with. */
  private String targetSnapshot(Dataset dataset) {
    Map<String, String> summary = summary(dataset.name());
    return summary.getOrDefault(SNAPSHOT_ID, "none");
  }

  /**
   * What a batch's quarantine commits are marked with: the target's last pipeline commit when the
   * batch started reading (the commit whose positions it read from), or for a first run or a
   * replace the target's current snapshot ("none"). Taken when the batch starts, not when the
   * quarantine is written: a mark taken later could name another run's newer commit, and the
   * next batch would then take this older batch for an interrupted one and replay it.
   */
  private String marker(Dataset dataset, Map<String, String> commitProperties) {
    String base = commitProperties.get(PipelineCommits.expectedBaseKey(dataset.name()));
    return base != null ? base : targetSnapshot(dataset);
  }

  /**
   * The source positions of a batch that was cut short after writing a quarantine table but before
   * the target's commit: a quarantine commit marked with the target's last pipeline commit, which
   * is where that batch started reading.
   */
  private Map<String, String> pendingBatch(Dataset dataset, String target,
      Map<String, String> commitProperties) {
    Map<String, String> pending = Map.of();
    for (String table : List.of(dataset.sourceQuarantineTable(), dataset.quarantineTable())) {
      Map<String, String> summary = summary(table);
      if (target.equals(summary.get(TARGET_SNAPSHOT_PROPERTY))) {
        // this batch replays that one: its rows there are not written again
        commitProperties.put(REPLAYS_PREFIX + table, summary.get(SNAPSHOT_ID));
        pending = pending.isEmpty() ? summary : pending;
      }
    }
    return pending;
  }

  /** The last snapshot's summary, with its id under {@link #SNAPSHOT_ID}; empty without one. */
  private Map<String, String> summary(String name) {
    try {
      Table table = catalog.loadTable(identifier(name));
      table.refresh();
      Snapshot snapshot = table.currentSnapshot();
      if (snapshot == null) {
        return Map.of();
      }
      Map<String, String> summary = new LinkedHashMap<>();
      if (snapshot.summary() != null) {
        summary.putAll(snapshot.summary());
      }
      summary.put(SNAPSHOT_ID, Long.toString(snapshot.snapshotId()));
      return summary;
    } catch (NoSuchTableException e) {
      return Map.of();
    }
  }

  private SourceBatch readSource(io.lagoa.pipeline.SourceCall call, Dataset target,
      Map<String, String> previous, Map<String, String> pending, List<SourceBatch> batches,
      boolean dryRun) {
    SourceBatch batch = sources.reader(spark, catalog, call, pipeline.source().spec().folder(),
        target.name()).read(new LinkedHashMap<>(call.streaming() ? previous : Map.of()), pending,
        runId, !call.streaming(), dryRun);
    batches.add(batch);
    return batch;
  }

  /**
   * The summary of the table's latest snapshot that a pipeline run committed, which holds the
   * positions its sources were read to (see {@link PipelineCommits#lastPipelineCommit}): taking a
   * compaction's empty summary would read every source from the start again. The commit's id goes
   * with the batch as the table's expected base, so the catalog refuses the batch's commit when
   * another run committed in between.
   */
  private Map<String, String> lastProcessed(DatasetPlan plan, Map<String, String> commitProperties) {
    String name = nameOf(plan);
    Optional<Snapshot> last = lastPipelineCommit(name);
    commitProperties.put(PipelineCommits.expectedBaseKey(name),
        last.map(snapshot -> Long.toString(snapshot.snapshotId())).orElse(PipelineCommits.NONE));
    return last.map(Snapshot::summary).orElse(Map.of());
  }

  /** The table's last pipeline commit; empty when it has none or does not exist. */
  private Optional<Snapshot> lastPipelineCommit(String name) {
    try {
      Table table = catalog.loadTable(identifier(name));
      table.refresh();
      return PipelineCommits.lastPipelineCommit(metadata(table));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  /** See {@link #lastProcessed}: the summary of the table's last commit by a pipeline run. */
  static Map<String, String> pipelineSummary(Table table) {
    return PipelineCommits.lastPipelineCommit(metadata(table)).map(Snapshot::summary)
        .orElse(Map.of());
  }

  private static org.apache.iceberg.TableMetadata metadata(Table table) {
    return ((org.apache.iceberg.HasTableOperations) table).operations().current();
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
        if (input.streaming() && (input.name().equals(joined) || input.name().endsWith("." + joined))) {
          return input.name();
        }
      }
    }
    return joined;
  }

  private OptionalLong write(Dataset dataset, DatasetPlan plan, String action,
      org.apache.spark.sql.Dataset<Row> rows, Map<String, String> commitProperties,
      Map<String, List<Long>> written, boolean addColumns) {
    String view = "__lagoa_flow_" + names.incrementAndGet();
    rows.createOrReplaceTempView(view);
    String target = quoted(dataset.name());
    if (addColumns && (action.equals("append") || action.equals("merge"))) {
      addNewColumns(dataset, rows);
    }
    String sql;
    switch (action) {
      case "append" -> sql = "INSERT INTO " + target + " BY NAME SELECT * FROM " + view;
      case "merge" -> {
        DatasetStatement statement = dataset.statement();
        List<String> on = new ArrayList<>();
        for (String key : statement.keys()) {
          on.add("t." + quote(key) + " <=> s." + quote(key));
        }
        sql = "MERGE INTO " + target + " t USING " + view + " s ON " + String.join(" AND ", on)
            + " WHEN MATCHED"
            + statement.sequenceBy().map(seq -> " AND s." + quote(seq) + " >= t." + quote(seq)).orElse("")
            + " THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *";
      }
      // "create" must not replace a table another run created meanwhile: that conflict re-plans
      default -> sql = replaceTable(target, plan, view, !action.equals("create"));
    }
    try {
      commit(sql, commitProperties);
      return recordWrite(dataset.name(), written);
    } catch (RuntimeException e) {
      recordWrite(dataset.name(), written); // a commit may have happened before the failure
      throw e;
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /**
   * Adds the columns a streaming table's new rows have and the table lacks (a source with
   * schema evolution found new fields). Adding optional columns changes metadata only; a failed
   * run restores the earlier schema with the rest. Another runner may add the same columns
   * between reading the schema and altering it: then the schema is read again and only what is
   * still missing is added.
   */
  private void addNewColumns(Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
    for (int attempt = 1; ; attempt++) {
      List<String> added = missingColumns(dataset, rows);
      if (added.isEmpty()) {
        return;
      }
      LOG.debug("{}: adding columns {}", dataset.name(), added);
      try {
        commit("ALTER TABLE " + quoted(dataset.name()) + " ADD COLUMNS ("
            + String.join(", ", added) + ")", Map.of(RUN_ID_PROPERTY, runId));
        return;
      } catch (RuntimeException e) {
        if (attempt >= 5 || !addedMeanwhile(e)) {
          throw e;
        }
      }
    }
  }

  private List<String> missingColumns(Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
    org.apache.spark.sql.types.StructType existing = spark.table(quoted(dataset.name())).schema();
    List<String> added = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField field : rows.schema().fields()) {
      boolean present = java.util.Arrays.stream(existing.fieldNames())
          .anyMatch(name -> name.equalsIgnoreCase(field.name()));
      if (!present) {
        added.add(quote(field.name()) + " " + field.dataType().sql());
      }
    }
    return added;
  }

  /** Whether an ADD COLUMNS failed because another writer added one of the columns first. */
  private static boolean addedMeanwhile(Throwable error) {
    for (Throwable cause = error; cause != null && cause.getCause() != cause;
        cause = cause.getCause()) {
      if (cause instanceof org.apache.iceberg.exceptions.CommitFailedException
          || String.valueOf(cause.getMessage()).contains("name already exists")) {
        return true;
      }
    }
    return false;
  }

  /** Writes the records the sources could not read; returns how many. */
  private long writeSourceQuarantine(Dataset dataset, String action, List<SourceBatch> batches,
      Map<String, String> properties, Map<String, List<Long>> written) {
    org.apache.spark.sql.Dataset<Row> rejected = null;
    for (SourceBatch batch : batches) {
      rejected = rejected == null ? batch.rejected() : rejected.unionByName(batch.rejected());
    }
    if (rejected == null) {
      return 0;
    }
    rejected = rejected.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long count = rejected.count();
      if (count == 0) {
        createEmpty(dataset.sourceQuarantineTable(), rejected.schema(),
            "Records the sources of " + dataset.name() + " could not read, as they came");
        return 0;
      }
      writeQuarantine(dataset, dataset.sourceQuarantineTable(), action, rejected, properties,
          written, "Records the sources of " + dataset.name() + " could not read, as they came");
      return count;
    } finally {
      rejected.unpersist();
    }
  }

  /**
   * Creates a quarantine table without rows (and without a snapshot) when it does not exist yet,
   * so queries and dashboards on it work before the first bad record arrives.
   */
  private void createEmpty(String table, org.apache.spark.sql.types.StructType schema,
      String comment) {
    if (catalog.tableExists(identifier(table))) {
      return;
    }
    List<String> columns = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField field : schema.fields()) {
      columns.add(quote(field.name()) + " " + field.dataType().sql());
    }
    try {
      spark.sql("CREATE TABLE IF NOT EXISTS " + quoted(table) + " (" + String.join(", ", columns)
          + ") USING iceberg COMMENT " + literal(comment));
    } catch (RuntimeException e) {
      LOG.debug("cannot create {} up front; it is created with its first record", table, e);
    }
  }

  private OptionalLong writeQuarantine(Dataset dataset, String table, String action,
      org.apache.spark.sql.Dataset<Row> rows, Map<String, String> properties,
      Map<String, List<Long>> written, String comment) {
    boolean incremental = action.equals("append") || action.equals("merge");
    String replayed = properties.get(REPLAYS_PREFIX + table);
    if (incremental && replayed != null) {
      // Only the interrupted batch found when this one started is skipped; a quarantine commit
      // of another run since then is not this batch's (the commit check re-plans this batch).
      LOG.debug("{}: this batch's rows are already in {}", dataset.name(), table);
      return OptionalLong.of(Long.parseLong(replayed));
    }
    String view = "__lagoa_quarantine_" + names.incrementAndGet();
    rows.createOrReplaceTempView(view);
    String target = quoted(table);
    boolean exists = catalog.tableExists(identifier(table));
    // A missing table is created, never replaced: another run may create it at the same time,
    // and that conflict plans the batch again. An existing one is replaced only by a replacing
    // run, and only when no other run quarantined anything since the batch started.
    String sql = exists && incremental
        ? "INSERT INTO " + target + " BY NAME SELECT * FROM " + view
        : (exists ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ") + target
            + " USING iceberg COMMENT " + literal(comment) + " AS SELECT * FROM " + view;
    try {
      commit(sql, properties);
      return recordWrite(table, written);
    } catch (RuntimeException e) {
      recordWrite(table, written);
      throw e;
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  private String replaceTable(String target, DatasetPlan plan, String view, boolean orReplace) {
    StringBuilder sql = new StringBuilder(orReplace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ")
        .append(target)
        .append(" USING iceberg");
    if (!plan.partitioning().isEmpty()) {
      List<String> transforms = new ArrayList<>();
      for (String transform : plan.partitioning()) {
        transforms.add(transform.startsWith("identity(") && transform.endsWith(")")
            ? transform.substring("identity(".length(), transform.length() - 1)
            : transform);
      }
      sql.append(" PARTITIONED BY (").append(String.join(", ", transforms)).append(")");
    }
    plan.comment().ifPresent(comment -> sql.append(" COMMENT ").append(literal(comment)));
    if (!plan.properties().isEmpty()) {
      List<String> properties = new ArrayList<>();
      plan.properties().forEach((key, value) -> properties.add(literal(key) + " = " + literal(value)));
      sql.append(" TBLPROPERTIES (").append(String.join(", ", properties)).append(")");
    }
    return sql.append(" AS SELECT * FROM ").append(view).toString();
  }

  private void commit(String sql, Map<String, String> properties) {
    try {
      CommitMetadata.withCommitProperties(properties, () -> {
        spark.sql(sql);
        return null;
      }, RuntimeException.class);
    } catch (RuntimeException e) {
      Optional<String> conflict = ConcurrentRunConflict.describe(e);
      if (conflict.isPresent()) {
        throw new ConcurrentRunConflict(conflict.get(), e);
      }
      throw new FlowException("cannot write: " + SparkSql.translate(sql, e).getMessage(), e);
    }
  }

  private OptionalLong recordWrite(String name, Map<String, List<Long>> written) {
    try {
      Table table = catalog.loadTable(identifier(name));
      table.refresh();
      Snapshot snapshot = table.currentSnapshot();
      if (snapshot == null) {
        return OptionalLong.empty();
      }
      String run = snapshot.summary() == null ? null : snapshot.summary().get(RUN_ID_PROPERTY);
      if (runId.equals(run)) {
        written.computeIfAbsent(name, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
            .add(snapshot.snapshotId());
      }
      return OptionalLong.of(snapshot.snapshotId());
    } catch (NoSuchTableException e) {
      return OptionalLong.empty();
    }
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

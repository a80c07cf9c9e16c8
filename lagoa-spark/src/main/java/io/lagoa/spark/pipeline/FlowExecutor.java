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
import io.lagoa.pipeline.SourcePosition;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
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
  static final String STREAM_STATE_PREFIX = "lagoa.stream.";
  static final String RUN_ID_PROPERTY = "lagoa.pipeline.run-id";
  private static final String FLAG = "__lagoa_rule_";

  private final SparkSession spark;
  private final Catalog catalog;
  private final CompiledPipeline pipeline;
  private final String runId;
  private final boolean fullRefresh;
  private final Clock clock;
  private final ViewRegistry views;
  private final AtomicInteger names = new AtomicInteger();

  FlowExecutor(SparkSession spark, Catalog catalog, CompiledPipeline pipeline, String runId,
      boolean fullRefresh, Clock clock, ViewRegistry views) {
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
    String queryText = queryText(plan, "create", new LinkedHashMap<>());
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
    String queryText = queryText(plan, action, commitProperties);
    if (queryText == null) {
      return new FlowResult(dataset.name(), dataset.kind(), action, FlowStatus.UP_TO_DATE,
          started, clock.instant(), 0, 0, 0, 0, before.snapshotId(), before.snapshotId(),
          OptionalLong.empty(), List.of(), Optional.empty());
    }
    org.apache.spark.sql.Dataset<Row> result = sql(plan.statement(), queryText);
    List<Expectation> rules = dataset.statement().expectations();
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
      OptionalLong after = write(dataset, plan, action, good, commitProperties, written);
      OptionalLong quarantineAfter = OptionalLong.empty();
      if (dataset.hasQuarantine()) {
        org.apache.spark.sql.Dataset<Row> bad =
            flagged.where(quarantined).select(quarantineColumns(rules, columns));
        quarantineAfter = writeQuarantine(dataset, action, bad, written);
      }
      return new FlowResult(dataset.name(), dataset.kind(), action, FlowStatus.SUCCEEDED, started,
          clock.instant(), total, goodRows, droppedRows, quarantinedRows, before.snapshotId(),
          after, quarantineAfter, expectations, Optional.empty());
    } finally {
      flagged.unpersist();
    }
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
   * @return null when no STREAM source has new data and there is nothing to do
   */
  private String queryText(DatasetPlan plan, String action, Map<String, String> commitProperties) {
    char[] text = plan.statement().engineSql().toCharArray();
    for (int i = 0; i < plan.queryOffset(); i++) {
      if (text[i] != '\n' && text[i] != '\r') {
        text[i] = ' ';
      }
    }
    if (plan.streams().isEmpty()) {
      return new String(text);
    }
    boolean anyNew = false;
    Map<String, String> previous = lastProcessed(plan);
    for (DatasetPlan.StreamRead stream : plan.streams()) {
      String source = sourceName(stream.parts());
      Table table = catalog.loadTable(identifier(source));
      table.refresh();
      Snapshot current = table.currentSnapshot();
      String view = "__s" + names.incrementAndGet();
      org.apache.spark.sql.Dataset<Row> rows;
      String last = action.equals("append") || action.equals("merge")
          ? previous.get(STREAM_STATE_PREFIX + source) : null;
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

  private Map<String, String> lastProcessed(DatasetPlan plan) {
    try {
      Table target = catalog.loadTable(identifier(nameOf(plan)));
      target.refresh();
      Snapshot snapshot = target.currentSnapshot();
      return snapshot == null || snapshot.summary() == null ? Map.of() : snapshot.summary();
    } catch (NoSuchTableException e) {
      return Map.of();
    }
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
      Map<String, List<Long>> written) {
    String view = "__lagoa_flow_" + names.incrementAndGet();
    rows.createOrReplaceTempView(view);
    String target = quoted(dataset.name());
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
      default -> sql = replaceTable(target, plan, view);
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

  private OptionalLong writeQuarantine(Dataset dataset, String action,
      org.apache.spark.sql.Dataset<Row> rows, Map<String, List<Long>> written) {
    String view = "__lagoa_quarantine_" + names.incrementAndGet();
    rows.createOrReplaceTempView(view);
    String target = quoted(dataset.quarantineTable());
    boolean exists = catalog.tableExists(identifier(dataset.quarantineTable()));
    boolean append = exists && (action.equals("append") || action.equals("merge"));
    String sql = append
        ? "INSERT INTO " + target + " BY NAME SELECT * FROM " + view
        : "CREATE OR REPLACE TABLE " + target + " USING iceberg COMMENT "
            + literal("Rows of " + dataset.name() + " that failed a QUARANTINE expectation")
            + " AS SELECT * FROM " + view;
    try {
      commit(sql, Map.of(RUN_ID_PROPERTY, runId));
      return recordWrite(dataset.quarantineTable(), written);
    } catch (RuntimeException e) {
      recordWrite(dataset.quarantineTable(), written);
      throw e;
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  private String replaceTable(String target, DatasetPlan plan, String view) {
    StringBuilder sql = new StringBuilder("CREATE OR REPLACE TABLE ").append(target)
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

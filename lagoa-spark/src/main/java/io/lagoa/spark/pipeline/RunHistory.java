package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.ExpectationResult;
import io.lagoa.spark.SparkSql;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Records runs in Iceberg tables in the {@code lagoa_system} namespace, created on first use:
 * {@code pipeline_runs} (one row per run), {@code flow_runs} (one per flow) and {@code
 * expectation_results} (one per expectation and flow). Each table gets one append per run.
 */
public final class RunHistory {
  public static final String NAMESPACE = "lagoa_system";
  public static final String PIPELINE_RUNS = NAMESPACE + ".pipeline_runs";
  public static final String FLOW_RUNS = NAMESPACE + ".flow_runs";
  public static final String EXPECTATION_RESULTS = NAMESPACE + ".expectation_results";

  static final StructType PIPELINE_RUNS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, false)
          .add("full_refresh", DataTypes.BooleanType, false)
          .add("selection", DataTypes.StringType, true)
          .add("flows", DataTypes.IntegerType, false)
          .add("flows_failed", DataTypes.IntegerType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("error", DataTypes.StringType, true)
          .add("restored", DataTypes.StringType, true);

  static final StructType FLOW_RUNS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("flow", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, false)
          .add("action", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("ended_at", DataTypes.TimestampType, false)
          .add("rows_read", DataTypes.LongType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("rows_dropped", DataTypes.LongType, false)
          .add("rows_quarantined", DataTypes.LongType, false)
          .add("snapshot_before", DataTypes.LongType, true)
          .add("snapshot_after", DataTypes.LongType, true)
          .add("quarantine_snapshot_after", DataTypes.LongType, true)
          .add("error", DataTypes.StringType, true);

  static final StructType EXPECTATION_RESULTS_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("flow", DataTypes.StringType, false)
          .add("rule", DataTypes.StringType, false)
          .add("condition", DataTypes.StringType, false)
          .add("policy", DataTypes.StringType, false)
          .add("rows_checked", DataTypes.LongType, false)
          .add("rows_failed", DataTypes.LongType, false);

  private final SparkSession spark;

  public RunHistory(SparkSession spark) {
    this.spark = spark;
  }

  /** Appends the run to the three tables, creating them on first use. */
  public void record(RunResult run, boolean fullRefresh, List<String> selection) {
    record(List.of(run), fullRefresh, selection);
  }

  /** Appends runs to the three tables in one commit each (a continuous run's batches). */
  public void record(List<RunResult> runs, boolean fullRefresh, List<String> selection) {
    if (runs.isEmpty()) {
      return;
    }
    onceMore(() -> spark.sql("CREATE NAMESPACE IF NOT EXISTS lagoa." + NAMESPACE));
    onceMore(() -> create(PIPELINE_RUNS, PIPELINE_RUNS_SCHEMA));
    onceMore(() -> create(FLOW_RUNS, FLOW_RUNS_SCHEMA));
    onceMore(() -> create(EXPECTATION_RESULTS, EXPECTATION_RESULTS_SCHEMA));
    List<Row> runRows = new ArrayList<>();
    List<Row> flows = new ArrayList<>();
    List<Row> expectations = new ArrayList<>();
    for (RunResult run : runs) {
      rows(run, fullRefresh, selection, runRows, flows, expectations);
    }
    append(PIPELINE_RUNS, PIPELINE_RUNS_SCHEMA, runRows);
    append(FLOW_RUNS, FLOW_RUNS_SCHEMA, flows);
    if (!expectations.isEmpty()) {
      append(EXPECTATION_RESULTS, EXPECTATION_RESULTS_SCHEMA, expectations);
    }
  }

  private static void rows(
      RunResult run,
      boolean fullRefresh,
      List<String> selection,
      List<Row> runRows,
      List<Row> flows,
      List<Row> expectations) {
    long written = 0;
    int failed = 0;
    for (FlowResult flow : run.flows()) {
      if (flow.status() == FlowStatus.SUCCEEDED) {
        written += flow.rowsWritten();
      }
      if (flow.status() == FlowStatus.FAILED) {
        failed++;
      }
      flows.add(
          RowFactory.create(
              run.runId(),
              run.pipeline(),
              flow.flow(),
              flow.kind().description(),
              flow.action(),
              flow.status().label(),
              flow.startedAt(),
              flow.endedAt(),
              flow.rowsRead(),
              flow.rowsWritten(),
              flow.rowsDropped(),
              flow.rowsQuarantined(),
              boxed(flow.snapshotBefore()),
              boxed(flow.snapshotAfter()),
              boxed(flow.quarantineSnapshotAfter()),
              flow.error().orElse(null)));
      for (ExpectationResult result : flow.expectations()) {
        expectations.add(
            RowFactory.create(
                run.runId(),
                run.pipeline(),
                flow.flow(),
                result.rule(),
                result.condition().strip(),
                result.policy().configName(),
                result.rowsChecked(),
                result.rowsFailed()));
      }
    }
    runRows.add(
        RowFactory.create(
            run.runId(),
            run.pipeline(),
            run.status().name().toLowerCase(java.util.Locale.ROOT),
            run.startedAt(),
            run.endedAt(),
            fullRefresh,
            selection.isEmpty() ? null : String.join(",", selection),
            run.flows().size(),
            failed,
            written,
            run.error().orElse(null),
            restored(run)));
  }

  /**
   * Runs an IF NOT EXISTS statement, and once more if it fails: another runner creating the same
   * namespace or table at the same moment makes the first attempt fail, the second sees it.
   */
  private static void onceMore(Runnable statement) {
    try {
      statement.run();
    } catch (RuntimeException e) {
      statement.run();
    }
  }

  /** What was put back after a failure, and what could not be. */
  private static String restored(RunResult run) {
    List<String> lines = new ArrayList<>(run.restored());
    lines.addAll(run.unrestored());
    return lines.isEmpty() ? null : String.join("\n", lines);
  }

  private void create(String table, StructType schema) {
    StringBuilder columns = new StringBuilder();
    for (org.apache.spark.sql.types.StructField field : schema.fields()) {
      if (columns.length() > 0) {
        columns.append(", ");
      }
      columns.append(field.name()).append(' ').append(field.dataType().sql());
      if (!field.nullable()) {
        columns.append(" NOT NULL");
      }
    }
    new SparkSql(spark)
        .run("CREATE TABLE IF NOT EXISTS lagoa." + table + " (" + columns + ") USING iceberg");
  }

  private void append(String table, StructType schema, List<Row> rows) {
    try {
      spark.createDataFrame(rows, schema).writeTo("lagoa." + table).append();
    } catch (Exception e) {
      throw SparkSql.translate("", e);
    }
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}

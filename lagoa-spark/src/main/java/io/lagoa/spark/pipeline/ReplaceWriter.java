package io.lagoa.spark.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link WriteMode.Replace}: {@code CREATE OR REPLACE TABLE ... AS SELECT}, which replaces the
 * contents, schema, partitioning, comment and properties in one commit and keeps the history.
 */
final class ReplaceWriter extends TableWriter {
  private final DatasetPlan plan;

  ReplaceWriter(DatasetPlan plan, TableCommitter committer) {
    super(committer);
    this.plan = plan;
  }

  @Override
  String statement(String target, String view) {
    return createAsSelect(target, plan, view, true);
  }

  @Override
  boolean incremental() {
    return false;
  }

  /** The table's definition from its plan, filled with everything {@code view} holds. */
  static String createAsSelect(String target, DatasetPlan plan, String view, boolean orReplace) {
    StringBuilder sql =
        new StringBuilder(orReplace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ")
            .append(target)
            .append(" USING iceberg");
    if (!plan.partitioning().isEmpty()) {
      List<String> transforms = new ArrayList<>();
      for (String transform : plan.partitioning()) {
        transforms.add(
            transform.startsWith("identity(") && transform.endsWith(")")
                ? transform.substring("identity(".length(), transform.length() - 1)
                : transform);
      }
      sql.append(" PARTITIONED BY (").append(String.join(", ", transforms)).append(")");
    }
    plan.comment()
        .ifPresent(comment -> sql.append(" COMMENT ").append(FlowExecutor.literal(comment)));
    if (!plan.properties().isEmpty()) {
      List<String> properties = new ArrayList<>();
      plan.properties()
          .forEach(
              (key, value) ->
                  properties.add(FlowExecutor.literal(key) + " = " + FlowExecutor.literal(value)));
      sql.append(" TBLPROPERTIES (").append(String.join(", ", properties)).append(")");
    }
    return sql.append(" AS SELECT * FROM ").append(view).toString();
  }
}

package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;

/**
 * {@link WriteMode.Create}: {@code CREATE TABLE ... AS SELECT}, not {@code OR REPLACE}: a table
 * another run created meanwhile makes the commit fail, and that conflict plans the flow again.
 */
final class CreateWriter implements TableWriter {
  private final DatasetPlan plan;
  private final TableCommitter committer;

  CreateWriter(DatasetPlan plan, TableCommitter committer) {
    this.plan = plan;
    this.committer = committer;
  }

  @Override
  public OptionalLong write(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written,
      boolean addsColumns) {
    return committer.commitView(
        dataset.name(),
        rows,
        "__lagoa_flow_",
        view ->
            ReplaceWriter.createAsSelect(FlowExecutor.quoted(dataset.name()), plan, view, false),
        properties,
        written);
  }
}

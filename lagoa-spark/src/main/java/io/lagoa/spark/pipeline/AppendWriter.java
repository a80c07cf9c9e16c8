package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;

/**
 * {@link WriteMode.Append}: {@code INSERT INTO ... BY NAME}, after adding the columns a source
 * found since the table was created.
 */
final class AppendWriter implements TableWriter {
  private final TableCommitter committer;

  AppendWriter(TableCommitter committer) {
    this.committer = committer;
  }

  @Override
  public OptionalLong write(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written,
      boolean addsColumns) {
    if (addsColumns) {
      new NewColumns(committer).add(dataset.name(), rows);
    }
    return committer.commitView(
        dataset.name(),
        rows,
        "__lagoa_flow_",
        view ->
            "INSERT INTO " + FlowExecutor.quoted(dataset.name()) + " BY NAME SELECT * FROM " + view,
        properties,
        written);
  }
}

package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;

/**
 * Writes a flow's rows to its table in one commit, the way its {@link WriteMode} says. The commit
 * is the same for every mode (the rows as a temporary view, one statement, the summary properties,
 * the snapshot noted for a restore); a mode only says which statement.
 */
abstract sealed class TableWriter permits CreateWriter, ReplaceWriter, AppendWriter, MergeWriter {
  private final TableCommitter committer;

  TableWriter(TableCommitter committer) {
    this.committer = committer;
  }

  /** The SQL that writes everything {@code view} holds to {@code target}. */
  abstract String statement(String target, String view);

  /**
   * Whether the write adds rows to what the table holds, and so first adds the columns a source
   * found since the table was created; a create or replace defines the columns itself.
   */
  abstract boolean incremental();

  /**
   * Writes the rows in one commit with {@code properties} in its snapshot summary.
   *
   * @param addsColumns whether a source found fields its earlier batches did not have (an
   *     incremental write adds them to the table first)
   * @param written where each snapshot this run committed is noted, for a restore
   * @return the table's snapshot after the commit
   */
  final OptionalLong write(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written,
      boolean addsColumns) {
    if (addsColumns && incremental()) {
      new NewColumns(committer).add(dataset.name(), rows);
    }
    return committer.commitView(
        dataset.name(),
        rows,
        "__lagoa_flow_",
        view -> statement(FlowExecutor.quoted(dataset.name()), view),
        properties,
        written);
  }

  /** The writer of a mode; {@code plan} is the dataset's plan (partitioning, comment, ...). */
  static TableWriter of(WriteMode mode, DatasetPlan plan, TableCommitter committer) {
    if (mode instanceof WriteMode.Create) {
      return new CreateWriter(plan, committer);
    }
    if (mode instanceof WriteMode.Replace) {
      return new ReplaceWriter(plan, committer);
    }
    if (mode instanceof WriteMode.Append) {
      return new AppendWriter(committer);
    }
    if (mode instanceof WriteMode.Merge merge) {
      return new MergeWriter(merge, committer);
    }
    throw new IllegalStateException("Cannot write: no writer for " + mode);
  }
}

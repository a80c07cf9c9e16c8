package io.lagoa.spark.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetStatement;
import io.lagoa.pipeline.FlowException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * {@link WriteMode.Merge}: {@code MERGE INTO} on the keys (null-safe), a matched row updated only
 * by one with an equal or later sequence value, after adding the columns a source found since the
 * table was created.
 */
final class MergeWriter extends TableWriter {
  private final WriteMode.Merge mode;

  MergeWriter(WriteMode.Merge mode, TableCommitter committer) {
    super(committer);
    this.mode = mode;
  }

  @Override
  boolean incremental() {
    return true;
  }

  /** The MERGE of {@code view} into {@code target}. */
  @Override
  String statement(String target, String view) {
    List<String> on = new ArrayList<>();
    for (String key : mode.keys()) {
      on.add("t." + FlowExecutor.quote(key) + " <=> s." + FlowExecutor.quote(key));
    }
    return "MERGE INTO "
        + target
        + " t USING "
        + view
        + " s ON "
        + String.join(" AND ", on)
        + " WHEN MATCHED"
        + mode.sequenceBy()
            .map(seq -> " AND s." + FlowExecutor.quote(seq) + " >= t." + FlowExecutor.quote(seq))
            .orElse("")
        + " THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *";
  }

  /**
   * A merge takes one row per key: with SEQUENCE BY the latest, without it duplicates are an error
   * (which of them should win would be a guess). Applied to every batch of a table with KEYS, also
   * the one that creates it.
   */
  static org.apache.spark.sql.Dataset<Row> latestPerKey(
      Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
    DatasetStatement statement = dataset.statement();
    Column[] keys =
        statement.keys().stream().map(key -> col("`" + key + "`")).toArray(Column[]::new);
    if (statement.sequenceBy().isPresent()) {
      return rows.withColumn(
              "__lagoa_rank",
              row_number()
                  .over(
                      Window.partitionBy(keys)
                          .orderBy(col("`" + statement.sequenceBy().get() + "`").desc())))
          .where(col("__lagoa_rank").equalTo(1))
          .drop("__lagoa_rank");
    }
    List<Row> duplicates =
        rows.groupBy(keys).count().where(col("count").gt(1)).limit(3).collectAsList();
    if (!duplicates.isEmpty()) {
      throw new FlowException(
          statement.position()
              + ": "
              + dataset.name()
              + " merges on KEYS ("
              + String.join(", ", statement.keys())
              + "), but the new data has several rows for the"
              + " same key, e.g. "
              + duplicates.get(0).toString()
              + "; add SEQUENCE BY <column> to"
              + " keep the latest, or remove the duplicates in the query",
          null);
    }
    return rows;
  }
}

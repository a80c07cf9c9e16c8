package io.lagoa.spark.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the columns a streaming table's new rows have and the table lacks (a source with schema
 * evolution found new fields). Adding optional columns changes metadata only; a failed run restores
 * the earlier schema with the rest. Another runner may add the same columns between reading the
 * schema and altering it: then the schema is read again and only what is still missing is added.
 */
final class NewColumns {
  private static final Logger LOG = LoggerFactory.getLogger(NewColumns.class);
  static final int MAX_ATTEMPTS = 5;

  private final TableCommitter committer;

  NewColumns(TableCommitter committer) {
    this.committer = committer;
  }

  void add(String table, org.apache.spark.sql.Dataset<Row> rows) {
    for (int attempt = 1; ; attempt++) {
      List<String> added = missing(table, rows);
      if (added.isEmpty()) {
        return;
      }
      LOG.debug("{}: adding columns {}", table, added);
      try {
        committer.commit(
            "ALTER TABLE "
                + FlowExecutor.quoted(table)
                + " ADD COLUMNS ("
                + String.join(", ", added)
                + ")",
            Map.of(FlowExecutor.RUN_ID_PROPERTY, committer.runId()));
        return;
      } catch (RuntimeException e) {
        if (attempt >= MAX_ATTEMPTS || !addedMeanwhile(e)) {
          throw e;
        }
      }
    }
  }

  /** The columns of {@code rows} the table lacks, as SQL column definitions. */
  List<String> missing(String table, org.apache.spark.sql.Dataset<Row> rows) {
    StructType existing = committer.spark().table(FlowExecutor.quoted(table)).schema();
    List<String> added = new ArrayList<>();
    missing(existing, rows.schema(), "", added);
    return added;
  }

  /**
   * Adds to {@code added} the fields of {@code wanted} that {@code existing} lacks, and those of
   * structs both have (a change row's {@code _before} image grows with the table), as {@code
   * parent.child TYPE}.
   */
  private static void missing(
      StructType existing, StructType wanted, String prefix, List<String> added) {
    for (StructField field : wanted.fields()) {
      StructField present =
          Arrays.stream(existing.fields())
              .filter(known -> known.name().equalsIgnoreCase(field.name()))
              .findFirst()
              .orElse(null);
      if (present == null) {
        added.add(prefix + FlowExecutor.quote(field.name()) + " " + field.dataType().sql());
      } else if (present.dataType() instanceof StructType known
          && field.dataType() instanceof StructType grown) {
        missing(known, grown, prefix + FlowExecutor.quote(present.name()) + ".", added);
      }
    }
  }

  /**
   * Whether an ADD COLUMNS failed because another writer added one of the columns first: Iceberg
   * refuses the commit when the column came in after Spark loaded the table, Spark's analysis
   * refuses the statement (condition FIELD_ALREADY_EXISTS) when it was already in the loaded table.
   */
  static boolean addedMeanwhile(Throwable error) {
    for (Throwable cause = error;
        cause != null && cause.getCause() != cause;
        cause = cause.getCause()) {
      if (cause instanceof org.apache.iceberg.exceptions.CommitFailedException
          || (cause instanceof org.apache.spark.SparkThrowable spark
              && "FIELD_ALREADY_EXISTS".equals(spark.getCondition()))
          || String.valueOf(cause.getMessage()).contains("name already exists")) {
        return true;
      }
    }
    return false;
  }
}

package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.spark.pipeline.source.QuarantineOrder;
import io.lagoa.spark.pipeline.source.SourceBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch's quarantine tables: the rows that failed a QUARANTINE expectation, and the
 * records the sources could not read. They are written before the target, each commit marked with
 * the target's snapshot the batch started from ({@link FlowExecutor#TARGET_SNAPSHOT_PROPERTY}), so
 * a retry after a crash before the target's commit replays the batch and does not quarantine its
 * rows twice ({@link FlowExecutor#REPLAYS_PREFIX}). The one exception: the sources' rejected
 * records of batches read without a cache ({@link QuarantineOrder#AFTER_TARGET}, only in runs whose
 * journal puts a killed run back) follow the target's commit, see {@link
 * #writeSourceQuarantineAfterTarget}.
 */
final class QuarantineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantineWriter.class);

  private final TableCommitter committer;

  QuarantineWriter(TableCommitter committer) {
    this.committer = committer;
  }

  /** Writes the records the sources could not read; returns how many. */
  long writeSourceQuarantine(
      Dataset dataset,
      WriteMode mode,
      List<SourceBatch> batches,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
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
        createEmpty(
            dataset.sourceQuarantineTable(),
            rejected.schema(),
            "Records the sources of " + dataset.name() + " could not read, as they came");
        return 0;
      }
      write(
          dataset,
          dataset.sourceQuarantineTable(),
          mode,
          rejected,
          properties,
          written,
          "Records the sources of " + dataset.name() + " could not read, as they came");
      return count;
    } finally {
      rejected.unpersist();
    }
  }

  /**
   * Writes the records the sources could not read after the target's commit, for batches read
   * without a cache ({@link QuarantineOrder#AFTER_TARGET}): batches whose write counted no rejected
   * record are not read again; the others are (only their rejected records are kept). Returns how
   * many were written.
   */
  long writeSourceQuarantineAfterTarget(
      Dataset dataset,
      WriteMode mode,
      List<SourceBatch> batches,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
    List<SourceBatch> toRead = new ArrayList<>();
    for (SourceBatch batch : batches) {
      OptionalLong counted = batch.rejectedCount().afterRead();
      if (counted.isEmpty() || counted.getAsLong() > 0) {
        toRead.add(batch);
      }
    }
    if (toRead.isEmpty()) {
      createEmpty(
          dataset.sourceQuarantineTable(),
          batches.get(0).rejected().schema(),
          "Records the sources of " + dataset.name() + " could not read, as they came");
      return 0;
    }
    return writeSourceQuarantine(dataset, mode, toRead, properties, written);
  }

  /** Writes the rows that failed a QUARANTINE expectation to the dataset's quarantine table. */
  OptionalLong writeQuarantine(
      Dataset dataset,
      WriteMode mode,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
    return write(
        dataset,
        dataset.quarantineTable(),
        mode,
        rows,
        properties,
        written,
        "Rows of " + dataset.name() + " that failed a QUARANTINE expectation");
  }

  /**
   * Creates a quarantine table without rows (and without a snapshot) when it does not exist yet, so
   * queries and dashboards on it work before the first bad record arrives.
   */
  private void createEmpty(String table, StructType schema, String comment) {
    if (committer.catalog().tableExists(FlowExecutor.identifier(table))) {
      return;
    }
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(FlowExecutor.quote(field.name()) + " " + field.dataType().sql());
    }
    try {
      committer
          .spark()
          .sql(
              "CREATE TABLE IF NOT EXISTS "
                  + FlowExecutor.quoted(table)
                  + " ("
                  + String.join(", ", columns)
                  + ") USING iceberg COMMENT "
                  + FlowExecutor.literal(comment));
    } catch (RuntimeException e) {
      LOG.debug("cannot create {} up front; it is created with its first record", table, e);
    }
  }

  private OptionalLong write(
      Dataset dataset,
      String table,
      WriteMode mode,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written,
      String comment) {
    boolean incremental = mode.incremental();
    String replayed = properties.get(FlowExecutor.REPLAYS_PREFIX + table);
    if (incremental && replayed != null) {
      // Only the interrupted batch found when this one started is skipped; a quarantine commit
      // of another run since then is not this batch's (the commit check re-plans this batch).
      LOG.debug("{}: this batch's rows are already in {}", dataset.name(), table);
      return OptionalLong.of(Long.parseLong(replayed));
    }
    String target = FlowExecutor.quoted(table);
    boolean exists = committer.catalog().tableExists(FlowExecutor.identifier(table));
    // A missing table is created, never replaced: another run may create it at the same time,
    // and that conflict plans the batch again. An existing one is replaced only by a replacing
    // run, and only when no other run quarantined anything since the batch started.
    return committer.commitView(
        table,
        rows,
        "__lagoa_quarantine_",
        view ->
            exists && incremental
                ? "INSERT INTO " + target + " BY NAME SELECT * FROM " + view
                : (exists ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ")
                    + target
                    + " USING iceberg COMMENT "
                    + FlowExecutor.literal(comment)
                    + " AS SELECT * FROM "
                    + view,
        properties,
        written);
  }
}

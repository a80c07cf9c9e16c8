package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.FlowException;
import io.lagoa.spark.SparkSql;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Commits one run's SQL writes: each with the run's snapshot summary properties, a refused commit
 * classified as a {@link ConcurrentRunConflict} (the runner plans the flow again) or a {@link
 * FlowException}, and every snapshot this run committed noted so a failed run can undo it. One per
 * run, shared by its flows.
 */
final class TableCommitter {
  private final SparkSession spark;
  private final Catalog catalog;
  private final String runId;
  private final AtomicInteger views = new AtomicInteger();

  TableCommitter(SparkSession spark, Catalog catalog, String runId) {
    this.spark = spark;
    this.catalog = catalog;
    this.runId = runId;
  }

  SparkSession spark() {
    return spark;
  }

  Catalog catalog() {
    return catalog;
  }

  String runId() {
    return runId;
  }

  /**
   * Writes {@code rows} to {@code table} by the statement {@code sql} makes of a temporary view of
   * them, in one commit.
   *
   * @param written where the snapshot is noted when this run committed it, also when the statement
   *     failed after committing
   * @return the table's snapshot after the commit
   */
  OptionalLong commitView(
      String table,
      org.apache.spark.sql.Dataset<Row> rows,
      String viewPrefix,
      Function<String, String> sql,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
    String view = viewPrefix + views.incrementAndGet();
    rows.createOrReplaceTempView(view);
    try {
      commit(sql.apply(view), properties);
      return recordWrite(table, written);
    } catch (RuntimeException e) {
      recordWrite(table, written); // a commit may have happened before the failure
      throw e;
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /**
   * Replaces every row of {@code table} with {@code rows} in one commit (an overwrite of the whole
   * table, whatever the session's partition overwrite mode; {@code rows} may read the table).
   */
  OptionalLong overwrite(
      String table,
      org.apache.spark.sql.Dataset<Row> rows,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
    try {
      run(
          () -> {
            rows.writeTo(FlowExecutor.quoted(table)).overwrite(functions.lit(true));
            return null;
          },
          "overwrite of " + table,
          properties);
      return recordWrite(table, written);
    } catch (RuntimeException e) {
      recordWrite(table, written);
      throw e;
    }
  }

  /** Runs one writing statement with {@code properties} in its snapshot summary. */
  void commit(String sql, Map<String, String> properties) {
    run(() -> spark.sql(sql), sql, properties);
  }

  private void run(Callable<?> write, String sql, Map<String, String> properties) {
    try {
      CommitMetadata.withCommitProperties(properties, write, RuntimeException.class);
    } catch (RuntimeException e) {
      Optional<String> conflict = ConcurrentRunConflict.describe(e);
      if (conflict.isPresent()) {
        throw new ConcurrentRunConflict(conflict.get(), e);
      }
      throw new FlowException("cannot write: " + SparkSql.translate(sql, e).getMessage(), e);
    }
  }

  /** The table's current snapshot, noted in {@code written} when this run committed it. */
  OptionalLong recordWrite(String name, Map<String, List<Long>> written) {
    try {
      Table table = catalog.loadTable(FlowExecutor.identifier(name));
      table.refresh();
      Snapshot snapshot = table.currentSnapshot();
      if (snapshot == null) {
        return OptionalLong.empty();
      }
      String run =
          snapshot.summary() == null ? null : snapshot.summary().get(FlowExecutor.RUN_ID_PROPERTY);
      if (runId.equals(run)) {
        written.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(snapshot.snapshotId());
      }
      return OptionalLong.of(snapshot.snapshotId());
    } catch (NoSuchTableException e) {
      return OptionalLong.empty();
    }
  }
}

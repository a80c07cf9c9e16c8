package org.apache.iceberg.spark.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.spark.sql.connector.read.Scan;

/**
 * The Iceberg table and planned file tasks behind a Spark scan of an Iceberg table, for Lagoa's
 * DuckDB reads. Iceberg keeps both package-private (its scans are meant for Spark alone), so this
 * class sits in Iceberg's package: a change there breaks the build, not a query at run time.
 */
public final class IcebergScans {
  private IcebergScans() {}

  /**
   * The planned data-file tasks of a plain batch read of a table (with its pushed filters applied,
   * as Spark would read them), or empty for any other scan: metadata tables, change logs, the scans
   * of row-level operations, aggregates Iceberg answered from metadata.
   */
  public static Optional<PlannedScan> planned(Scan scan) {
    if (scan == null || scan.getClass() != SparkBatchQueryScan.class) {
      return Optional.empty();
    }
    SparkBatchQueryScan batch = (SparkBatchQueryScan) scan;
    List<FileScanTask> files = new ArrayList<>();
    for (ScanTask task : batch.tasks()) {
      if (!(task instanceof FileScanTask file) || file.isDataTask()) {
        return Optional.empty();
      }
      files.add(file);
    }
    return Optional.of(
        new PlannedScan(
            batch.table(),
            List.copyOf(files),
            Optional.ofNullable(batch.snapshotId()),
            batch.filter()));
  }

  /**
   * A table, the tasks a scan of it planned, the snapshot they are from (none for a table without
   * one) and the filter Iceberg planned them with.
   */
  public record PlannedScan(
      Table table, List<FileScanTask> tasks, Optional<Long> snapshotId, Expression filter) {}
}

package io.lagoa.spark.duckdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.source.IcebergScans;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The smallest and largest value of a table's column in the data files a scan planned: integers as
 * they are, timestamps (with time zone) in microseconds since 1970. What DuckDB reads may rely on
 * it to give Spark's answer (a zone's offsets over the range, an average whose sum stays exact).
 */
record ColumnRange(long min, long max) {
  /**
   * The range from Iceberg's statistics of the planned files in the scan's snapshot (the table
   * planned again with them, and with the scan's filter), or empty when the files hold nothing but
   * nulls in the column.
   *
   * @throws DuckDbTranslation.NotTranslatable when a file has no statistics for the column, or the
   *     column is of another type
   */
  static Optional<ColumnRange> of(IcebergScans.PlannedScan scan, String column)
      throws DuckDbTranslation.NotTranslatable {
    Table table = scan.table();
    Types.NestedField field = table.schema().findField(column);
    Type type = field == null ? null : field.type();
    if (!(type instanceof Types.IntegerType
        || type instanceof Types.LongType
        || type instanceof Types.TimestampType timestamp && timestamp.shouldAdjustToUTC())) {
      throw new DuckDbTranslation.NotTranslatable(
          "the range of column " + column + " of " + table.name() + " (" + type + ")");
    }
    if (scan.snapshotId().isEmpty()) {
      return Optional.empty(); // a table without a snapshot has no rows
    }
    Set<String> unseen = new HashSet<>();
    for (FileScanTask task : scan.tasks()) {
      unseen.add(task.file().location());
    }
    TableScan withStatistics =
        table
            .newScan()
            .useSnapshot(scan.snapshotId().get())
            .filter(scan.filter())
            .includeColumnStats(List.of(column));
    int id = field.fieldId();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    try (CloseableIterable<FileScanTask> tasks = withStatistics.planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        if (!unseen.remove(file.location())) {
          continue;
        }
        ByteBuffer lower = value(file.lowerBounds(), id);
        ByteBuffer upper = value(file.upperBounds(), id);
        if (lower == null || upper == null) {
          Long values = value(file.valueCounts(), id);
          if (values != null && values.equals(value(file.nullValueCounts(), id))) {
            continue; // nothing but nulls
          }
          throw new DuckDbTranslation.NotTranslatable(
              "no statistics for column "
                  + column
                  + " in data file "
                  + file.location()
                  + " of "
                  + table.name());
        }
        min = Math.min(min, Conversions.<Number>fromByteBuffer(type, lower).longValue());
        max = Math.max(max, Conversions.<Number>fromByteBuffer(type, upper).longValue());
      }
    } catch (IOException | RuntimeException e) {
      throw new DuckDbTranslation.NotTranslatable(
          "cannot read the statistics of " + table.name() + ": " + e);
    }
    if (!unseen.isEmpty()) {
      throw new DuckDbTranslation.NotTranslatable(
          unseen.size() + " planned data files of " + table.name() + " not in its snapshot");
    }
    return min > max ? Optional.empty() : Optional.of(new ColumnRange(min, max));
  }

  private static <T> T value(Map<Integer, T> values, int id) {
    return values == null ? null : values.get(id);
  }
}

package io.lagoa.spark.duckdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
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
import org.apache.iceberg.types.Types;

/**
 * A time zone's offset from UTC at the instants a timestamp column holds, as DuckDB SQL, for a zone
 * whose offset changes (daylight saving, history). The offsets are the JVM's rules for the zone,
 * which Spark reads wall-clock times with; DuckDB's own time zone data need not be the same. They
 * are written out for the range between the column's smallest and largest value in the files the
 * query reads, which Iceberg's column statistics give.
 */
final class ZoneOffsets {
  /**
   * Past this many changes of the offset between a column's smallest and largest value (about 256
   * years of daylight saving; a far-future placeholder such as 9999-12-31 is past it), the query
   * stays in Spark.
   */
  static final int MOST_CHANGES = 512;

  /** The smallest and largest value of a timestamp column, in microseconds since 1970. */
  record Range(long min, long max) {}

  private ZoneOffsets() {}

  /**
   * The range of a timestamp column's values in the data files a scan planned, from Iceberg's
   * statistics of those files in the scan's snapshot (planned again with them, and with the scan's
   * filter); empty when they hold no value but nulls.
   *
   * @throws DuckDbTranslation.NotTranslatable when a file has no statistics for the column
   */
  static Optional<Range> range(IcebergScans.PlannedScan scan, String column)
      throws DuckDbTranslation.NotTranslatable {
    Table table = scan.table();
    Types.NestedField field = table.schema().findField(column);
    if (field == null
        || !(field.type() instanceof Types.TimestampType type)
        || !type.shouldAdjustToUTC()) {
      throw new DuckDbTranslation.NotTranslatable(
          "column " + column + " of " + table.name() + " is not a timestamp with time zone");
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
        ByteBuffer lower = bound(file.lowerBounds(), id);
        ByteBuffer upper = bound(file.upperBounds(), id);
        if (lower == null || upper == null) {
          Long values = bound(file.valueCounts(), id);
          if (values != null && values.equals(bound(file.nullValueCounts(), id))) {
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
        min = Math.min(min, Conversions.<Long>fromByteBuffer(field.type(), lower));
        max = Math.max(max, Conversions.<Long>fromByteBuffer(field.type(), upper));
      }
    } catch (IOException | RuntimeException e) {
      throw new DuckDbTranslation.NotTranslatable(
          "cannot read the statistics of " + table.name() + ": " + e);
    }
    if (!unseen.isEmpty()) {
      throw new DuckDbTranslation.NotTranslatable(
          unseen.size() + " planned data files of " + table.name() + " not in its snapshot");
    }
    return min > max ? Optional.empty() : Optional.of(new Range(min, max));
  }

  private static <T> T bound(Map<Integer, T> values, int id) {
    return values == null ? null : values.get(id);
  }

  /**
   * The zone's offset in microseconds at the instant {@code micros} (a DuckDB expression of
   * microseconds since 1970, repeated in the result) for instants within {@code range}: a constant,
   * or a balanced {@code CASE} over the changes in the range (a few comparisons a row).
   */
  static String at(ZoneId zone, Range range, String micros)
      throws DuckDbTranslation.NotTranslatable {
    ZoneRules rules = zone.getRules();
    Instant first = instant(range.min());
    List<Long> changes = new ArrayList<>(); // the instants the offset changes at, in microseconds
    List<ZoneOffset> offsets = new ArrayList<>(); // before the first change, then after each
    offsets.add(rules.getOffset(first));
    ZoneOffsetTransition next = rules.nextTransition(first);
    while (next != null && next.toEpochSecond() <= Math.floorDiv(range.max(), 1_000_000L)) {
      if (changes.size() == MOST_CHANGES) {
        throw new DuckDbTranslation.NotTranslatable(
            "a timestamp read in time zone "
                + zone
                + ", whose offset changes more than "
                + MOST_CHANGES
                + " times between "
                + first
                + " and "
                + instant(range.max()));
      }
      changes.add(next.toEpochSecond() * 1_000_000L);
      offsets.add(next.getOffsetAfter());
      next = rules.nextTransition(next.getInstant());
    }
    return piecewise(changes, offsets, 0, offsets.size() - 1, micros);
  }

  /** The offset for {@code offsets[low..high]}: offset i holds from change i-1 to change i. */
  private static String piecewise(
      List<Long> changes, List<ZoneOffset> offsets, int low, int high, String micros) {
    if (low == high) {
      return Long.toString(offsets.get(low).getTotalSeconds() * 1_000_000L);
    }
    int middle = (low + high) / 2;
    return "CASE WHEN "
        + micros
        + " < "
        + changes.get(middle)
        + " THEN "
        + piecewise(changes, offsets, low, middle, micros)
        + " ELSE "
        + piecewise(changes, offsets, middle + 1, high, micros)
        + " END";
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}

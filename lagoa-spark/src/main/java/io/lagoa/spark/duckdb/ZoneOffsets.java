package io.lagoa.spark.duckdb;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;

/**
 * A time zone's offset from UTC at the instants a timestamp column holds, as DuckDB SQL, for a zone
 * whose offset changes (daylight saving, history). The offsets are the JVM's rules for the zone,
 * which Spark reads wall-clock times with; DuckDB's own time zone data need not be the same. They
 * are written out for the range between the column's smallest and largest value in the files the
 * query reads, which Iceberg's column statistics give ({@link ColumnRange}).
 */
final class ZoneOffsets {
  /**
   * Past this many changes of the offset between a column's smallest and largest value (about 256
   * years of daylight saving; a far-future placeholder such as 9999-12-31 is past it), the query
   * stays in Spark.
   */
  static final int MOST_CHANGES = 512;

  private ZoneOffsets() {}

  /**
   * The zone's offset in microseconds at the instant {@code micros} (a DuckDB expression of
   * microseconds since 1970, repeated in the result) for instants within {@code range}: a constant,
   * or a balanced {@code CASE} over the changes in the range (a few comparisons a row).
   */
  static String at(ZoneId zone, ColumnRange range, String micros)
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

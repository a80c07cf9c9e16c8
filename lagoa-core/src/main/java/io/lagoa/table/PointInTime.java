package io.lagoa.table;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A point in a table's history as the user writes it: a snapshot id ({@code 4817364017012}) or a
 * time ({@code 2026-11-25T10:15:30Z}, {@code 2026-11-25 10:15:30} in the local zone, or a date).
 */
public record PointInTime(OptionalLong snapshotId, Optional<Instant> time) {

  public static PointInTime parse(String text, String option, ZoneId zone) {
    String value = text.strip();
    if (value.matches("-?\\d{6,}")) {
      return new PointInTime(OptionalLong.of(Long.parseLong(value)), Optional.empty());
    }
    try {
      return at(OffsetDateTime.parse(value.replace(' ', 'T')).toInstant());
    } catch (DateTimeParseException ignored) {
      // not a time with an offset
    }
    try {
      return at(LocalDateTime.parse(value.replace(' ', 'T')).atZone(zone).toInstant());
    } catch (DateTimeParseException ignored) {
      // not a local time
    }
    try {
      return at(LocalDate.parse(value).atStartOfDay(zone).toInstant());
    } catch (DateTimeParseException ignored) {
      // not a date
    }
    throw new LagoaException(
        ErrorCode.INVALID_ARGUMENT,
        option
            + ": expected a snapshot id or a time such as 2026-11-25T10:15:30Z,"
            + " '2026-11-25 10:15:30' or 2026-11-25, but got '"
            + text
            + "'");
  }

  public static PointInTime at(Instant time) {
    return new PointInTime(OptionalLong.empty(), Optional.of(time));
  }

  public boolean isSnapshot() {
    return snapshotId.isPresent();
  }

  @Override
  public String toString() {
    return isSnapshot() ? "snapshot " + snapshotId.getAsLong() : time.get().toString();
  }
}

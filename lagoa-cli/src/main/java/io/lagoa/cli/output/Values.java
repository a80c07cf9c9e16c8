package io.lagoa.cli.output;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders result values as text the way Spark SQL users expect to read them. */
public final class Values {
  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter();

  private Values() {}

  /** Text for a table or CSV cell; timestamps in the given zone, nulls as NULL. */
  public static String toText(Object value, ZoneId zone) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Instant instant) {
      return TIMESTAMP.format(instant.atZone(zone));
    }
    if (value instanceof LocalDateTime local) {
      return TIMESTAMP.format(local);
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof byte[] bytes) {
      return "0x" + HexFormat.of().withUpperCase().formatHex(bytes);
    }
    if (value instanceof List<?> list) {
      return list.stream()
          .map(item -> nested(item, zone))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(entry -> nested(entry.getKey(), zone) + ": " + nested(entry.getValue(), zone))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    return value.toString();
  }

  private static String nested(Object value, ZoneId zone) {
    return value instanceof String text ? "\"" + text + "\"" : toText(value, zone);
  }

  /** Byte counts the way people read them: 1.4 MiB. */
  public static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Seconds with one decimal: 2.4 s. */
  public static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}

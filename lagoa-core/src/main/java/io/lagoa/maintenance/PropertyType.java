package io.lagoa.maintenance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The kinds of value a maintenance table property holds, and how each is written and parsed. */
public enum PropertyType {
  /** A size in bytes: {@code 134217728}, {@code 128MB}, {@code 1GB}, {@code 512KB}. */
  SIZE("a size such as 128MB, 1GB or a number of bytes"),
  /** A duration: {@code 30m}, {@code 12h}, {@code 5d}, {@code 0s}. */
  DURATION("a duration such as 30m, 12h or 5d"),
  /** A whole number of at least 1. */
  POSITIVE_INT("a whole number of at least 1"),
  /** A fraction between 0 and 1. */
  RATIO("a number between 0 and 1, e.g. 0.1"),
  /** {@code true} or {@code false}. */
  BOOLEAN("true or false"),
  /** A comma-separated list of column names; empty for none. */
  COLUMNS("a comma-separated list of columns, e.g. customer_id, day");

  private static final Pattern SIZE_PATTERN =
      Pattern.compile("(\\d+)\\s*(b|kb|k|mb|m|gb|g|tb|t)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION_PATTERN =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private final String expected;

  PropertyType(String expected) {
    this.expected = expected;
  }

  /** What a value of this type looks like, for error messages and docs. */
  public String expected() {
    return expected;
  }

  /**
   * The value parsed: a {@code Long} (SIZE), {@code Duration}, {@code Integer}, {@code Double},
   * {@code Boolean} or {@code List<String>}.
   *
   * @throws IllegalArgumentException with what was expected, when the value is not of this type
   */
  public Object parse(String text) {
    String value = text == null ? "" : text.strip();
    switch (this) {
      case SIZE -> {
        Matcher matcher = SIZE_PATTERN.matcher(value);
        if (!matcher.matches()) {
          throw new IllegalArgumentException(expected);
        }
        String unit = matcher.group(2) == null ? "b" : matcher.group(2).toLowerCase(Locale.ROOT);
        long factor =
            switch (unit.charAt(0)) {
              case 'k' -> 1L << 10;
              case 'm' -> 1L << 20;
              case 'g' -> 1L << 30;
              case 't' -> 1L << 40;
              default -> 1L;
            };
        try {
          return Math.multiplyExact(Long.parseLong(matcher.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
          throw new IllegalArgumentException(expected);
        }
      }
      case DURATION -> {
        Matcher matcher = DURATION_PATTERN.matcher(value);
        if (!matcher.matches()) {
          throw new IllegalArgumentException(expected);
        }
        long amount;
        try {
          amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(expected);
        }
        return switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      case POSITIVE_INT -> {
        try {
          int number = Integer.parseInt(value);
          if (number < 1) {
            throw new IllegalArgumentException(expected);
          }
          return number;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(expected);
        }
      }
      case RATIO -> {
        try {
          double number = Double.parseDouble(value);
          if (!(number >= 0 && number <= 1)) {
            throw new IllegalArgumentException(expected);
          }
          return number;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(expected);
        }
      }
      case BOOLEAN -> {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(expected);
      }
      case COLUMNS -> {
        List<String> columns = new ArrayList<>();
        if (value.isEmpty()) {
          return columns;
        }
        for (String part : value.split(",", -1)) {
          String column = part.strip().replace("`", "");
          if (column.isEmpty()) {
            throw new IllegalArgumentException(expected + " (an empty name between commas)");
          }
          columns.add(column);
        }
        return List.copyOf(columns);
      }
    }
    throw new IllegalStateException("Cannot parse: unknown type " + this);
  }
}

package io.lagoa.bench;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Compares two engines' answers to the same query: the rows sorted (so {@code ORDER BY} ties and
 * unordered results compare alike), integers and decimals exactly by value (a {@code DECIMAL(38,2)}
 * sum equals a {@code DECIMAL(31,2)} one, a 128-bit integer sum a 64-bit one), and as soon as one
 * side is floating point (an average DuckDB computes in {@code DOUBLE} and Spark in {@code
 * DECIMAL}) within {@value #ABSOLUTE_TOLERANCE} or a relative {@value #RELATIVE_TOLERANCE}.
 */
public final class Answers {
  /** Enough for a decimal rounded to 6 places against the same value in double precision. */
  public static final double ABSOLUTE_TOLERANCE = 1e-6;

  /** Far above double's rounding over billions of additions, far below any real difference. */
  public static final double RELATIVE_TOLERANCE = 1e-9;

  private static final int SHOWN = 8;

  private Answers() {}

  /**
   * What differs between two answers, or empty when they are the same rows.
   *
   * @param leftName how the description calls the left side, e.g. "Lagoa"
   * @param rightName how it calls the right side, e.g. "DuckDB"
   */
  public static Optional<String> difference(
      List<List<Object>> left, List<List<Object>> right, String leftName, String rightName) {
    List<List<Object>> a = sorted(left);
    List<List<Object>> b = sorted(right);
    if (a.size() != b.size()) {
      return Optional.of(
          leftName + " returned " + a.size() + " rows, " + rightName + " " + b.size());
    }
    for (int i = 0; i < a.size(); i++) {
      List<Object> x = a.get(i);
      List<Object> y = b.get(i);
      if (x.size() != y.size()) {
        return Optional.of(
            leftName + " returned " + x.size() + " columns, " + rightName + " " + y.size());
      }
      for (int column = 0; column < x.size(); column++) {
        if (!same(x.get(column), y.get(column))) {
          return Optional.of(
              "sorted row "
                  + (i + 1)
                  + " of "
                  + a.size()
                  + " differs in column "
                  + (column + 1)
                  + ": "
                  + leftName
                  + " "
                  + show(x)
                  + ", "
                  + rightName
                  + " "
                  + show(y));
        }
      }
    }
    return Optional.empty();
  }

  /** The rows with every value in a comparable form, sorted. */
  static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> normalized = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> values = new ArrayList<>(row.size());
      for (Object value : row) {
        values.add(normalize(value));
      }
      normalized.add(values);
    }
    normalized.sort(Answers::compareRows);
    return normalized;
  }

  /**
   * One form per kind of value, whatever the engine's Java type: exact numbers as BigDecimal,
   * floating point as Double, dates as LocalDate, instants as Instant, bytes as hex.
   */
  static Object normalize(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal;
    }
    if (value instanceof BigInteger integer) {
      return new BigDecimal(integer);
    }
    if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Long number) {
      return BigDecimal.valueOf(number);
    }
    if (value instanceof Float || value instanceof Double) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    if (value instanceof OffsetDateTime time) {
      return time.toInstant();
    }
    if (value instanceof ZonedDateTime time) {
      return time.toInstant();
    }
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof String
        || value instanceof Boolean
        || value instanceof LocalDate
        || value instanceof Instant
        || value instanceof java.time.LocalDateTime) {
      return value;
    }
    return value.toString();
  }

  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    if (a instanceof Number x && b instanceof Number y) {
      double p = x.doubleValue();
      double q = y.doubleValue();
      if (Double.isNaN(p) || Double.isNaN(q) || Double.isInfinite(p) || Double.isInfinite(q)) {
        return Double.compare(p, q) == 0;
      }
      double tolerance =
          Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.max(Math.abs(p), Math.abs(q)));
      return Math.abs(p - q) <= tolerance;
    }
    if (a.getClass() != b.getClass()) {
      return a.toString().equals(b.toString());
    }
    return a.equals(b);
  }

  private static int compareRows(List<Object> a, List<Object> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int order = compareValues(a.get(i), b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object a, Object b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y);
    }
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a.getClass() == b.getClass() && a instanceof Comparable comparable) {
      return comparable.compareTo(b);
    }
    return Comparator.<String>naturalOrder().compare(a.toString(), b.toString());
  }

  private static String show(List<Object> row) {
    List<String> values = new ArrayList<>();
    for (Object value : row.subList(0, Math.min(row.size(), SHOWN))) {
      values.add(value instanceof BigDecimal decimal ? decimal.toPlainString() : "" + value);
    }
    return "[" + String.join(", ", values) + (row.size() > SHOWN ? ", ...]" : "]");
  }
}

package io.lagoa.spark.demo;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.regex.Pattern;

/**
 * How big the demo is and where its tables go.
 *
 * @param rows sales rows generated into bronze
 * @param namespacePrefix put in front of bronze, silver and gold, e.g. {@code demo_}; may be empty
 */
public record DemoOptions(long rows, String namespacePrefix) {
  public static final long DEFAULT_ROWS = 100_000;

  /** Below this, some kinds of bad rows would not appear at all. */
  public static final long MIN_ROWS = 1_000;

  /** Keeps ids and sums far from any type limit. */
  public static final long MAX_ROWS = 100_000_000;

  private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]*");

  public DemoOptions {
    if (rows < MIN_ROWS || rows > MAX_ROWS) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run the demo with "
              + rows
              + " rows: the row count must be between "
              + MIN_ROWS
              + " and "
              + MAX_ROWS);
    }
    if (namespacePrefix == null || !PREFIX.matcher(namespacePrefix).matches()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use namespace prefix '"
              + namespacePrefix
              + "': use lower-case letters, digits"
              + " and _ only, e.g. demo_");
    }
  }

  public static DemoOptions defaults() {
    return new DemoOptions(DEFAULT_ROWS, "");
  }
}

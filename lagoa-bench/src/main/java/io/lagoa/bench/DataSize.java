package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts as people write them: {@code 1GB}, {@code 512MB}, {@code 1.5gb}, {@code 64k}. */
public final class DataSize {
  private static final Pattern SIZE =
      Pattern.compile(
          "\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(?:([kmgt])i?)?b?\\s*", Pattern.CASE_INSENSITIVE);

  private DataSize() {}

  /**
   * Parses a size; units are powers of 1024 (KB = KiB), as in Spark and Iceberg settings.
   *
   * @param option the option the value came from, named in the error
   */
  public static long parse(String text, String option) {
    Matcher matcher = SIZE.matcher(text == null ? "" : text);
    if (!matcher.matches()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read "
              + option
              + " '"
              + text
              + "': expected a number with a unit B, KB, MB, GB or TB, e.g. 1GB or 512MB");
    }
    String unit = matcher.group(2);
    int power = unit == null ? 0 : "kmgt".indexOf(unit.toLowerCase(Locale.ROOT)) + 1;
    BigDecimal bytes =
        new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
    if (bytes.signum() <= 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use " + option + " '" + text + "': the size must be more than zero");
    }
    return bytes.longValue();
  }

  /** {@code 1.0 GiB}, {@code 512.0 MiB}. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** The shortest exact label, e.g. {@code 128MB}, for table and file names. */
  public static String label(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    int unit = 0;
    long value = bytes;
    while (unit < units.length - 1 && value % 1024 == 0 && value >= 1024) {
      value /= 1024;
      unit++;
    }
    return value + units[unit];
  }
}

package io.lagoa.bench.maintenance;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What {@code lagoa bench maintenance} runs: how long the two tables are fed, how often a commit, a
 * maintenance pass of the maintained table and a sample come, and how big a commit is.
 *
 * @param duration how long the tables are fed, sampling pauses included
 * @param sampleEvery a sample (figures and bench queries of both tables and a compacted copy) every
 *     this long; one more at the end
 * @param commitEvery one commit to each table every this long (when a commit takes longer, the next
 *     follows at once)
 * @param maintainEvery a maintenance pass of the maintained table every this long
 * @param rowsPerCommit rows appended to each table by one commit
 * @param snapshotRetention the maintained table's {@code lagoa.maintenance.snapshot-retention}
 * @param namespace where the bench's tables go; replaced at the start
 */
public record MaintenanceBenchOptions(
    Duration duration,
    Duration sampleEvery,
    Duration commitEvery,
    Duration maintainEvery,
    int rowsPerCommit,
    Duration snapshotRetention,
    String namespace) {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public MaintenanceBenchOptions {
    positive("duration", duration);
    positive("sample-every", sampleEvery);
    positive("commit-every", commitEvery);
    positive("maintain-every", maintainEvery);
    positive("snapshot-retention", snapshotRetention);
    if (sampleEvery.compareTo(duration) > 0) {
      throw new IllegalArgumentException(
          "Cannot run the maintenance bench: the sample interval "
              + text(sampleEvery)
              + " is longer than the duration "
              + text(duration)
              + "; no sample would be taken before the end");
    }
    if (rowsPerCommit < 1 || rowsPerCommit > 10_000_000) {
      throw new IllegalArgumentException(
          "Cannot run the maintenance bench: rows per commit must be between 1 and 10,000,000, not "
              + rowsPerCommit);
    }
    if (namespace == null || !IDENTIFIER.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "Cannot run the maintenance bench: '"
              + namespace
              + "' is not a namespace name (letters, digits and _, not starting with a digit)");
    }
  }

  private static void positive(String what, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          "Cannot run the maintenance bench: "
              + what
              + " must be longer than 0, not "
              + (value == null ? "missing" : text(value)));
    }
  }

  /** 500 ms as 500ms, 90 seconds as 90s, 5 minutes as 5m. */
  public static String text(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + "ms";
    }
    return io.lagoa.maintenance.MaintenancePolicy.duration(duration);
  }

  /** The table left alone. */
  public String unmaintained() {
    return namespace + ".unmaintained";
  }

  /** The table a maintenance pass keeps healthy every {@link #maintainEvery}. */
  public String maintained() {
    return namespace + ".maintained";
  }

  /** A copy of the data, compacted at every sample: the reference of the aim. */
  public String compacted() {
    return namespace + ".compacted";
  }
}

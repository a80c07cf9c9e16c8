package io.lagoa.bench.clustering;

import java.util.regex.Pattern;

/**
 * What {@code lagoa bench clustering} runs.
 *
 * @param rows rows of each table, spread over {@code commits} appends in random order of the
 *     cluster columns
 * @param commits appends (one small data file each) before compaction
 * @param namespace where the two tables go; replaced at the start
 */
public record ClusteringBenchOptions(long rows, int commits, String namespace) {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public ClusteringBenchOptions {
    if (rows < 1000 || rows > 1_000_000_000L) {
      throw new IllegalArgumentException(
          "Cannot run the clustering bench: rows must be between 1,000 and 1,000,000,000, not "
              + rows);
    }
    if (commits < 1 || commits > 10_000 || commits > rows) {
      throw new IllegalArgumentException(
          "Cannot run the clustering bench: commits must be between 1 and 10,000 (and at most the"
              + " rows), not "
              + commits);
    }
    if (namespace == null || !IDENTIFIER.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "Cannot run the clustering bench: '"
              + namespace
              + "' is not a namespace name (letters, digits and _, not starting with a digit)");
    }
  }

  /** The table compaction z-orders by {@code (a, b)}. */
  public String zordered() {
    return namespace + ".zordered";
  }

  /** The same rows, compacted bin-packed. */
  public String binpacked() {
    return namespace + ".binpacked";
  }
}

package io.lagoa.bench.clustering;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code lagoa bench clustering} measured: each selective query on each table before and after
 * compaction, with what its scan read.
 */
public record ClusteringBenchResults(
    Instant startedAt,
    Map<String, String> environment,
    ClusteringBenchOptions options,
    List<Measurement> measurements,
    List<Compaction> compactions,
    boolean resultsMatch) {

  /** Before or after the maintenance pass. */
  public enum Stage {
    BEFORE("before compaction"),
    AFTER("after compaction");

    private final String label;

    Stage(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One query on one table at one stage.
   *
   * @param layout how the table's files are laid out, e.g. "z-ordered by a, b"
   * @param dataFiles the table's data files
   * @param filesRead data files the scan opened
   * @param filesSkipped data files the scan skipped by their column statistics
   * @param bytesRead total size of the files read
   */
  public record Measurement(
      String table,
      String layout,
      Stage stage,
      long dataFiles,
      String query,
      long filesRead,
      long filesSkipped,
      long bytesRead,
      double medianMillis) {}

  /** One table's maintenance pass: what it did and how long it took. */
  public record Compaction(String table, String result, long nanos) {}
}

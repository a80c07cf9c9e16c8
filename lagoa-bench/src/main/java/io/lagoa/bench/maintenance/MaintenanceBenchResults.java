package io.lagoa.bench.maintenance;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code lagoa bench maintenance} measured. */
public record MaintenanceBenchResults(
    Instant startedAt,
    Map<String, String> environment,
    MaintenanceBenchOptions options,
    long commits,
    long feedNanos,
    List<Sample> samples,
    List<Pass> passes) {

  /** Which of the three tables a figure is of. */
  public enum Kind {
    UNMAINTAINED("unmaintained"),
    MAINTAINED("maintained"),
    COMPACTED("compacted copy");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One bench query on one table: the median of its timed runs, and what its scan read.
   *
   * @param filesRead data files the scan opened (Iceberg's result data files)
   */
  public record QueryTime(String query, double medianMillis, long filesRead) {}

  /**
   * The figures of one table at one sample.
   *
   * @param metadataBytes what planning a query reads: the metadata file, the current manifest list
   *     and the manifests it lists
   * @param metadataStorageBytes every file under the table's metadata folder (old metadata files,
   *     manifest lists and manifests of retained snapshots); empty when the storage cannot list
   */
  public record TableFigures(
      Kind kind,
      long rows,
      long dataFiles,
      long dataBytes,
      long deleteFiles,
      long manifests,
      long snapshots,
      long metadataBytes,
      Optional<Long> metadataStorageBytes,
      List<QueryTime> queries) {

    public double totalQueryMillis() {
      return queries.stream().mapToDouble(QueryTime::medianMillis).sum();
    }
  }

  /**
   * One sample: the three tables' figures and query times.
   *
   * @param resultsMatch whether every query returned the same rows on the three tables
   * @param copyNanos how long making and compacting the reference copy took
   */
  public record Sample(
      int number,
      long elapsedNanos,
      long commits,
      List<TableFigures> tables,
      boolean resultsMatch,
      long copyNanos) {

    public TableFigures of(Kind kind) {
      return tables.stream().filter(table -> table.kind() == kind).findFirst().orElseThrow();
    }

    /** The maintained (or unmaintained) table's total query time over the compacted copy's. */
    public double ratio(Kind kind) {
      double reference = of(Kind.COMPACTED).totalQueryMillis();
      return reference == 0 ? Double.NaN : of(kind).totalQueryMillis() / reference;
    }
  }

  /**
   * One maintenance pass of the maintained table.
   *
   * @param actions what ran, e.g. "compact data files: rewrote 60 data files into 1"
   * @param error why the pass or one of its actions failed
   */
  public record Pass(
      int number, long elapsedNanos, long nanos, List<String> actions, Optional<String> error) {}
}

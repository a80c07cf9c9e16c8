package io.lagoa.bench.cdc;

/**
 * What {@code lagoa bench cdc} measures.
 *
 * @param rows initial inserts in the bronze change table, one per key
 * @param batches batches of changes, each appended to bronze and then applied by one pipeline run
 * @param updateFraction share of the keys updated by each batch
 * @param deleteFraction share of the keys deleted by each batch
 * @param insertFraction new keys inserted by each batch, as a share of {@code rows}
 * @param scdType 1 (the current row of each key) or 2 (every version)
 * @param writeMode the target's row-level write mode
 * @param readEvery time the full-scan read every this many batches; 0: only after the last batch
 * @param compact compact the target after the last batch and time the read again
 * @param reference time a plain Spark MERGE INTO of every batch into a copy of the table
 * @param namespace where the tables go: {@code <namespace>.t} and its change state, the reference
 *     copy {@code <namespace>.t_reference}, and bronze {@code <namespace>_bronze.changes}
 * @param seed the same seed gives the same rows and changes
 */
public record CdcBenchOptions(
    long rows,
    int batches,
    double updateFraction,
    double deleteFraction,
    double insertFraction,
    int scdType,
    CdcWriteMode writeMode,
    int readEvery,
    boolean compact,
    boolean reference,
    String namespace,
    long seed) {
  public static final long MIN_ROWS = 100;
  public static final long MAX_ROWS = 1_000_000_000L;
  public static final int MAX_BATCHES = 10_000;

  public CdcBenchOptions {
    if (rows < MIN_ROWS || rows > MAX_ROWS) {
      throw new IllegalArgumentException(
          "Cannot start from " + rows + " rows: choose " + MIN_ROWS + " to " + MAX_ROWS);
    }
    if (batches < 1 || batches > MAX_BATCHES) {
      throw new IllegalArgumentException(
          "Cannot run " + batches + " batches: choose 1 to " + MAX_BATCHES);
    }
    fraction("update", updateFraction);
    fraction("delete", deleteFraction);
    fraction("insert", insertFraction);
    if (updateFraction + deleteFraction > 1) {
      throw new IllegalArgumentException(
          "Cannot update "
              + updateFraction
              + " and delete "
              + deleteFraction
              + " of the keys in one batch: together they exceed 1");
    }
    if (updateFraction + deleteFraction + insertFraction == 0) {
      throw new IllegalArgumentException(
          "Cannot run batches without changes: give an update, delete or insert fraction above 0");
    }
    if (scdType != 1 && scdType != 2) {
      throw new IllegalArgumentException("Cannot store as SCD type " + scdType + ": choose 1 or 2");
    }
    if (readEvery < 0) {
      throw new IllegalArgumentException(
          "Cannot read every " + readEvery + " batches: give 0 (after the last) or more");
    }
    if (namespace == null || !namespace.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          "Cannot use namespace '"
              + namespace
              + "': use letters, digits and underscores, not starting with a digit");
    }
  }

  private static void fraction(String what, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "Cannot use " + what + " fraction " + value + ": choose 0 to 1 (0.01 is 1%)");
    }
  }

  /** 10 million keys, 10 batches of 1% updates, 0.1% deletes and 0.1% new keys, SCD type 1. */
  public static CdcBenchOptions defaults() {
    return new CdcBenchOptions(
        10_000_000L,
        10,
        0.01,
        0.001,
        0.001,
        1,
        CdcWriteMode.COPY_ON_WRITE,
        0,
        false,
        true,
        "bench_cdc",
        42);
  }

  public String bronzeNamespace() {
    return namespace + "_bronze";
  }

  /** The batches after which the read is timed: every {@code readEvery}-th, and the last. */
  public boolean readsAfter(int batch) {
    return batch == batches || (readEvery > 0 && batch % readEvery == 0);
  }
}

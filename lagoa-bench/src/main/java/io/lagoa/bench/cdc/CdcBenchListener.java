package io.lagoa.bench.cdc;

/** What the CDC bench reports while it runs; every method has a do-nothing default. */
public interface CdcBenchListener {
  /** A step that runs Spark jobs starts, e.g. "writing 10,000,000 inserts to bronze". */
  default void stepStarted(String description) {}

  /** That step ended after {@code nanos}. */
  default void stepFinished(String description, long nanos) {}

  default void setupFinished(CdcBenchResults.Setup setup) {}

  /** Batch {@code number} of {@code total} (from 1) is being appended to bronze and applied. */
  default void batchStarted(int number, int total) {}

  default void batchFinished(CdcBenchResults.Batch batch, int total) {}

  default void readFinished(CdcBenchResults.Read read) {}
}

package io.lagoa.bench.catalog;

/** What {@link CatalogBench} reports while it runs; every method has a do-nothing default. */
public interface CatalogBenchListener {
  /** The server measured, once it answers: started in this JVM or given. */
  default void serverReady(String description) {}

  /** The tables exist (created or reused), after {@code nanos}. */
  default void prepared(int tables, long nanos) {}

  /** Run {@code index} of {@code total} (from 1) starts its warm-up. */
  default void runStarting(
      int index, int total, CatalogTarget target, CatalogOperation operation, int clients) {}

  /**
   * About once a second during a run: seconds since the warm-up ended (negative while warming up),
   * and the operations and errors counted so far.
   */
  default void progress(double elapsedSeconds, double totalSeconds, long operations, long errors) {}

  default void runFinished(int index, int total, CatalogRunResult result) {}
}

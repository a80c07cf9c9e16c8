package io.lagoa.bench.maintenance;

/** What the maintenance bench reports while it runs; every method has a do-nothing default. */
public interface MaintenanceBenchListener {
  /** A step starts, e.g. "sample 2: compacting a copy". */
  default void stepStarted(String description) {}

  default void stepFinished(String description, long nanos) {}

  /**
   * A commit to both tables ended; {@code commits} so far, {@code elapsedNanos} since the start.
   */
  default void committed(long commits, long elapsedNanos) {}

  /** A maintenance pass of the maintained table ended. */
  default void passFinished(MaintenanceBenchResults.Pass pass) {}

  default void sampleFinished(MaintenanceBenchResults.Sample sample) {}
}

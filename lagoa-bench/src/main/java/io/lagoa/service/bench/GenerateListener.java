package io.lagoa.service.bench;

import io.lagoa.bench.*;

/**
 * Told what {@link BenchService#generate} does, for progress lines. Every method may be skipped.
 */
public interface GenerateListener {
  GenerateListener NONE = new GenerateListener() {};

  /** Spark is up, after this many nanoseconds. */
  default void sparkStarted(long nanos) {}

  /** The sales tables {@code vendas} and {@code estoque} are about to be written. */
  default void generatingSales(
      long rows, long seed, Layout layout, String vendas, String estoque) {}

  /** The TPC-H tables are about to be written. */
  default void generatingTpch(double scaleFactor, String namespace) {}

  /** One TPC-H table was written, in this many nanoseconds. */
  default void tableFinished(String table, long nanos) {}

  /** Everything was written; called before {@link BenchService#generate} returns it. */
  default void generated(BenchService.Generated generated) {}
}

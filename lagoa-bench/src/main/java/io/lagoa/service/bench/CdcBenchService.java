package io.lagoa.service.bench;

import io.lagoa.bench.cdc.CdcBenchListener;
import io.lagoa.bench.cdc.CdcBenchOptions;
import io.lagoa.bench.cdc.CdcBenchResults;
import io.lagoa.bench.cdc.CdcVerification;
import io.lagoa.bench.spark.CdcBench;
import io.lagoa.spark.SparkSql;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Runs {@code lagoa bench cdc} for an adapter, which keeps to options, listener and results: the
 * Spark part ({@link CdcBench}) stays behind this service.
 */
public final class CdcBenchService {
  private static final String VERIFYING = "verifying the table against bronze";

  private CdcBenchService() {}

  /** The bench's results, and what the verification found when it was asked for. */
  public record Outcome(CdcBenchResults results, Optional<CdcVerification> verification) {}

  /**
   * Runs the bench in {@code sql}'s session.
   *
   * @param folder where the bench writes its pipeline folder
   * @param verify whether to check the table against what the changes imply afterwards
   */
  public static Outcome run(
      SparkSql sql,
      Path folder,
      CdcBenchOptions options,
      CdcBenchListener listener,
      boolean verify) {
    CdcBench bench = new CdcBench(sql.session(), folder);
    CdcBenchResults results = bench.run(options, listener);
    if (!verify) {
      return new Outcome(results, Optional.empty());
    }
    listener.stepStarted(VERIFYING);
    long start = System.nanoTime();
    CdcVerification verification = bench.verify(options);
    listener.stepFinished(VERIFYING, System.nanoTime() - start);
    return new Outcome(results, Optional.of(verification));
  }
}

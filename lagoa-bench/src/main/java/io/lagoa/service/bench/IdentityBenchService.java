package io.lagoa.service.bench;

import io.lagoa.bench.identity.IdentityBenchResults;
import io.lagoa.bench.spark.IdentityBench;
import io.lagoa.spark.SparkSql;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs {@code lagoa bench identity} for an adapter; the Spark part stays behind this service. */
public final class IdentityBenchService {
  private IdentityBenchService() {}

  /**
   * @param folder where the bench writes its pipeline folder
   * @param increment the share of the records resolved by the second, incremental run (0..0.5)
   * @throws IllegalArgumentException when an option is out of range
   */
  public static IdentityBenchResults run(
      SparkSql sql,
      Path folder,
      long records,
      long seed,
      double increment,
      String namespace,
      Consumer<String> progress) {
    if (records < 10) {
      throw new IllegalArgumentException(
          "Cannot bench identity: at least 10 records, not " + records);
    }
    if (increment <= 0 || increment > 0.5) {
      throw new IllegalArgumentException(
          "Cannot bench identity: the increment must be above 0 and at most 0.5, not " + increment);
    }
    return new IdentityBench(sql.session(), folder)
        .run(records, seed, increment, namespace, progress);
  }
}

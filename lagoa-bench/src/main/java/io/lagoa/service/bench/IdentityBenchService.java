package io.lagoa.service.bench;

import io.lagoa.bench.identity.IdentityBenchResults;
import io.lagoa.bench.spark.IdentityBench;
import io.lagoa.spark.SparkSql;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs {@code lagoa bench identity} for an adapter; the Spark part stays behind this service. */
public final class IdentityBenchService {
  /** The rules the bench uses unless told others: those of examples/leads. */
  public static final String DEFAULT_MATCH = IdentityBench.MATCH;

  private IdentityBenchService() {}

  /**
   * Checks the rules a bench would run with, before anything starts.
   *
   * @throws IllegalArgumentException saying what is wrong in them
   */
  public static void checkRules(String match) {
    IdentityBench.rules(match);
  }

  /**
   * @param folder where the bench writes its pipeline folder
   * @param increment the share of the records resolved by the second, incremental run (0..0.5)
   * @param match the graph's rules, as written between its name and AS ({@link
   *     IdentityBench#MATCH})
   * @throws IllegalArgumentException when an option is out of range or the rules do not parse
   */
  public static IdentityBenchResults run(
      SparkSql sql,
      Path folder,
      long records,
      long seed,
      double increment,
      String namespace,
      String match,
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
        .run(records, seed, increment, namespace, match, progress);
  }
}

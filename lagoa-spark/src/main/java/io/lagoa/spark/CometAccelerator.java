package io.lagoa.spark;

import io.lagoa.config.Accelerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.comet.NativeBase;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache DataFusion Comet as Lagoa's accelerator: the Spark settings that turn it on (keys as in
 * Comet 1.2.0's {@code CometConf}), and whether its native library loads on this machine.
 *
 * <p>When the library cannot load (macOS, Windows, musl, an old glibc: the jar carries Linux x86_64
 * and aarch64 builds only), Lagoa starts plain Spark and logs a warning rather than fail: the
 * accelerator changes how fast a query runs, never its answer, so refusing to start would only take
 * Lagoa away from those machines.
 */
public final class CometAccelerator {
  private static final Logger LOG = LoggerFactory.getLogger(CometAccelerator.class);

  static final String PLUGIN = "org.apache.spark.CometPlugin";
  static final String SHUFFLE_MANAGER =
      "org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager";

  /** The system property naming the log4rs configuration of Comet's native library. */
  private static final String LOG_CONF = "comet.log.file.path";

  /**
   * Whether Comet runs sort-merge joins that carry a join filter (a condition beyond the equal
   * keys, such as TPC-H q21's {@code EXISTS}/{@code NOT EXISTS} with {@code l2.l_suppkey <>
   * l1.l_suppkey}). Lagoa sets {@code false}, so Spark runs those joins over Comet's native scans,
   * shuffles and sorts: DataFusion's sort-merge join with a filter made q21 the slowest query
   * against plain Spark (see docs/benchmarks.md, "TPC-H SF1: q21 and sort-merge joins with a
   * filter"). Sort-merge joins on keys alone stay native. Comet 1.2.0 marks the key deprecated;
   * when it goes, these joins run natively again: slower, same answers.
   */
  static final String SORT_MERGE_JOIN_WITH_FILTER =
      "spark.comet.exec.sortMergeJoinWithJoinFilter.enabled";

  /**
   * Spark expressions Comet must not run natively. Comet's native {@code hour}, {@code minute},
   * {@code second} and {@code unix_timestamp} fail the query ("hour(scalar) should be fold in Spark
   * JVM side") when their argument is constant over a batch: {@code hour(CASE WHEN id > 50 THEN ts
   * END)} over a file where no row matches, {@code second(coalesce(ts, TIMESTAMP '...'))} over a
   * file of null timestamps (apache/datafusion-comet#3336, open in Comet 1.2.0). In Spark they run
   * over Comet's scans: a projection with {@code hour} costs ~1.3x (docs/benchmarks.md), and DuckDB
   * reads take most aggregations over them.
   */
  static final List<String> EXPRESSIONS_IN_SPARK =
      List.of("Hour", "Minute", "Second", "UnixTimestamp");

  /** The session setting that turns Comet on or off for one session's plans. */
  public static final String ENABLED = "spark.comet.enabled";

  private CometAccelerator() {}

  /**
   * Why Comet's native library does not load here, or empty when it does. Loading it unpacks the
   * library (about 140 MB) to the temporary folder once per JVM.
   */
  public static Optional<String> unavailableReason() {
    quietNativeLog();
    try {
      return NativeBase.isLoaded()
          ? Optional.empty()
          : Optional.of("the native library did not load (see the log above)");
    } catch (Throwable e) { // NativeBase rethrows the load error: UnsatisfiedLinkError, ...
      return Optional.of(
          e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + " (os.name="
              + System.getProperty("os.name")
              + ", os.arch="
              + System.getProperty("os.arch")
              + ")");
    }
  }

  /**
   * Comet's native code logs through its own logger (log4rs) straight to stderr, at INFO unless
   * told otherwise, e.g. a line at every start. Unless the user configured it ({@value #LOG_CONF}),
   * give it a configuration that logs warnings and errors only.
   */
  private static void quietNativeLog() {
    if (System.getProperty(LOG_CONF) != null
        || System.getenv("COMET_CONF_DIR") != null
        || System.getenv("COMET_LOG_LEVEL") != null) {
      return;
    }
    try {
      Path file = Files.createTempFile("lagoa-comet-log4rs", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(
          file,
          "appenders:\n  stderr:\n    kind: console\n    target: stderr\n"
              + "root:\n  level: warn\n  appenders:\n    - stderr\n");
      System.setProperty(LOG_CONF, file.toString());
    } catch (IOException e) {
      LOG.debug("Cannot write a log configuration for Comet's native library", e);
    }
  }

  /**
   * The settings that start Spark with Comet: its plugin (which adds Comet's session extension),
   * its shuffle manager (static, so fixed when the SparkContext starts), off-heap memory for its
   * native operators, and its native Iceberg scan, where all the gain on Iceberg tables comes from.
   *
   * <p>Which shuffle Comet uses is left to Comet ({@code spark.comet.shuffle.mode} {@code auto}:
   * its native shuffle where the plan allows). Lagoa set its JVM columnar shuffle ({@code jvm})
   * until session 11, when the native one made TPC-H SF1 q3 and q7 faster than plain Spark (2.2x
   * and 1.4x instead of 0.96x and 0.99x) and every other query too (see docs/benchmarks.md, "TPC-H
   * SF1: Comet's native shuffle again").
   */
  static Map<String, String> startSettings(long offHeapMb) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.plugins", PLUGIN);
    conf.put("spark.shuffle.manager", SHUFFLE_MANAGER);
    conf.put("spark.memory.offHeap.enabled", "true");
    conf.put("spark.memory.offHeap.size", offHeapMb + "m");
    conf.putAll(sessionSettings(true));
    conf.put(SORT_MERGE_JOIN_WITH_FILTER, "false");
    for (String expression : EXPRESSIONS_IN_SPARK) {
      conf.put("spark.comet.expression." + expression + ".enabled", "false");
    }
    // Lagoa checks the library itself before adding the plugin (unavailableReason).
    conf.put("spark.comet.nativeLoadRequired", "false");
    return conf;
  }

  /** The per-session settings: Comet's operators, shuffle and native Iceberg scan on or off. */
  static Map<String, String> sessionSettings(boolean on) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put(ENABLED, Boolean.toString(on));
    conf.put("spark.comet.exec.enabled", Boolean.toString(on));
    conf.put("spark.comet.shuffle.enabled", Boolean.toString(on));
    conf.put("spark.comet.scan.icebergNative.enabled", Boolean.toString(on));
    return conf;
  }

  /** Whether a running SparkContext was started with Comet's plugin. */
  static boolean startedWith(SparkConf conf) {
    return conf.get("spark.plugins", "").contains(PLUGIN)
        && SHUFFLE_MANAGER.equals(conf.get("spark.shuffle.manager", ""));
  }

  /**
   * Says that Comet cannot run: a warning when it was asked for by name, a quiet note when it is
   * only the default ({@code auto}).
   */
  static void unavailable(Accelerator accelerator, String reason) {
    if (accelerator == Accelerator.COMET) {
      LOG.warn(
          "Cannot use the accelerator comet: {}. Running plain Spark (same answers, no native"
              + " speed-up); set spark.accelerator: none to silence this.",
          reason);
    } else {
      LOG.info("Accelerator auto: running plain Spark, Comet cannot run here: {}", reason);
    }
  }
}

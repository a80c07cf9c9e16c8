package io.lagoa.spark;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.Accelerator;
import io.lagoa.config.LagoaConfig;
import io.lagoa.spark.functions.LagoaFunctions;
import io.lagoa.spark.functions.LagoaSessionExtensions;
import io.lagoa.spark.planning.DuckDbReads;
import io.lagoa.text.SecretPatterns;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Starts the embedded Spark with the Lagoa catalog as its default catalog, tuned for one machine.
 */
public final class LagoaSpark {
  private LagoaSpark() {}

  /**
   * The Spark settings for a configuration, Lagoa's first and the user's {@code spark.conf} last.
   */
  public static Map<String, String> sparkConf(LagoaConfig config) {
    Map<String, String> conf = new LinkedHashMap<>();
    String catalog = "spark.sql.catalog." + CatalogProperties.CATALOG_NAME;
    conf.put("spark.master", config.spark().master());
    conf.put("spark.app.name", "lagoa");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.ui.showConsoleProgress", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    // Spark's default of 200 shuffle partitions makes small local aggregations 4-7x slower.
    conf.put("spark.sql.shuffle.partitions", Integer.toString(config.spark().shufflePartitions()));
    conf.put("spark.default.parallelism", Integer.toString(config.spark().shufflePartitions()));
    conf.put("spark.sql.adaptive.enabled", "true");
    conf.put("spark.sql.adaptive.coalescePartitions.enabled", "true");
    conf.put("spark.sql.datetime.java8API.enabled", "true");
    // Spark compiles generated code once per class loader, and a session with isolated artifacts
    // (Spark's default, for Spark Connect) runs its tasks in a class loader of its own: every
    // pipeline run clones a session, so each batch of a continuous run compiled all its
    // projections again (~10% of the executors' CPU at 5,000 events/s). Lagoa adds no jars or
    // files to sessions; without isolation they share the executors' class loader and its code.
    conf.put("spark.sql.artifact.isolation.enabled", "false");
    // read_kafka's batch reads through Spark's DataSource V2 Kafka scan, whose reader makes each
    // record a row in Spark's internal form; the V1 relation (Spark's default for kafka) made it
    // an external Row and converted it back (~8% of a Kafka -> bronze batch's CPU, 1 KB JSON
    // records). Spark's default list without kafka: the other sources stay as they were.
    conf.put("spark.sql.sources.useV1SourceList", "avro,csv,json,orc,parquet,text");
    // Iceberg's SQL (CALL, MERGE on v2 tables) and Lagoa's SQL functions (hash_key, ...).
    conf.put(
        "spark.sql.extensions",
        "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
            + LagoaSessionExtensions.class.getName());
    conf.put(catalog, "org.apache.iceberg.spark.SparkCatalog");
    CatalogProperties.of(config).forEach((key, value) -> conf.put(catalog + "." + key, value));
    conf.put("spark.sql.defaultCatalog", CatalogProperties.CATALOG_NAME);
    // SET, the environment listing and event logs hide what Lagoa's own rule calls a secret
    // (Spark's default misses credential and api-key, e.g. a REST catalog's credential).
    conf.put("spark.redaction.regex", SecretPatterns.SECRET_NAME_REGEX);
    // Nothing should land in the current folder: no spark-warehouse/, no derby metastore.
    conf.put("spark.sql.catalogImplementation", "in-memory");
    config
        .localWarehouse()
        .ifPresent(
            folder ->
                conf.put(
                    "spark.sql.warehouse.dir",
                    folder.resolve(".spark-warehouse").toUri().toString()));
    Accelerator accelerator = config.spark().accelerator();
    if (accelerator.wantsComet()) {
      Optional<String> unavailable = CometAccelerator.unavailableReason();
      if (unavailable.isPresent()) {
        CometAccelerator.unavailable(accelerator, unavailable.get());
      } else {
        conf.putAll(CometAccelerator.startSettings(config.spark().offHeapMb()));
      }
    }
    conf.put(DuckDbReads.ENABLED, Boolean.toString(config.spark().duckDbReads()));
    conf.putAll(config.spark().conf());
    return conf;
  }

  /**
   * A session on the configured lakehouse. In a JVM that already runs Spark (tests, the server),
   * this is a new session sharing the same SparkContext, with its own catalog settings.
   */
  public static SparkSession session(LagoaConfig config) {
    LagoaCatalogs.prepare(config);
    Map<String, String> conf = sparkConf(config);
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession session = SparkSession.getDefaultSession().get().newSession();
      // A new session starts from the settings the SparkContext was created with, which may be
      // another lakehouse's catalog (a postgres password in a sqlite session): drop those first.
      String catalogPrefix = "spark.sql.catalog." + CatalogProperties.CATALOG_NAME + ".";
      for (String key : CollectionConverters.asJava(session.conf().getAll()).keySet()) {
        if (key.startsWith(catalogPrefix) && !conf.containsKey(key)) {
          session.conf().unset(key);
        }
      }
      conf.forEach(
          (key, value) -> {
            // Session-level SQL settings apply; static ones (extensions, master) were fixed
            // when the SparkContext started and are shared.
            if (key.startsWith("spark.sql.") && !SQLConf.isStaticConfigKey(key)) {
              session.conf().set(key, value);
            }
          });
      applyAccelerator(session, config);
      // Iceberg and Spark look some things up through the thread's active session; that must be
      // this lakehouse's session, not whichever one the JVM started first.
      SparkSession.setActiveSession(session);
      // The first session may have been started without Lagoa's extensions (a stock session).
      LagoaFunctions.register(session);
      return session;
    }
    SparkSession.Builder builder = SparkSession.builder();
    conf.forEach(builder::config);
    SparkSession session = builder.getOrCreate();
    LagoaFunctions.register(session);
    return session;
  }

  /**
   * Comet's plugin and shuffle manager are fixed when the SparkContext starts; whether a session's
   * plans use it is a session setting. So a session without the accelerator in a JVM whose Spark
   * started with it runs plain Spark, and the reverse runs plain Spark with a warning.
   */
  private static void applyAccelerator(SparkSession session, LagoaConfig config) {
    boolean running = CometAccelerator.startedWith(session.sparkContext().getConf());
    boolean wanted = config.spark().accelerator().wantsComet();
    if (wanted && !running) {
      CometAccelerator.unavailable(
          config.spark().accelerator(),
          "this JVM's Spark was started without it (spark.plugins and spark.shuffle.manager are"
              + " fixed when Spark starts)");
    }
    if (running) {
      CometAccelerator.sessionSettings(wanted).forEach(session.conf()::set);
      // spark.conf from the user comes last, as when Spark starts.
      config.spark().conf().entrySet().stream()
          .filter(entry -> entry.getKey().startsWith("spark.comet."))
          .forEach(entry -> session.conf().set(entry.getKey(), entry.getValue()));
    }
  }
}

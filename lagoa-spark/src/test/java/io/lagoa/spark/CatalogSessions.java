package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.LagoaConfig;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/** Checks on the Lagoa catalog settings a Spark session ends up with. */
final class CatalogSessions {
  private static final String PREFIX = "spark.sql.catalog.lagoa";

  private CatalogSessions() {}

  /**
   * The session's catalog settings are exactly the configuration's, whichever lakehouse the JVM's
   * SparkContext was first started for (tests share one SparkContext across configurations).
   */
  static void assertCatalogSettingsAreExactly(SparkSession session, LagoaConfig config) {
    Map<String, String> expected = new TreeMap<>();
    LagoaSpark.sparkConf(config)
        .forEach(
            (key, value) -> {
              if (key.startsWith(PREFIX)) {
                expected.put(key, value);
              }
            });
    Map<String, String> actual = new TreeMap<>();
    CollectionConverters.asJava(session.conf().getAll())
        .forEach(
            (key, value) -> {
              if (key.startsWith(PREFIX)) {
                actual.put(key, value);
              }
            });
    assertThat(actual).isEqualTo(expected);
  }
}

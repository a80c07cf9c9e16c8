package io.lagoa.spark.functions;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Lagoa's SQL functions as a Spark session extension ({@code spark.sql.extensions}), so that every
 * session of the JVM has them, also those Spark makes with {@code newSession()}. A stock Spark with
 * the lagoa-spark jar can use it too.
 */
public final class LagoaSessionExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (LagoaSqlFunction function : LagoaSqlFunction.values()) {
      extensions.injectFunction(
          new Tuple3<>(function.identifier(), function.info(), function.builder()));
    }
    return BoxedUnit.UNIT;
  }
}

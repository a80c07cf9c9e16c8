package io.lagoa.spark.functions;

import io.lagoa.spark.duckdb.DuckDbInstance;
import io.lagoa.spark.planning.CountFromSnapshot;
import io.lagoa.spark.planning.DistinctLiteralCount;
import io.lagoa.spark.planning.DriverAggregation;
import io.lagoa.spark.planning.DriverProjection;
import io.lagoa.spark.planning.DuckDbReads;
import org.apache.spark.sql.SparkSessionExtensions;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Lagoa's SQL functions and planning as a Spark session extension ({@code spark.sql.extensions}),
 * so that every session of the JVM has them, also those Spark makes with {@code newSession()}. A
 * stock Spark with the lagoa-spark jar can use it too. The planning: aggregations and projections
 * over rows the driver already holds (Iceberg's answers from metadata, {@code SELECT 1}) computed
 * there ({@link DriverAggregation}, {@link DriverProjection}); a whole table's {@code COUNT(*)}
 * from its snapshot's summary ({@link CountFromSnapshot}); {@code COUNT(DISTINCT 1)} rewritten so
 * the push-down cannot lose its DISTINCT ({@link DistinctLiteralCount}); aggregations over local
 * Iceberg tables in an in-process DuckDB ({@link DuckDbReads}).
 */
public final class LagoaSessionExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (LagoaSqlFunction function : LagoaSqlFunction.values()) {
      extensions.injectFunction(
          new Tuple3<>(function.identifier(), function.info(), function.builder()));
    }
    extensions.injectOptimizerRule(session -> new DistinctLiteralCount());
    // before Iceberg's aggregate push-down, which plans every data file for the same count
    extensions.injectPreCBORule(CountFromSnapshot::new);
    extensions.injectPlannerStrategy(session -> new DriverAggregation());
    extensions.injectPlannerStrategy(session -> new DriverProjection());
    // one DuckDB for the sessions these extensions make: Spark makes the strategy anew for each
    // plan it plans, and starting a database takes ~10 ms
    DuckDbInstance duckDb = new DuckDbInstance();
    extensions.injectPlannerStrategy(session -> new DuckDbReads(session, duckDb));
    return BoxedUnit.UNIT;
  }
}

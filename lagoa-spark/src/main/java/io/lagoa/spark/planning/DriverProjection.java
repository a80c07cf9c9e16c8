package io.lagoa.spark.planning;

import java.util.Optional;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import scala.collection.immutable.Seq;

/**
 * Plans a projection over rows the driver already holds as its result, computed while planning by
 * Spark's own projection code, instead of a job.
 *
 * <p>{@code SELECT 1}, {@code SELECT current_date()}: Spark plans a projection over its one-row
 * relation as a task over an RDD of one empty row (and the accelerator takes it over as a native
 * projection behind a row-to-columnar transition): a job of tens to hundreds of milliseconds for
 * one row. Computing it here leaves a plan of one {@code LocalTableScan}, which Spark returns
 * without a job and the accelerator leaves alone. Spark already does the same for a projection over
 * {@code VALUES} (its optimizer rule {@code ConvertToLocalRelation}); this covers the rest of what
 * {@link DriverRows} holds: the one-row relation, a scan answered from metadata, and {@code VALUES}
 * the optimizer left unfolded.
 *
 * <p>What stays with Spark as before: nondeterministic expressions ({@code rand()}, {@code
 * uuid()}), subqueries, streaming plans, more than {@value DriverRows#MAX_ROWS} rows, and a
 * projection that fails here (ANSI {@code SELECT 1/0}, say), so such errors still come from running
 * the query, not from planning or explaining it.
 */
public final class DriverProjection extends SparkStrategy {
  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (!(plan instanceof Project project)) {
      return DriverRows.none();
    }
    Optional<DriverRows.Rows> rows;
    try {
      rows = DriverRows.of(project);
    } catch (Exception e) { // e.g. ANSI division by zero: let the job raise it, as before
      return DriverRows.none();
    }
    return rows.map(result -> DriverRows.scan(project.output(), result.rows()))
        .orElseGet(DriverRows::none);
  }
}

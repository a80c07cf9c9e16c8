package io.lagoa.spark.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.Complete$;
import org.apache.spark.sql.catalyst.planning.PhysicalAggregation$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.read.LocalScan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.aggregate.SortBasedAggregationIterator;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.Option;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plans an aggregation without {@code GROUP BY} over rows the driver already holds as its result,
 * computed while planning by Spark's own aggregation code, instead of a job.
 *
 * <p>Iceberg answers {@code COUNT(*)}, {@code MIN} and {@code MAX} from its manifests (aggregate
 * push-down): the scan it hands Spark is a {@link LocalScan} of one row, and Spark still plans the
 * aggregate over it as a partial aggregation, a shuffle and a final aggregation: two stages and
 * their tasks for one row, and with the accelerator a native shuffle too. The same holds for an
 * aggregation over {@code VALUES}. Computing it here leaves a plan of one {@code LocalTableScan},
 * which Spark returns without a job and the accelerator leaves alone.
 *
 * <p>Only plain aggregate functions qualify (no {@code DISTINCT}), over at most {@value
 * DriverRows#MAX_ROWS} rows; anything else, or an aggregate that fails here (an ANSI overflow,
 * say), is planned by Spark as before, so errors still come from running the query, not from
 * planning it.
 */
public final class DriverAggregation extends SparkStrategy {
  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (plan.isStreaming()) {
      return DriverRows.none();
    }
    Option<
            Tuple4<
                Seq<NamedExpression>, Seq<AggregateExpression>, Seq<NamedExpression>, LogicalPlan>>
        matched = PhysicalAggregation$.MODULE$.unapply(plan);
    if (matched.isEmpty() || !matched.get()._1().isEmpty()) {
      return DriverRows.none();
    }
    List<AggregateExpression> aggregates = CollectionConverters.asJava(matched.get()._2());
    boolean plain =
        aggregates.stream()
            .allMatch(
                aggregate ->
                    !aggregate.isDistinct()
                        && aggregate.mode() == Complete$.MODULE$
                        && !SubqueryExpression.hasSubquery(aggregate));
    if (!plain) {
      return DriverRows.none();
    }
    try {
      Optional<DriverRows.Rows> input = DriverRows.of(matched.get()._4());
      if (input.isEmpty()) {
        return DriverRows.none();
      }
      List<InternalRow> result = aggregate(aggregates, matched.get()._3(), input.get());
      return DriverRows.scan(plan.output(), result);
    } catch (Exception e) { // e.g. an ANSI overflow: let the job raise it, as before
      return DriverRows.none();
    }
  }

  /** Spark's sort-based aggregation, as {@code SortAggregateExec} runs it in a task. */
  private static List<InternalRow> aggregate(
      List<AggregateExpression> aggregates,
      Seq<NamedExpression> resultExpressions,
      DriverRows.Rows input) {
    List<Attribute> resultAttributes = new ArrayList<>();
    for (AggregateExpression aggregate : aggregates) {
      resultAttributes.add(aggregate.resultAttribute());
    }
    scala.collection.Iterator<InternalRow> rows =
        CollectionConverters.asScala(input.rows().iterator());
    boolean hasInput = rows.hasNext();
    SortBasedAggregationIterator iterator =
        new SortBasedAggregationIterator(
            0,
            DriverRows.seq(List.<NamedExpression>of()),
            input.output(),
            rows,
            DriverRows.seq(aggregates),
            DriverRows.seq(resultAttributes),
            0,
            resultExpressions,
            (expressions, schema) -> MutableProjection.create(expressions, schema),
            new SQLMetric("sum", 0));
    List<InternalRow> result = new ArrayList<>();
    if (!hasInput) {
      result.add(iterator.outputForEmptyGroupingKeyWithoutInput().copy());
    }
    while (iterator.hasNext()) {
      result.add(iterator.next().copy());
    }
    return result;
  }
}

package io.lagoa.spark.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.Complete$;
import org.apache.spark.sql.catalyst.planning.PhysicalAggregation$;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.connector.read.LocalScan;
import org.apache.spark.sql.execution.LocalTableScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.aggregate.SortBasedAggregationIterator;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
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
 * <p>Only plain aggregate functions qualify (no {@code DISTINCT}), over at most {@value #MAX_ROWS}
 * rows; anything else, or an aggregate that fails here (an ANSI overflow, say), is planned by Spark
 * as before, so errors still come from running the query, not from planning it.
 */
public final class DriverAggregation extends SparkStrategy {
  /** Beyond this many input rows, a task is as cheap as the driver's time. */
  static final int MAX_ROWS = 10_000;

  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (plan.isStreaming()) {
      return none();
    }
    Option<
            Tuple4<
                Seq<NamedExpression>, Seq<AggregateExpression>, Seq<NamedExpression>, LogicalPlan>>
        matched = PhysicalAggregation$.MODULE$.unapply(plan);
    if (matched.isEmpty() || !matched.get()._1().isEmpty()) {
      return none();
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
      return none();
    }
    try {
      Optional<Rows> input = rows(matched.get()._4());
      if (input.isEmpty() || input.get().rows().size() > MAX_ROWS) {
        return none();
      }
      List<InternalRow> result = aggregate(aggregates, matched.get()._3(), input.get());
      return seq(
          List.<SparkPlan>of(new LocalTableScanExec(plan.output(), seq(result), Option.empty())));
    } catch (RuntimeException e) { // e.g. an ANSI overflow: let the job raise it, as before
      return none();
    }
  }

  /** The rows and their attributes, where they are on the driver already. */
  private record Rows(Seq<Attribute> output, List<InternalRow> rows) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Optional<Rows> rows(LogicalPlan child) {
    if (child instanceof LocalRelation relation) {
      return Optional.of(new Rows(relation.output(), CollectionConverters.asJava(relation.data())));
    }
    if (child instanceof DataSourceV2ScanRelation relation
        && relation.scan() instanceof LocalScan local) {
      return Optional.of(new Rows((Seq) relation.output(), Arrays.asList(local.rows())));
    }
    if (child instanceof Project project
        && CollectionConverters.asJava(project.projectList()).stream()
            .map(Expression.class::cast) // a NamedExpression is always an Expression
            .allMatch(
                expression ->
                    expression.deterministic() && !SubqueryExpression.hasSubquery(expression))) {
      return rows(project.child())
          .filter(input -> input.rows().size() <= MAX_ROWS) // larger: left to Spark, not evaluated
          .map(
              input -> {
                UnsafeProjection projection =
                    UnsafeProjection.create((Seq) project.projectList(), input.output());
                List<InternalRow> projected = new ArrayList<>(input.rows().size());
                for (InternalRow row : input.rows()) {
                  projected.add(projection.apply(row).copy());
                }
                return new Rows(project.output(), projected);
              });
    }
    return Optional.empty();
  }

  /** Spark's sort-based aggregation, as {@code SortAggregateExec} runs it in a task. */
  private static List<InternalRow> aggregate(
      List<AggregateExpression> aggregates, Seq<NamedExpression> resultExpressions, Rows input) {
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
            seq(List.<NamedExpression>of()),
            input.output(),
            rows,
            seq(aggregates),
            seq(resultAttributes),
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

  private static <T> Seq<T> seq(List<T> values) {
    return CollectionConverters.asScala(values).toSeq();
  }

  private static Seq<SparkPlan> none() {
    return seq(List.of());
  }
}

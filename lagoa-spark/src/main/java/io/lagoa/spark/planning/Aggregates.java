package io.lagoa.spark.planning;

import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.jdk.javaapi.CollectionConverters;

/** Rewrites of a plan's aggregations, for optimizer rules written in Java. */
final class Aggregates {
  private Aggregates() {}

  /**
   * The plan with each aggregation, bottom up, replaced by what {@code rewrite} makes of it; where
   * it gives null the aggregation stays as it is.
   */
  static LogicalPlan rewrite(LogicalPlan plan, Function<Aggregate, LogicalPlan> rewrite) {
    return plan.transformUp(
        PartialRewrite.<LogicalPlan>of(
            node -> node instanceof Aggregate aggregate ? rewrite.apply(aggregate) : null));
  }

  /**
   * Whether the count counts every row: its arguments are literals that are not null, as in {@code
   * COUNT(*)} (Spark's {@code count(1)}) or {@code COUNT('x', 2)}.
   */
  static boolean countsEveryRow(Count count) {
    List<Expression> children = CollectionConverters.asJava(count.children());
    return !children.isEmpty()
        && children.stream()
            .allMatch(child -> child instanceof Literal literal && literal.value() != null);
  }
}

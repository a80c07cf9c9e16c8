package io.lagoa.spark.planning;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.Literal$;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.rules.Rule;
import scala.PartialFunction;

/**
 * Rewrites {@code COUNT(DISTINCT <literal>)} as what it means: 1 when the group has a row, else 0
 * ({@code IF(COUNT(<literal>) > 0, 1, 0)}).
 *
 * <p>Why: with Iceberg's aggregate push-down (on by default), Spark 4.1.3 pushes {@code
 * COUNT(DISTINCT 1)} over a table to Iceberg as {@code COUNT(*)} and sums the distinct partial
 * counts, so {@code SELECT count(DISTINCT 1) FROM t} answers the number of rows. The rewritten form
 * has no {@code DISTINCT} to lose. Only literals that are not null qualify ({@code COUNT(DISTINCT
 * NULL)} is 0, which Spark gets right).
 */
public final class DistinctLiteralCount extends Rule<LogicalPlan> {
  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    return Aggregates.rewrite(plan, aggregate -> aggregate.transformExpressions(REWRITE));
  }

  private static final PartialFunction<Expression, Expression> REWRITE =
      PartialRewrite.of(
          expression -> {
            if (!distinctLiteralCount(expression)) {
              return null;
            }
            AggregateExpression distinct = (AggregateExpression) expression;
            AggregateExpression rows =
                distinct.copy(
                    distinct.aggregateFunction(),
                    distinct.mode(),
                    false,
                    distinct.filter(),
                    distinct.resultId());
            return new If(
                new GreaterThan(rows, Literal$.MODULE$.apply(0L)),
                Literal$.MODULE$.apply(1L),
                Literal$.MODULE$.apply(0L));
          });

  private static boolean distinctLiteralCount(Expression expression) {
    return expression instanceof AggregateExpression aggregate
        && aggregate.isDistinct()
        && aggregate.aggregateFunction() instanceof Count count
        && Aggregates.countsEveryRow(count);
  }
}

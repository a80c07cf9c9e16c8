package io.lagoa.spark.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.InternalRow$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.connector.read.LocalScan;
import org.apache.spark.sql.execution.LocalTableScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Rows a logical plan stands for that the driver already holds, or can compute from them without a
 * task: {@code VALUES} ({@link LocalRelation}), a scan whose answer is in hand (Iceberg's from
 * metadata, a {@link LocalScan}), the one empty row of a {@code SELECT} without {@code FROM}
 * ({@link OneRowRelation}), and deterministic projections of these without subqueries, evaluated by
 * Spark's own projection code. An expression that fails while evaluated here throws: callers then
 * leave the plan to Spark, so the error comes from running the query, as before.
 */
final class DriverRows {
  /** Beyond this many rows, a task is as cheap as the driver's time. */
  static final int MAX_ROWS = 10_000;

  private DriverRows() {}

  /** The rows and their attributes. */
  record Rows(Seq<Attribute> output, List<InternalRow> rows) {}

  /** The plan's rows, where at most {@value #MAX_ROWS} of them are on the driver already. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Optional<Rows> of(LogicalPlan plan) {
    if (plan.isStreaming()) {
      return Optional.empty();
    }
    if (plan instanceof OneRowRelation) {
      return Optional.of(new Rows(seq(List.of()), List.of(InternalRow$.MODULE$.empty())));
    }
    if (plan instanceof LocalRelation relation) {
      return small(new Rows(relation.output(), CollectionConverters.asJava(relation.data())));
    }
    if (plan instanceof DataSourceV2ScanRelation relation
        && relation.scan() instanceof LocalScan local) {
      return small(new Rows((Seq) relation.output(), Arrays.asList(local.rows())));
    }
    if (plan instanceof Project project && evaluable(project)) {
      return of(project.child())
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

  /**
   * Whether the projection gives the same rows computed once on the driver as in a task: no
   * nondeterministic expression (e.g. {@code rand()}, {@code uuid()}, which are computed per row
   * and partition), no subquery (planned and run by Spark separately).
   */
  private static boolean evaluable(Project project) {
    return CollectionConverters.asJava(project.projectList()).stream()
        .map(Expression.class::cast) // a NamedExpression is always an Expression
        .allMatch(
            expression ->
                expression.deterministic() && !SubqueryExpression.hasSubquery(expression));
  }

  private static Optional<Rows> small(Rows rows) {
    return rows.rows().size() <= MAX_ROWS ? Optional.of(rows) : Optional.empty();
  }

  /** The plan that returns {@code rows} from the driver: one {@code LocalTableScan}, no job. */
  static Seq<SparkPlan> scan(Seq<Attribute> output, List<InternalRow> rows) {
    return seq(List.<SparkPlan>of(new LocalTableScanExec(output, seq(rows), Option.empty())));
  }

  /** What a strategy returns for a plan it leaves to Spark. */
  static Seq<SparkPlan> none() {
    return seq(List.of());
  }

  static <T> Seq<T> seq(List<T> values) {
    return CollectionConverters.asScala(values).toSeq();
  }
}

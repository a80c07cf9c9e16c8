package io.lagoa.spark.duckdb;

import java.io.Serializable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ReturnAnswer;
import org.apache.spark.sql.catalyst.trees.TreeNodeTag;
import org.apache.spark.sql.execution.QueryExecution$;
import org.apache.spark.sql.execution.SparkPlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Spark's own plan for a query DuckDB reads whose answer may be large: it runs instead of DuckDB
 * when the rows go on to Spark's operators (an RDD of the plan), so many rows are never funnelled
 * through one partition on the driver, and when the collected rows pass {@code
 * spark.driver.maxResultSize}. Planned only then, and once.
 */
public final class SparkFallback implements Serializable {
  /** On every node of a plan that Spark plans alone: DuckDB reads leave it be. */
  private static final TreeNodeTag<Boolean> SPARK_ONLY = new TreeNodeTag<>("lagoa.duckdb.spark");

  private final transient SparkSession session;
  private final transient LogicalPlan plan;
  private transient SparkPlan prepared;

  /**
   * @param plan the optimized logical plan DuckDB reads
   */
  public SparkFallback(LogicalPlan plan, SparkSession session) {
    this.session = session;
    // a copy, so the query's own plan keeps no mark
    this.plan = plan.clone();
    markSparkOnly(this.plan);
  }

  /** Whether the node is part of a plan Spark plans alone. */
  public static boolean isSparkOnly(LogicalPlan node) {
    LogicalPlan marked = node instanceof ReturnAnswer root ? root.child() : node;
    return marked.getTagValue(SPARK_ONLY).isDefined();
  }

  private static void markSparkOnly(LogicalPlan node) {
    node.setTagValue(SPARK_ONLY, Boolean.TRUE);
    for (LogicalPlan child : CollectionConverters.asJava(node.children())) {
      markSparkOnly(child);
    }
  }

  /**
   * Spark's physical plan, ready to run: prepared as Spark prepares a subquery's, without adaptive
   * execution (DuckDB reads take no plan that joins or aggregates, so it has at most a final sort's
   * exchange).
   */
  public synchronized SparkPlan plan() {
    if (prepared == null) {
      if (plan == null) {
        throw new IllegalStateException("Cannot plan a query in Spark outside its driver");
      }
      org.apache.spark.sql.classic.SparkSession classic =
          (org.apache.spark.sql.classic.SparkSession) session;
      prepared =
          QueryExecution$.MODULE$.prepareExecutedPlan(
              classic,
              QueryExecution$.MODULE$.createSparkPlan(classic.sessionState().planner(), plan));
    }
    return prepared;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SparkFallback that && that.plan == plan;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(plan);
  }
}

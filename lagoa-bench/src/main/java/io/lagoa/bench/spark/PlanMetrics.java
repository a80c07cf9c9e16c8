package io.lagoa.bench.spark;

import io.lagoa.bench.QueryMetrics;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Adds up the SQL metrics of an executed plan: what the scans read (Iceberg's result data files and
 * their total size, or Spark's file scan's numFiles and filesSize, or the files a part run in
 * DuckDB was given) and what exchanges wrote to shuffle files. Walks into adaptive plans (their
 * final plan), query stages and subqueries; a reused exchange is not counted twice since it ran
 * once.
 */
final class PlanMetrics {
  private long filesRead;
  private long filesSkipped;
  private long bytesRead;
  private long rowsScanned;
  private long shuffleBytes;
  private final Set<SparkPlan> seen = Collections.newSetFromMap(new IdentityHashMap<>());

  private PlanMetrics() {}

  static QueryMetrics of(SparkPlan plan, long rowsOut) {
    PlanMetrics metrics = new PlanMetrics();
    metrics.walk(plan);
    return new QueryMetrics(
        metrics.filesRead,
        metrics.filesSkipped,
        metrics.bytesRead,
        metrics.rowsScanned,
        metrics.shuffleBytes,
        rowsOut);
  }

  private void walk(SparkPlan plan) {
    if (!seen.add(plan)) {
      return;
    }
    Map<String, SQLMetric> metrics = CollectionConverters.asJava(plan.metrics());
    String node = plan.nodeName();
    if (metrics.containsKey("resultDataFiles")) {
      // Iceberg's scan (BatchScanExec with Iceberg's custom metrics)
      filesRead += value(metrics, "resultDataFiles");
      filesSkipped += value(metrics, "skippedDataFiles");
      bytesRead += value(metrics, "totalDataFileSize");
      rowsScanned += rows(metrics);
    } else if (metrics.containsKey("numFiles") && metrics.containsKey("filesSize")) {
      // Spark's own file scan (FileSourceScanExec)
      filesRead += value(metrics, "numFiles");
      bytesRead += value(metrics, "filesSize");
      rowsScanned += rows(metrics);
    } else if (node.equals("DuckDbQuery")) {
      // a part run in DuckDB: the files it was given, and the rows in them (DuckDB reports no
      // scan counts of its own; row groups its statistics rule out are counted all the same)
      filesRead += value(metrics, "filesRead");
      bytesRead += value(metrics, "bytesRead");
      rowsScanned += value(metrics, "rowsInFiles");
    } else if (node.contains("Scan")) {
      rowsScanned += rows(metrics);
    }
    shuffleBytes += value(metrics, "shuffleBytesWritten");

    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      walk(adaptive.executedPlan());
    }
    if (plan instanceof QueryStageExec stage) {
      walk(stage.plan());
    }
    for (SparkPlan child : CollectionConverters.asJava(plan.children())) {
      walk(child);
    }
    for (SparkPlan subquery : CollectionConverters.asJava(plan.subqueries())) {
      walk(subquery);
    }
  }

  /**
   * Rows a scan returned: Spark's scans count them in {@code numOutputRows}, the accelerator's
   * native scans (Comet) in {@code output_rows}; a node has one or the other.
   */
  private static long rows(Map<String, SQLMetric> metrics) {
    return value(metrics, "numOutputRows") + value(metrics, "output_rows");
  }

  private static long value(Map<String, SQLMetric> metrics, String name) {
    SQLMetric metric = metrics.get(name);
    // An unset size or timing metric holds -1 until a task reports.
    return metric == null ? 0 : Math.max(0, metric.value());
  }
}

package io.lagoa.spark.planning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.spark.SparkSQLProperties;
import org.apache.iceberg.spark.source.SparkTable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.Complete$;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Answers {@code COUNT(*)} of a whole Iceberg table from its snapshot's summary ({@code
 * total-records}) while optimizing: the plan becomes one row of {@code VALUES}, with no job.
 *
 * <p>Iceberg's own answer from metadata (aggregate push-down) gives the same number but plans every
 * data file of the snapshot to add up their row counts, reading every manifest with its column
 * statistics: the largest part of planning such a query. The summary holds the total already, kept
 * by every commit. It is used only where it is the table's row count: no filter, no {@code GROUP
 * BY}, only {@code COUNT(*)} (or {@code COUNT} of a literal), a table with no delete files, a
 * summary that has its totals, no read options, and Iceberg's push-down not turned off ({@link
 * SparkSQLProperties#AGGREGATE_PUSH_DOWN_ENABLED}). Everything else goes on to Iceberg's push-down
 * and Spark as before.
 */
public final class CountFromSnapshot extends Rule<LogicalPlan> {
  private final SparkSession session;

  public CountFromSnapshot(SparkSession session) {
    this.session = session;
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    // Iceberg's switch for answers from metadata: off, this rule is off too
    boolean pushDown =
        Boolean.parseBoolean(
            session
                .conf()
                .get(
                    SparkSQLProperties.AGGREGATE_PUSH_DOWN_ENABLED,
                    Boolean.toString(SparkSQLProperties.AGGREGATE_PUSH_DOWN_ENABLED_DEFAULT)));
    if (plan.isStreaming() || !pushDown) {
      return plan;
    }
    return Aggregates.rewrite(plan, CountFromSnapshot::answer);
  }

  /** The aggregate as one row of counts, or null when it is not a whole table's count. */
  private static LogicalPlan answer(Aggregate aggregate) {
    if (!aggregate.groupingExpressions().isEmpty()) {
      return null;
    }
    List<NamedExpression> outputs = CollectionConverters.asJava(aggregate.aggregateExpressions());
    if (outputs.isEmpty() || !outputs.stream().allMatch(CountFromSnapshot::countsRows)) {
      return null;
    }
    OptionalLong rows = rows(aggregate.child());
    if (rows.isEmpty()) {
      return null;
    }
    Object[] values = new Object[outputs.size()];
    Arrays.fill(values, rows.getAsLong());
    List<Attribute> output = new ArrayList<>();
    for (NamedExpression named : outputs) {
      output.add(named.toAttribute());
    }
    return new LocalRelation(
        CollectionConverters.asScala(output).toSeq(),
        CollectionConverters.asScala(List.<InternalRow>of(new GenericInternalRow(values))).toSeq(),
        false,
        Option.empty());
  }

  /** {@code COUNT(*) AS name}: Spark's count of a non-null literal, nothing around it. */
  private static boolean countsRows(NamedExpression named) {
    if (!(named instanceof Alias alias)
        || !(alias.child() instanceof AggregateExpression aggregate)
        || aggregate.isDistinct()
        || aggregate.filter().isDefined()
        || aggregate.mode() != Complete$.MODULE$
        || !(aggregate.aggregateFunction() instanceof Count count)) {
      return false;
    }
    return Aggregates.countsEveryRow(count);
  }

  /** The row count of the Iceberg table the plan reads whole, from its snapshot's summary. */
  static OptionalLong rows(LogicalPlan plan) {
    LogicalPlan read = plan;
    while (read instanceof Project project) { // a projection keeps every row
      read = project.child();
    }
    if (!(read instanceof DataSourceV2Relation relation)
        || !(relation.table() instanceof SparkTable table)
        || !(table.table() instanceof BaseTable)
        || !relation.options().isEmpty()
        || table.branch() != null) {
      return OptionalLong.empty();
    }
    Snapshot snapshot =
        table.snapshotId() != null
            ? table.table().snapshot(table.snapshotId())
            : table.table().currentSnapshot();
    if (snapshot == null) {
      return table.snapshotId() == null ? OptionalLong.of(0) : OptionalLong.empty();
    }
    Map<String, String> summary = snapshot.summary();
    if (summary == null) {
      return OptionalLong.empty();
    }
    String records = summary.get(SnapshotSummary.TOTAL_RECORDS_PROP);
    String deleteFiles = summary.get(SnapshotSummary.TOTAL_DELETE_FILES_PROP);
    if (records == null || !"0".equals(deleteFiles)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(records));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}

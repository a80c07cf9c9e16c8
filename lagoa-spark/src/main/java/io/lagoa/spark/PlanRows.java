package io.lagoa.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.LocalTableScanExec;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SQLExecution;
import org.apache.spark.sql.execution.SQLExecution$;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import scala.Function1;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A query's rows as the plain Java values {@link io.lagoa.result.QueryResult} holds, fetched as
 * Spark's own {@code collect} fetches them (one SQL execution, which listeners, the UI and job tags
 * see; the executed plan's {@code executeCollect}) but converted from Spark's internal rows without
 * its {@code Row} encoder. Resolving that encoder against the plan (an analyzer run) and generating
 * its deserializer took more than half the Java time of a one-row query in a JVM still warming up,
 * every query anew (docs/benchmarks.md). Spark's interpreted converters give the same values (with
 * {@code spark.sql.datetime.java8API.enabled}: {@code LocalDate}, {@code Instant}, {@code
 * LocalDateTime}; {@code BigDecimal}, {@code String}, {@code byte[]}). Columns of any other type
 * (intervals, variants, user-defined types...) go through Spark's encoder as before.
 */
public final class PlanRows {
  private PlanRows() {}

  /** Every row of the frame; {@code action} names the execution as Spark's actions do. */
  public static List<List<Object>> collect(Dataset<Row> frame, String action) {
    StructType schema = frame.schema();
    if (!converted(schema)) {
      return values(frame.collectAsList(), schema);
    }
    QueryExecution execution = frame.queryExecution();
    return frame
        .sparkSession()
        .withActive(
            () -> {
              InternalRow[] rows =
                  SQLExecution$.MODULE$.withNewExecutionId(
                      execution,
                      Option.apply(action),
                      () -> {
                        SparkPlan plan = execution.executedPlan();
                        plan.resetMetrics();
                        if (plan instanceof LocalTableScanExec local) {
                          return held(local);
                        }
                        return (InternalRow[]) plan.executeCollect();
                      });
              // made here: the converters read the session's java8API setting
              Function1<Object, Object> toRow =
                  CatalystTypeConverters.createToScalaConverter(schema);
              List<Row> converted = new ArrayList<>(rows.length);
              for (InternalRow row : rows) {
                converted.add((Row) toRow.apply(row));
              }
              return values(converted, schema);
            });
  }

  /**
   * The rows a plan already holds (constants, a count answered from metadata) as they are, where
   * {@code executeCollect} would generate a projection to copy them first; its row count reported
   * as Spark reports it.
   */
  private static InternalRow[] held(LocalTableScanExec local) {
    InternalRow[] rows = CollectionConverters.asJava(local.rows()).toArray(new InternalRow[0]);
    SQLMetric count = local.longMetric("numOutputRows");
    count.add(rows.length);
    SparkContext context = local.session().sparkContext();
    SQLMetrics.postDriverMetricUpdates(
        context,
        context.getLocalProperty(SQLExecution.EXECUTION_ID_KEY()),
        CollectionConverters.asScala(List.of(count)).toList());
    return rows;
  }

  /** At most {@code limit} rows, as {@code Dataset.takeAsList} (a LIMIT planned with the query). */
  public static List<List<Object>> take(Dataset<Row> frame, int limit) {
    return collect(frame.limit(limit), "head");
  }

  private static List<List<Object>> values(List<Row> rows, StructType schema) {
    StructField[] fields = schema.fields();
    List<List<Object>> values = new ArrayList<>(rows.size());
    for (Row row : rows) {
      List<Object> value = new ArrayList<>(fields.length);
      for (int i = 0; i < fields.length; i++) {
        value.add(SparkValues.toJava(row.get(i), fields[i].dataType()));
      }
      values.add(value);
    }
    return values;
  }

  /** Whether Spark's interpreted converters turn every column into what its encoder would. */
  static boolean converted(DataType type) {
    if (type instanceof StructType struct) {
      return Arrays.stream(struct.fields()).allMatch(field -> converted(field.dataType()));
    }
    if (type instanceof ArrayType array) {
      return converted(array.elementType());
    }
    if (type instanceof MapType map) {
      return converted(map.keyType()) && converted(map.valueType());
    }
    return type instanceof BooleanType
        || type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType
        || type instanceof FloatType
        || type instanceof DoubleType
        || type instanceof DecimalType
        || type instanceof StringType
        || type instanceof BinaryType
        || type instanceof DateType
        || type instanceof TimestampType
        || type instanceof TimestampNTZType
        || type instanceof NullType;
  }
}

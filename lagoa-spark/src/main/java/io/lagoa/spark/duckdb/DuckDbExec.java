package io.lagoa.spark.duckdb;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.BooleanType$;
import org.apache.spark.sql.types.ByteType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType$;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType$;
import org.apache.spark.sql.types.IntegerType$;
import org.apache.spark.sql.types.LongType$;
import org.apache.spark.sql.types.ShortType$;
import org.apache.spark.sql.types.TimestampNTZType$;
import org.apache.spark.sql.types.TimestampType$;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Runs a {@link DuckDbTranslation.Query} in an in-process DuckDB, on the driver, when the plan is
 * executed (never while planning: {@code EXPLAIN} runs nothing). Collecting the result runs no
 * Spark job; a parent operator gets the rows as an RDD of one partition.
 *
 * <p>A query whose rows the plan does not bound has a {@link SparkFallback}: collected to the
 * driver, its rows are DuckDB's as long as they fit Spark's limit on a collected result ({@code
 * spark.driver.maxResultSize}); handed to Spark's operators (an RDD), Spark's own plan runs the
 * query, in its partitions.
 */
public final class DuckDbExec extends SparkPlan {
  /** What a read with a fallback gives Spark's operators (an RDD of the plan): Spark's plan. */
  private static final String FOR_SPARK_OPERATORS = "into Spark's operators by Spark's plan";

  private final Seq<Attribute> output;
  private final DuckDbTranslation.Query query;
  private final DuckDbDatabase.Settings settings;
  private final transient DuckDbInstance duckDb;
  private final SparkFallback fallback; // null: DuckDB's answer is the query's, however many rows
  private transient Map<String, SQLMetric> metrics;

  public DuckDbExec(
      Seq<Attribute> output,
      DuckDbTranslation.Query query,
      DuckDbInstance duckDb,
      DuckDbDatabase.Settings settings) {
    this(output, query, duckDb, settings, null);
  }

  /**
   * @param fallback Spark's plan, run when DuckDB finds more rows than its limit for a parent
   *     operator
   */
  public DuckDbExec(
      Seq<Attribute> output,
      DuckDbTranslation.Query query,
      DuckDbInstance duckDb,
      DuckDbDatabase.Settings settings,
      SparkFallback fallback) {
    this.output = output;
    this.query = query;
    this.duckDb = duckDb;
    this.settings = settings;
    this.fallback = fallback;
  }

  public DuckDbTranslation.Query query() {
    return query;
  }

  @Override
  public Seq<Attribute> output() {
    return output;
  }

  @Override
  public Seq<SparkPlan> children() {
    return CollectionConverters.asScala(List.<SparkPlan>of()).toSeq();
  }

  @Override
  public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> children) {
    return this;
  }

  @Override
  public String nodeName() {
    return "DuckDbQuery";
  }

  @Override
  public String simpleString(int maxFields) {
    return nodeName()
        + " "
        + reads()
        + " "
        + outputList()
        + (fallback == null ? "" : " (" + FOR_SPARK_OPERATORS + ")");
  }

  /** EXPLAIN FORMATTED's details: what it reads and returns, not the SQL's list of files. */
  @Override
  public String verboseStringWithOperatorId() {
    return formattedNodeName()
        + "\nReads: "
        + reads()
        + "\nOutput "
        + outputList()
        + (fallback == null ? "" : "\nRows: " + FOR_SPARK_OPERATORS)
        + "\n";
  }

  /** The tables and how many data files: {@code lagoa.s.t (3 files)}. */
  private String reads() {
    return String.join(", ", query.tables())
        + " ("
        + query.files()
        + (query.files() == 1 ? " file" : " files")
        + ")";
  }

  private List<String> outputList() {
    return CollectionConverters.asJava(output).stream().map(Attribute::toString).toList();
  }

  @Override
  public synchronized Map<String, SQLMetric> metrics() {
    if (metrics == null) {
      java.util.Map<String, SQLMetric> made = new java.util.LinkedHashMap<>();
      made.put("numOutputRows", SQLMetrics.createMetric(sparkContext(), "number of output rows"));
      made.put("filesRead", SQLMetrics.createMetric(sparkContext(), "data files read"));
      made.put(
          "bytesRead", SQLMetrics.createSizeMetric(sparkContext(), "size of data files read", -1L));
      made.put("rowsInFiles", SQLMetrics.createMetric(sparkContext(), "rows in data files read"));
      made.put("duckDbTime", SQLMetrics.createTimingMetric(sparkContext(), "time in DuckDB", -1L));
      made.put(
          "sparkRuns",
          SQLMetrics.createMetric(sparkContext(), "runs handed to Spark (too many rows)"));
      metrics = scala.collection.immutable.Map.from(CollectionConverters.asScala(made));
    }
    return metrics;
  }

  @Override
  public RDD<InternalRow> doExecute() {
    if (fallback != null) {
      // Rows that go on to Spark's operators and may be many: Spark's plan, in its partitions. A
      // probe of maxRows + 1 rows in DuckDB first cost a second scan where the matches just pass
      // the limit spread over every file (2x Spark's time, docs/benchmarks.md, session 21).
      return spark().execute();
    }
    InternalRow[] rows = read(query, Long.MAX_VALUE);
    return sparkContext()
        .parallelize(
            CollectionConverters.asScala(Arrays.asList(answer(rows))).toSeq(),
            1,
            ClassTag$.MODULE$.apply(InternalRow.class));
  }

  /**
   * The rows, to the driver: all of DuckDB's, as Spark's collect would bring them; with a fallback,
   * Spark's when they pass {@code spark.driver.maxResultSize}, so its error says so.
   */
  @Override
  public InternalRow[] executeCollect() {
    InternalRow[] rows = collected();
    return rows == null ? spark().executeCollect() : answer(rows);
  }

  @Override
  public InternalRow[] executeTake(int n) {
    return answer(read(query.limitedTo(n), Long.MAX_VALUE));
  }

  @Override
  public InternalRow[] executeTail(int n) {
    InternalRow[] rows = collected();
    if (rows == null) {
      return spark().executeTail(n);
    }
    return answer(Arrays.copyOfRange(rows, Math.max(0, rows.length - n), rows.length));
  }

  /**
   * All of DuckDB's rows, for the driver; with a fallback, null past {@code
   * spark.driver.maxResultSize}.
   */
  private InternalRow[] collected() {
    if (fallback == null) {
      return read(query, Long.MAX_VALUE);
    }
    long bytes = sparkContext().getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
    return read(query, bytes <= 0 ? Long.MAX_VALUE : bytes);
  }

  /** Rows DuckDB answers with, counted. */
  private InternalRow[] answer(InternalRow[] rows) {
    metrics().apply("numOutputRows").add(rows.length);
    return rows;
  }

  /** Spark's plan, run instead of DuckDB's answer. */
  private SparkPlan spark() {
    metrics().apply("sparkRuns").add(1);
    return fallback.plan();
  }

  /**
   * Runs {@code read} in DuckDB.
   *
   * @param budget the most bytes of rows to keep
   * @return its rows, or null when they pass the budget
   */
  private InternalRow[] read(DuckDbTranslation.Query read, long budget) {
    long started = System.nanoTime();
    List<Attribute> attributes = CollectionConverters.asJava(output);
    DataType[] types = new DataType[attributes.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = attributes.get(i).dataType();
    }
    UnsafeProjection toUnsafe = UnsafeProjection.create(types);
    List<InternalRow> rows = new ArrayList<>();
    long bytes = 0;
    try (Connection connection = duckDb.connect(settings, sparkContext());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(read.sql())) {
      while (rs.next()) {
        Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
          values[i] = value(rs, i + 1, types[i]);
        }
        UnsafeRow row = toUnsafe.apply(new GenericInternalRow(values)).copy();
        bytes += row.getSizeInBytes();
        if (bytes > budget) {
          rows = null;
          break;
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      throw new LagoaException(
          ErrorCode.SQL_ERROR,
          "DuckDB could not run the query over "
              + String.join(", ", query.tables())
              + ": "
              + LagoaException.rootMessage(e)
              + " (set spark.sql.lagoa.duckdb.enabled=false to run it in Spark alone)",
          e);
    }
    metrics().apply("filesRead").add(query.files());
    metrics().apply("bytesRead").add(query.bytes());
    metrics().apply("rowsInFiles").add(query.rows());
    metrics().apply("duckDbTime").add((System.nanoTime() - started) / 1_000_000);
    return rows == null ? null : rows.toArray(new InternalRow[0]);
  }

  /** One value in Spark's internal form; the query cast every column to its Spark type. */
  private static Object value(ResultSet rs, int column, DataType type) throws SQLException {
    Object value;
    if (type == BooleanType$.MODULE$) {
      value = rs.getBoolean(column);
    } else if (type == ByteType$.MODULE$) {
      value = rs.getByte(column);
    } else if (type == ShortType$.MODULE$) {
      value = rs.getShort(column);
    } else if (type == IntegerType$.MODULE$) {
      value = rs.getInt(column);
    } else if (type == LongType$.MODULE$) {
      value = rs.getLong(column);
    } else if (type == DoubleType$.MODULE$) {
      value = rs.getDouble(column);
    } else if (type instanceof DecimalType decimal) {
      BigDecimal big = rs.getBigDecimal(column);
      return big == null ? null : Decimal.apply(big, decimal.precision(), decimal.scale());
    } else if (type == DateType$.MODULE$) {
      LocalDate date = rs.getObject(column, LocalDate.class);
      return date == null ? null : (int) date.toEpochDay();
    } else if (type == TimestampType$.MODULE$) {
      OffsetDateTime instant = rs.getObject(column, OffsetDateTime.class);
      return instant == null ? null : DateTimeUtils.instantToMicros(instant.toInstant());
    } else if (type == TimestampNTZType$.MODULE$) {
      LocalDateTime local = rs.getObject(column, LocalDateTime.class);
      return local == null ? null : DateTimeUtils.localDateTimeToMicros(local);
    } else {
      String text = rs.getString(column);
      return text == null ? null : UTF8String.fromString(text);
    }
    return rs.wasNull() ? null : value;
  }

  @Override
  public int productArity() {
    return 5;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> output;
      case 1 -> query;
      case 2 -> duckDb;
      case 3 -> settings;
      case 4 -> fallback;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object that) {
    return that instanceof DuckDbExec;
  }

  @Override
  public boolean equals(Object that) {
    return that instanceof DuckDbExec other
        && other.output.equals(output)
        && other.query.equals(query)
        && other.duckDb == duckDb
        && other.settings.equals(settings)
        && java.util.Objects.equals(other.fallback, fallback);
  }

  @Override
  public int hashCode() {
    return query.hashCode();
  }
}

package io.lagoa.spark;

import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.spark.QueryContext;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Runs Spark SQL statements and returns their rows as plain Java values. */
public final class SparkSql {
  private final SparkSession spark;
  private JobProgress progress;

  /** Statements on a session; {@link #progress()} then attaches a tracker on first use. */
  public SparkSql(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * Statements on a session whose task progress the caller tracks (and detaches when done), as
   * {@code Lakehouse} does for the session it starts.
   */
  public SparkSql(SparkSession spark, JobProgress progress) {
    this.spark = spark;
    this.progress = progress;
  }

  public SparkSession session() {
    return spark;
  }

  /** Task progress of whatever this session's Spark is running, for progress bars. */
  public synchronized JobProgress progress() {
    if (progress == null) {
      progress = JobProgress.attach(spark.sparkContext());
    }
    return progress;
  }

  /**
   * Runs one statement. At most {@code maxRows} rows are fetched; {@link QueryResult#truncated()}
   * tells whether there were more.
   */
  public QueryResult execute(String sql, int maxRows) {
    try {
      return collect(spark.sql(sql), maxRows);
    } catch (Exception e) {
      // AnalysisException is a checked exception in Java's eyes, though Spark never declares it.
      throw translate(sql, e);
    }
  }

  /**
   * Runs one statement like {@link #execute(String, int)}, tagging its Spark jobs so that {@link
   * #cancel(String)} can stop exactly this statement from another thread (Ctrl-C in the shell).
   *
   * @param cancelTag unique per statement; no commas
   */
  public QueryResult execute(String sql, int maxRows, String cancelTag) {
    SparkContext context = spark.sparkContext();
    context.addJobTag(cancelTag);
    try {
      return execute(sql, maxRows);
    } finally {
      context.removeJobTag(cancelTag);
    }
  }

  /**
   * Cancels the Spark jobs of the statement running with this tag; the statement then fails. Jobs
   * of other statements and sessions keep running. Safe to call from any thread, and after the
   * statement ended (then it does nothing).
   */
  public void cancel(String cancelTag) {
    spark.sparkContext().cancelJobsWithTag(cancelTag);
  }

  /**
   * Fetches at most {@code maxRows} rows of a frame as plain Java values; {@link
   * QueryResult#truncated()} tells whether there were more. Spark errors are not translated.
   */
  public static QueryResult collect(Dataset<Row> frame, int maxRows) {
    StructType schema = frame.schema();
    if (schema.isEmpty()) {
      return QueryResult.empty();
    }
    List<ResultColumn> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(new ResultColumn(field.name(), field.dataType().simpleString()));
    }
    List<List<Object>> fetched =
        maxRows == Integer.MAX_VALUE
            ? PlanRows.collect(frame, "collect")
            : PlanRows.take(frame, maxRows + 1);
    boolean truncated = fetched.size() > maxRows;
    List<List<Object>> rows = truncated ? fetched.subList(0, maxRows) : fetched;
    return new QueryResult(columns, rows, truncated);
  }

  /**
   * The plan Spark would run for a statement, without running it (a query, or the query inside an
   * INSERT, MERGE, CREATE TABLE AS...), with the operators the accelerator would run natively.
   */
  public PlanExplanation explain(String sql) {
    String explain = "EXPLAIN FORMATTED " + sql;
    try {
      // parsed and analyzed alone first (never run), so a syntax error's line and column are in
      // the statement as written, and an unknown table or column is an error, not a plan whose
      // text Spark's EXPLAIN replaces with "Error occurred during query planning"
      LogicalPlan parsed = spark.sessionState().sqlParser().parsePlan(sql);
      spark.sessionState().executePlan(parsed, CommandExecutionMode.SKIP()).assertAnalyzed();
      List<Row> rows = spark.sql(explain).collectAsList();
      return PlanExplanation.of(rows.isEmpty() ? "" : rows.get(0).getString(0));
    } catch (Exception e) {
      throw translate(sql, e);
    }
  }

  /** Runs a statement for its effect, ignoring any rows. */
  public void run(String sql) {
    execute(sql, 0);
  }

  /** Turns whatever Spark threw into a {@link SqlException} with Spark's message and position. */
  public static SqlException translate(String sql, Throwable error) {
    if (error instanceof SqlException sqlException) {
      return sqlException;
    }
    Throwable cause = error;
    SparkThrowable best = null;
    Throwable bestError = error;
    while (cause != null) {
      if (cause instanceof SparkThrowable sparkThrowable && sparkThrowable.getCondition() != null) {
        best = sparkThrowable;
        bestError = cause;
      }
      if (cause.getCause() == cause) {
        break;
      }
      cause = cause.getCause();
    }
    if (bestError instanceof ParseException parse) {
      return new SqlException(
          parse.getMessage().strip(), toInt(parse.line()), toInt(parse.startPosition()), error);
    }
    if (bestError instanceof AnalysisException analysis) {
      OptionalInt line = toInt(analysis.line());
      OptionalInt column = toInt(analysis.startPosition());
      if (line.isEmpty()) {
        OptionalInt[] position = fromContext(sql, analysis);
        line = position[0];
        column = position[1];
      }
      return new SqlException(analysis.getSimpleMessage().strip(), line, column, error);
    }
    if (best != null) {
      OptionalInt[] position = fromContext(sql, best);
      return new SqlException(bestError.getMessage().strip(), position[0], position[1], error);
    }
    return new SqlException(
        LagoaException.rootMessage(error), OptionalInt.empty(), OptionalInt.empty(), error);
  }

  private static OptionalInt[] fromContext(String sql, SparkThrowable error) {
    QueryContext[] contexts = error.getQueryContext();
    if (contexts == null || contexts.length == 0 || sql == null) {
      return new OptionalInt[] {OptionalInt.empty(), OptionalInt.empty()};
    }
    int start = contexts[0].startIndex();
    if (start < 0 || start > sql.length()) {
      return new OptionalInt[] {OptionalInt.empty(), OptionalInt.empty()};
    }
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < start; i++) {
      if (sql.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new OptionalInt[] {OptionalInt.of(line), OptionalInt.of(start - lineStart)};
  }

  private static OptionalInt toInt(scala.Option<Object> value) {
    return value.isDefined() ? OptionalInt.of((Integer) value.get()) : OptionalInt.empty();
  }
}

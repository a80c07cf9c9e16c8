package io.lagoa.spark.duckdb;

import io.lagoa.error.LagoaException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.source.IcebergScans;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Alias$;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Ascending$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.BinaryArithmetic;
import org.apache.spark.sql.catalyst.expressions.BinaryComparison;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Coalesce;
import org.apache.spark.sql.catalyst.expressions.Contains;
import org.apache.spark.sql.catalyst.expressions.DateAdd;
import org.apache.spark.sql.catalyst.expressions.DateDiff;
import org.apache.spark.sql.catalyst.expressions.DateSub;
import org.apache.spark.sql.catalyst.expressions.DayOfMonth;
import org.apache.spark.sql.catalyst.expressions.DayOfWeek;
import org.apache.spark.sql.catalyst.expressions.DayOfYear;
import org.apache.spark.sql.catalyst.expressions.EndsWith;
import org.apache.spark.sql.catalyst.expressions.EqualNullSafe;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.EvalMode$;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Hour;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.InSet;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LastDay;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Like;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.MakeDecimal;
import org.apache.spark.sql.catalyst.expressions.Minute;
import org.apache.spark.sql.catalyst.expressions.Month;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.NullsFirst$;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.Quarter;
import org.apache.spark.sql.catalyst.expressions.ScalarSubquery;
import org.apache.spark.sql.catalyst.expressions.Second;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.StartsWith;
import org.apache.spark.sql.catalyst.expressions.Substring;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.TruncDate;
import org.apache.spark.sql.catalyst.expressions.TruncTimestamp;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.UnscaledValue;
import org.apache.spark.sql.catalyst.expressions.WeekDay;
import org.apache.spark.sql.catalyst.expressions.WeekOfYear;
import org.apache.spark.sql.catalyst.expressions.Year;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateFunction;
import org.apache.spark.sql.catalyst.expressions.aggregate.Average;
import org.apache.spark.sql.catalyst.expressions.aggregate.Complete$;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.expressions.aggregate.Max;
import org.apache.spark.sql.catalyst.expressions.aggregate.Min;
import org.apache.spark.sql.catalyst.expressions.aggregate.Sum;
import org.apache.spark.sql.catalyst.plans.FullOuter$;
import org.apache.spark.sql.catalyst.plans.Inner$;
import org.apache.spark.sql.catalyst.plans.JoinType;
import org.apache.spark.sql.catalyst.plans.LeftAnti$;
import org.apache.spark.sql.catalyst.plans.LeftOuter$;
import org.apache.spark.sql.catalyst.plans.LeftSemi$;
import org.apache.spark.sql.catalyst.plans.RightOuter$;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import org.apache.spark.sql.types.BooleanType$;
import org.apache.spark.sql.types.ByteType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
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
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A Spark logical plan (optimized, scans planned by Iceberg) as one DuckDB query over the Parquet
 * files of its Iceberg scans, when every operator and expression in it has a DuckDB form that gives
 * exactly Spark's answer: the same values, the same types, an error where Spark raises one.
 *
 * <p>What qualifies: scans of local Iceberg tables DuckDB reads as Iceberg does ({@link
 * ParquetTable}); filters, projections, aggregations ({@code COUNT}, {@code SUM}, {@code MIN},
 * {@code MAX}, also {@code DISTINCT} and {@code FILTER}), inner, outer, semi and anti joins, and a
 * final sort and limit; columns of boolean, integer, decimal, string (Spark's binary collation),
 * date and timestamp types (timestamps as the instants they are: compared, grouped, sorted, their
 * minimum and maximum; their dates, hours, minutes, seconds and {@code date_trunc} where Spark's
 * time zone keeps one offset, dates, hours, minutes and seconds of a table's column in any zone
 * ({@link ZoneOffsets}), and always for TIMESTAMP_NTZ); comparisons, boolean logic, {@code IN},
 * {@code CASE}, {@code LIKE} without escapes, prefix/suffix/contains, {@code year}/{@code
 * month}/{@code day}, {@code substring} from a positive position, and decimal {@code +}/{@code
 * -}/{@code *} whose exact result fits Spark's result type (no rounding). An aggregation's results
 * that do not translate (a ratio of sums, a decimal average) are computed by Spark from the
 * aggregates DuckDB read ({@link #translateAggregates}). Anything else (floating point, wall-clock
 * times turned back into instants in a zone with daylight saving, other averages, division,
 * windows, legacy or try arithmetic, correlated subqueries) is not translated and Spark plans it as
 * before; uncorrelated scalar subqueries are translated with the query.
 *
 * <p>Every column is named {@code c<expression id>} inside the query, so names never clash and each
 * Spark attribute maps to exactly one DuckDB column.
 */
public final class DuckDbTranslation {
  /** Why a plan was not translated; never shown to users as an error. */
  public static final class NotTranslatable extends Exception {
    NotTranslatable(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * A translated plan.
   *
   * @param select the DuckDB query but its final {@code LIMIT}; its columns are {@code output} in
   *     order
   * @param limit the most rows its final {@code LIMIT} lets through; {@link #NO_LIMIT} for none
   * @param output the plan's attributes
   * @param tables the Iceberg tables it reads, by name
   * @param files the data files it reads (a table read twice counts twice)
   * @param bytes their total size
   * @param rows the rows in them (DuckDB may skip row groups by their statistics)
   * @param shape what the plan does
   */
  public record Query(
      String select,
      long limit,
      List<Attribute> output,
      List<String> tables,
      int files,
      long bytes,
      long rows,
      Shape shape)
      implements Serializable {
    /** The limit of a query without a final {@code LIMIT}. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    public Query {
      if (limit < 0) {
        throw new IllegalArgumentException("Cannot limit a query to " + limit + " rows");
      }
      output = List.copyOf(output);
      tables = List.copyOf(tables);
    }

    /** The DuckDB query. */
    public String sql() {
      return sql(select, limit);
    }

    /** A query's SQL from its SELECT and its final limit. */
    private static String sql(String select, long limit) {
      return limit == NO_LIMIT ? select : select + " LIMIT " + limit;
    }

    /** The same query returning at most {@code most} rows: the first of them, if it sorts. */
    public Query limitedTo(long most) {
      return new Query(select, Math.min(limit, most), output, tables, files, bytes, rows, shape);
    }

    /**
     * The most rows it can return, as far as its plan tells: its final limit, and without
     * aggregation or join no more than the rows in the files it reads; {@link #NO_LIMIT} where the
     * plan does not tell.
     */
    public long mostRows() {
      return shape.aggregates() || shape.joins() ? limit : Math.min(limit, rows);
    }
  }

  /**
   * What a translated plan does.
   *
   * @param aggregates whether its rows come from an aggregation (somewhere in its own plan; not an
   *     aggregate in a scalar subquery, which is one value)
   * @param joins whether it joins, anywhere (a subquery too)
   * @param filters whether it filters rows, anywhere (a subquery too)
   */
  public record Shape(boolean aggregates, boolean joins, boolean filters) implements Serializable {}

  /** A sub-query: its SQL and whether it aggregates somewhere inside. */
  private record Part(String sql, boolean aggregates) {}

  /** The query's top: its SQL but the final {@code LIMIT}, and that limit. */
  private record Top(String select, long limit, boolean aggregates) {
    String sql() {
      return Query.sql(select, limit);
    }
  }

  private final Set<String> tables = new LinkedHashSet<>();

  /**
   * The scans' TIMESTAMP and integer columns, for their range of values: where a zone's offset
   * changes, for an integer average.
   */
  private final Map<ExprId, ScannedColumn> scannedColumns = new HashMap<>();

  /** Their ranges of values, found at most once a query. */
  private final Map<ExprId, Optional<ColumnRange>> columnRanges = new HashMap<>();

  /** The rows in the data files of each scan translated (the plan's own nodes). */
  private final Map<LogicalPlan, Long> scanRows = new IdentityHashMap<>();

  /** While translating an aggregation's expressions: its input. */
  private LogicalPlan aggregated;

  private record ScannedColumn(IcebergScans.PlannedScan scan, String name) {}

  private boolean joins;
  private boolean filters;
  private int files;
  private long bytes;
  private long rows;
  private int aliases;
  private int groupKeys;

  /** While translating an aggregation's results: its computed grouping keys and their columns. */
  private List<Map.Entry<Expression, String>> grouping = List.of();

  /** A part of the translation that may find something it cannot translate. */
  private interface Step<T> {
    T run() throws NotTranslatable;
  }

  /**
   * Runs {@code step} with {@code keys} as the grouping keys in scope: an aggregation's own for its
   * results, none for an aggregate's arguments or a subquery (they are over their own rows).
   */
  private <T> T within(List<Map.Entry<Expression, String>> keys, Step<T> step)
      throws NotTranslatable {
    List<Map.Entry<Expression, String>> outer = grouping;
    grouping = keys;
    try {
      return step.run();
    } finally {
      grouping = outer;
    }
  }

  /** Whether tables with position delete files are read (an anti join on their rows). */
  private final boolean deleteFiles;

  private DuckDbTranslation(boolean deleteFiles) {
    this.deleteFiles = deleteFiles;
  }

  /**
   * The plan as one DuckDB query, or why not. Whether DuckDB should run it is the caller's choice:
   * a query that may return many rows is faster read by Spark's own (native) scan than passed row
   * by row through JDBC ({@link Query#shape()}, {@link Query#mostRows()}).
   *
   * @param deleteFiles whether to read tables with merge-on-read position delete files
   */
  public static Query translate(LogicalPlan plan, boolean deleteFiles) throws NotTranslatable {
    if (plan.isStreaming()) {
      throw new NotTranslatable("a streaming plan");
    }
    DuckDbTranslation translation = new DuckDbTranslation(deleteFiles);
    Top top = translation.root(plan);
    List<Attribute> output = CollectionConverters.asJava(plan.output());
    for (Attribute attribute : output) {
      checkType(attribute.dataType(), attribute);
    }
    return translation.query(top.select(), top.limit(), top.aggregates(), output);
  }

  /**
   * The aggregates of an aggregation, read by DuckDB, and how Spark makes each aggregate's result
   * from the query's columns.
   *
   * @param query its output is the grouping attributes, then each aggregate's columns
   * @param results the grouping attributes, then each aggregate's result attribute as {@code
   *     PhysicalAggregation} names it: the column itself, or (an average) Spark's own final
   *     expression over the aggregate's buffer columns
   */
  public record Aggregates(Query query, List<NamedExpression> results) {
    public Aggregates {
      results = List.copyOf(results);
    }

    /** Whether some result is computed (an average), not a column of the query. */
    public boolean computed() {
      return results.stream().anyMatch(result -> !(result instanceof Attribute));
    }
  }

  /**
   * The grouping keys and aggregates of an aggregation whose results Spark computes from them (as
   * Spark's own final aggregation does), e.g. a ratio of two sums: the part DuckDB gives exactly
   * Spark's answer for, when the whole does not translate. A decimal average is read as the sum and
   * count Spark's own {@code avg} keeps, and divided by Spark's own final expression over them.
   */
  public static Aggregates translateAggregates(
      List<NamedExpression> grouping,
      List<AggregateExpression> aggregates,
      LogicalPlan child,
      boolean deleteFiles)
      throws NotTranslatable {
    if (child.isStreaming()) {
      throw new NotTranslatable("a streaming plan");
    }
    DuckDbTranslation translation = new DuckDbTranslation(deleteFiles);
    Part input = translation.plan(child);
    StringJoiner select = new StringJoiner(", ");
    StringJoiner keys = new StringJoiner(", ", " GROUP BY ", "");
    List<Attribute> output = new ArrayList<>();
    for (NamedExpression named : grouping) {
      Expression key = named instanceof Alias alias ? alias.child() : (Expression) named;
      String sql = translation.expression(key);
      select.add(sql + " AS " + column(named.toAttribute()));
      keys.add(sql);
      output.add(named.toAttribute());
    }
    List<NamedExpression> results = new ArrayList<>(output);
    for (AggregateExpression aggregate : aggregates) {
      Attribute result = aggregate.resultAttribute();
      if (aggregate.aggregateFunction() instanceof Average function
          && function.getClass() == Average.class) {
        for (Map.Entry<AttributeReference, String> buffer :
            translation.averageBuffer(aggregate, function).entrySet()) {
          if (output.contains(buffer.getKey())) {
            throw new NotTranslatable("two aggregates sharing one average");
          }
          select.add(buffer.getValue() + " AS " + column(buffer.getKey()));
          output.add(buffer.getKey());
        }
        Expression average = function.evaluateExpression();
        results.add(
            new Alias(
                average,
                result.name(),
                result.exprId(),
                result.qualifier(),
                Alias$.MODULE$.apply$default$5(average, result.name()),
                Alias$.MODULE$.apply$default$6(average, result.name())));
      } else {
        select.add(translation.expression(aggregate) + " AS " + column(result));
        output.add(result);
        results.add(result);
      }
    }
    if (output.isEmpty()) {
      throw new NotTranslatable("an aggregation without keys or aggregates");
    }
    for (Attribute attribute : output) {
      checkType(attribute.dataType(), attribute);
    }
    String sql =
        "SELECT "
            + select
            + " FROM ("
            + input.sql()
            + ") AS "
            + translation.alias()
            + (grouping.isEmpty() ? "" : keys.toString());
    return new Aggregates(translation.query(sql, Query.NO_LIMIT, true, output), results);
  }

  /** The translated query, with what its scans read. */
  private Query query(String select, long limit, boolean aggregates, List<Attribute> output) {
    return new Query(
        select,
        limit,
        output,
        new ArrayList<>(tables),
        files,
        bytes,
        rows,
        new Shape(aggregates, joins, filters));
  }

  /** A final sort and limit, over the rest. */
  private Top root(LogicalPlan plan) throws NotTranslatable {
    LogicalPlan rest = plan;
    Long limit = null;
    if (rest instanceof GlobalLimit global && global.child() instanceof LocalLimit local) {
      long outer = limitOf(global.limitExpr());
      long inner = limitOf(local.limitExpr());
      if (outer != inner) {
        throw new NotTranslatable("a limit of " + outer + " over one of " + inner);
      }
      limit = outer;
      rest = local.child();
    }
    Project project = null;
    if (rest instanceof Project candidate && candidate.child() instanceof Sort) {
      project = candidate;
      rest = candidate.child();
    }
    Sort sort = null;
    if (rest instanceof Sort candidate) {
      if (!candidate.global()) {
        throw new NotTranslatable("a sort within partitions");
      }
      sort = candidate;
      rest = candidate.child();
    }
    if (limit == null && project == null && sort == null) {
      Part part = plan(plan);
      return new Top(
          "SELECT " + columnList(plan.output()) + " FROM (" + part.sql() + ") AS " + alias(),
          Query.NO_LIMIT,
          part.aggregates());
    }
    Part part = plan(rest);
    StringBuilder sql = new StringBuilder("SELECT ");
    if (project != null) {
      sql.append(namedList(project.projectList()));
    } else {
      sql.append(columnList(rest.output()));
    }
    sql.append(" FROM (").append(part.sql()).append(") AS ").append(alias());
    if (sort != null) {
      StringJoiner order = new StringJoiner(", ", " ORDER BY ", "");
      for (SortOrder key : CollectionConverters.asJava(sort.order())) {
        order.add(sortKey(key));
      }
      sql.append(order);
    }
    // No outer SELECT here: its columns are the plan's already, and one could lose the order.
    return new Top(sql.toString(), limit == null ? Query.NO_LIMIT : limit, part.aggregates());
  }

  private Part plan(LogicalPlan plan) throws NotTranslatable {
    if (plan instanceof DataSourceV2ScanRelation scan) {
      return new Part(scan(scan), false);
    }
    if (plan instanceof Project project) {
      Part child = plan(project.child());
      return new Part(
          "SELECT "
              + namedList(project.projectList())
              + " FROM ("
              + child.sql()
              + ") AS "
              + alias(),
          child.aggregates());
    }
    if (plan instanceof Filter filter) {
      filters = true;
      Part child = plan(filter.child());
      return new Part(
          "SELECT * FROM ("
              + child.sql()
              + ") AS "
              + alias()
              + " WHERE "
              + expression(filter.condition()),
          child.aggregates());
    }
    if (plan instanceof Aggregate aggregate) {
      if (aggregate.hint().isDefined()) {
        throw new NotTranslatable("an aggregation with a hint");
      }
      if (aggregate.groupingExpressions().isEmpty()
          && CollectionConverters.asJava(aggregate.aggregateExpressions()).stream()
              .noneMatch(named -> AggregateExpression.containsAggregate((Expression) named))) {
        // e.g. count(DISTINCT NULL), folded to 0: one row in Spark, but a row per input row as
        // DuckDB's SELECT without an aggregate function
        throw new NotTranslatable(
            "an aggregation without GROUP BY and without aggregate functions");
      }
      Part child = plan(aggregate.child());
      // Grouping expressions that are not columns are computed once below the aggregation, and
      // the results refer to them by column (as Spark matches them: by semantic equality).
      String input = child.sql();
      StringJoiner keys = new StringJoiner(", ", " GROUP BY ", "");
      StringJoiner computed = new StringJoiner(", ");
      List<Map.Entry<Expression, String>> groups = new ArrayList<>();
      for (Expression key : CollectionConverters.asJava(aggregate.groupingExpressions())) {
        if (key instanceof Attribute attribute) {
          keys.add(column(attribute));
        } else {
          String name = "\"g" + groupKeys++ + "\"";
          computed.add(expression(key) + " AS " + name);
          groups.add(Map.entry(key, name));
          keys.add(name);
        }
      }
      if (computed.length() > 0) {
        input = "SELECT *, " + computed + " FROM (" + input + ") AS " + alias();
      }
      StringBuilder sql = new StringBuilder("SELECT ");
      LogicalPlan outer = aggregated;
      aggregated = aggregate.child();
      try {
        sql.append(within(groups, () -> namedList(aggregate.aggregateExpressions())));
      } finally {
        aggregated = outer;
      }
      sql.append(" FROM (").append(input).append(") AS ").append(alias());
      if (!aggregate.groupingExpressions().isEmpty()) {
        sql.append(keys);
      }
      return new Part(sql.toString(), true);
    }
    if (plan instanceof Join join) {
      return join(join);
    }
    throw new NotTranslatable("operator " + plan.nodeName());
  }

  private Part join(Join join) throws NotTranslatable {
    joins = true;
    JoinType type = join.joinType();
    String keyword;
    if (type == Inner$.MODULE$) {
      keyword = join.condition().isDefined() ? "JOIN" : "CROSS JOIN";
    } else if (type == LeftOuter$.MODULE$) {
      keyword = "LEFT JOIN";
    } else if (type == RightOuter$.MODULE$) {
      keyword = "RIGHT JOIN";
    } else if (type == FullOuter$.MODULE$) {
      keyword = "FULL JOIN";
    } else if (type == LeftSemi$.MODULE$) {
      keyword = "SEMI JOIN";
    } else if (type == LeftAnti$.MODULE$) {
      keyword = "ANTI JOIN";
    } else {
      throw new NotTranslatable("a " + type + " join");
    }
    Part left = plan(join.left());
    Part right = plan(join.right());
    StringBuilder sql = new StringBuilder("SELECT * FROM (");
    sql.append(left.sql()).append(") AS ").append(alias()).append(' ').append(keyword);
    sql.append(" (").append(right.sql()).append(") AS ").append(alias());
    if (!keyword.equals("CROSS JOIN")) {
      sql.append(" ON ")
          .append(join.condition().isDefined() ? expression(join.condition().get()) : "TRUE");
    }
    return new Part(sql.toString(), left.aggregates() || right.aggregates());
  }

  /** The scan's columns, by their names in the files, from exactly the files Iceberg planned. */
  private String scan(DataSourceV2ScanRelation relation) throws NotTranslatable {
    Optional<IcebergScans.PlannedScan> planned = IcebergScans.planned(relation.scan());
    if (planned.isEmpty()) {
      throw new NotTranslatable("a scan that is not a batch read of an Iceberg table");
    }
    Table table = planned.get().table();
    if (planned.get().tasks().isEmpty()) {
      // Iceberg pruned every file (by partition or column statistics): no rows, typed columns
      StringJoiner columns = new StringJoiner(", ");
      for (AttributeReference attribute : CollectionConverters.asJava(relation.output())) {
        columns.add(literal(null, attribute.dataType()) + " AS " + column(attribute));
        scannedColumns.put(attribute.exprId(), new ScannedColumn(planned.get(), attribute.name()));
        columnRanges.put(attribute.exprId(), Optional.empty());
      }
      tables.add(table.name());
      scanRows.put(relation, 0L);
      return "SELECT " + selectList(columns) + " WHERE FALSE";
    }
    if (!deleteFiles) { // before ParquetTable looks at each delete file on disk
      Set<String> deletes = new HashSet<>();
      for (FileScanTask task : planned.get().tasks()) {
        task.deletes().forEach(delete -> deletes.add(delete.location()));
      }
      if (!deletes.isEmpty()) {
        throw new NotTranslatable(
            table.name()
                + " has "
                + deletes.size()
                + (deletes.size() == 1 ? " delete file" : " delete files")
                + " to apply, and reading them is off for this session");
      }
    }
    ParquetTable files;
    try {
      files = ParquetTable.of(table, "", table.name(), table.name(), planned.get().tasks());
    } catch (LagoaException e) {
      throw new NotTranslatable(e.getMessage());
    } catch (RuntimeException e) {
      throw new NotTranslatable("cannot plan " + table.name() + ": " + e);
    }
    StringJoiner columns = new StringJoiner(", ");
    for (AttributeReference attribute : CollectionConverters.asJava(relation.output())) {
      checkType(attribute.dataType(), attribute);
      if (attribute.dataType() == DoubleType$.MODULE$) {
        // DuckDB's doubles are only the averages it computes exactly; a double column's sums,
        // groups and orders of -0.0 and NaN are Spark's own
        throw new NotTranslatable("type double in " + attribute);
      }
      if (!files.columns().contains(attribute.name())) {
        throw new NotTranslatable("column " + attribute.name() + " is not a top-level column");
      }
      String read = DuckDbSql.identifier(attribute.name());
      if (isTimestamp(attribute.dataType())) {
        // Iceberg reads the stored microseconds whatever a file says of UTC, and so does this
        // cast in UTC; a cast to the column's own type is free and keeps filters pushed down.
        read = typed(read, attribute.dataType());
      }
      if (isTimestamp(attribute.dataType()) || isIntegral(attribute.dataType())) {
        scannedColumns.put(attribute.exprId(), new ScannedColumn(planned.get(), attribute.name()));
      }
      columns.add(read + " AS " + column(attribute));
    }
    tables.add(table.name());
    this.files += files.files().size() + files.deletes().size();
    bytes += files.bytes();
    rows += files.rows();
    scanRows.put(relation, files.rows());
    return "SELECT " + selectList(columns) + " FROM " + files.relation() + " AS t";
  }

  private String namedList(scala.collection.Seq<NamedExpression> expressions)
      throws NotTranslatable {
    StringJoiner list = new StringJoiner(", ");
    for (NamedExpression named : CollectionConverters.asJava(expressions)) {
      if (named instanceof Alias alias) {
        list.add(expression(alias.child()) + " AS " + column(alias.toAttribute()));
      } else if (named instanceof Attribute attribute) {
        list.add(column(attribute));
      } else {
        throw new NotTranslatable("named expression " + named);
      }
    }
    return selectList(list);
  }

  private static String columnList(scala.collection.Seq<Attribute> output) {
    StringJoiner list = new StringJoiner(", ");
    for (Attribute attribute : CollectionConverters.asJava(output)) {
      list.add(column(attribute));
    }
    return selectList(list);
  }

  /** A select list; SQL has no empty one, so no columns is one unused null column. */
  private static String selectList(StringJoiner columns) {
    return columns.length() == 0 ? "NULL AS \"c\"" : columns.toString();
  }

  private String sortKey(SortOrder key) throws NotTranslatable {
    checkType(key.child().dataType(), key.child());
    return expression(key.child())
        + (key.direction() == Ascending$.MODULE$ ? " ASC" : " DESC")
        + (key.nullOrdering() == NullsFirst$.MODULE$ ? " NULLS FIRST" : " NULLS LAST");
  }

  private String alias() {
    return "t" + aliases++;
  }

  /** The DuckDB column of a Spark attribute. */
  static String column(Attribute attribute) {
    return "\"c" + attribute.exprId().id() + "\"";
  }

  // ---- expressions ----

  private String expression(Expression e) throws NotTranslatable {
    checkType(e.dataType(), e);
    for (Map.Entry<Expression, String> group : grouping) {
      if (e.semanticEquals(group.getKey())) {
        return group.getValue();
      }
    }
    if (e instanceof Attribute attribute) {
      return column(attribute);
    }
    if (e instanceof Literal literal) {
      return literal(literal.value(), literal.dataType());
    }
    if (e instanceof AggregateExpression aggregate) {
      return aggregate(aggregate);
    }
    if (e instanceof ScalarSubquery subquery) {
      return scalarSubquery(subquery);
    }
    if (e instanceof MakeDecimal make) {
      return decimalSum(make);
    }
    if (e instanceof Cast cast) {
      return cast(cast);
    }
    if (e instanceof BinaryArithmetic arithmetic) {
      return arithmetic(arithmetic);
    }
    if (e instanceof UnaryMinus minus) {
      if (minus.failOnError()) {
        return typed("(-" + expression(minus.child()) + ")", e.dataType());
      }
      throw new NotTranslatable("a negation that does not fail on overflow");
    }
    if (e instanceof BinaryComparison comparison) {
      return comparison(comparison);
    }
    if (e instanceof And and) {
      return "(" + expression(and.left()) + " AND " + expression(and.right()) + ")";
    }
    if (e instanceof Or or) {
      return "(" + expression(or.left()) + " OR " + expression(or.right()) + ")";
    }
    if (e instanceof Not not) {
      return "(NOT " + expression(not.child()) + ")";
    }
    if (e instanceof IsNull isNull) {
      return "(" + expression(isNull.child()) + " IS NULL)";
    }
    if (e instanceof IsNotNull isNotNull) {
      return "(" + expression(isNotNull.child()) + " IS NOT NULL)";
    }
    if (e instanceof In in) {
      StringJoiner list = new StringJoiner(", ", " IN (", "))");
      for (Expression item : CollectionConverters.asJava(in.list())) {
        sameType(in.value(), item);
        list.add(expression(item));
      }
      return "(" + expression(in.value()) + list;
    }
    if (e instanceof InSet in) {
      StringJoiner list = new StringJoiner(", ", " IN (", "))");
      for (Object value : CollectionConverters.asJava(in.hset())) {
        list.add(literal(value, in.child().dataType()));
      }
      if (in.hset().isEmpty()) {
        throw new NotTranslatable("an empty IN set");
      }
      return "(" + expression(in.child()) + list;
    }
    if (e instanceof CaseWhen caseWhen) {
      StringBuilder sql = new StringBuilder("CASE");
      for (Tuple2<Expression, Expression> branch :
          CollectionConverters.asJava(caseWhen.branches())) {
        sql.append(" WHEN ").append(expression(branch._1()));
        sql.append(" THEN ").append(expression(branch._2()));
      }
      if (caseWhen.elseValue().isDefined()) {
        sql.append(" ELSE ").append(expression(caseWhen.elseValue().get()));
      }
      return typed(sql.append(" END").toString(), e.dataType());
    }
    if (e instanceof If branch) {
      return typed(
          "CASE WHEN "
              + expression(branch.predicate())
              + " THEN "
              + expression(branch.trueValue())
              + " ELSE "
              + expression(branch.falseValue())
              + " END",
          e.dataType());
    }
    if (e instanceof Coalesce coalesce) {
      StringJoiner list = new StringJoiner(", ", "coalesce(", ")");
      for (Expression item : CollectionConverters.asJava(coalesce.children())) {
        list.add(expression(item));
      }
      return typed(list.toString(), e.dataType());
    }
    if (e instanceof StartsWith startsWith) {
      return "starts_with(" + strings(startsWith.left(), startsWith.right()) + ")";
    }
    if (e instanceof EndsWith endsWith) {
      return "suffix(" + strings(endsWith.left(), endsWith.right()) + ")";
    }
    if (e instanceof Contains contains) {
      return "contains(" + strings(contains.left(), contains.right()) + ")";
    }
    if (e instanceof Like like) {
      return like(like);
    }
    if (e instanceof Year year) {
      return datePart("year", expression(year.child()), "");
    }
    if (e instanceof Quarter quarter) {
      return datePart("quarter", expression(quarter.child()), "");
    }
    if (e instanceof Month month) {
      return datePart("month", expression(month.child()), "");
    }
    if (e instanceof WeekOfYear week) {
      return datePart("weekofyear", expression(week.child()), ""); // ISO 8601 weeks in both
    }
    if (e instanceof DayOfMonth day) {
      return datePart("day", expression(day.child()), "");
    }
    if (e instanceof DayOfYear day) {
      return datePart("dayofyear", expression(day.child()), "");
    }
    if (e instanceof DayOfWeek day) {
      // Spark: Sunday 1; DuckDB: Sunday 0
      return datePart("dayofweek", expression(day.child()), " + 1");
    }
    if (e instanceof WeekDay day) {
      // Spark: Monday 0; ISO: Monday 1
      return datePart("isodow", expression(day.child()), " - 1");
    }
    if (e instanceof LastDay last) {
      return "last_day(" + expression(last.startDate()) + ")";
    }
    if (e instanceof DateAdd add) {
      return typed(
          "(" + expression(add.startDate()) + " + " + expression(add.days()) + ")", e.dataType());
    }
    if (e instanceof DateSub sub) {
      return typed(
          "(" + expression(sub.startDate()) + " - " + expression(sub.days()) + ")", e.dataType());
    }
    if (e instanceof DateDiff diff) {
      return typed(
          "(" + expression(diff.endDate()) + " - " + expression(diff.startDate()) + ")",
          e.dataType());
    }
    if (e instanceof TruncDate trunc) {
      return "CAST(date_trunc('"
          + truncUnit(trunc.format(), false)
          + "', "
          + expression(trunc.date())
          + ") AS DATE)";
    }
    if (e instanceof Substring substring) {
      return substring(substring);
    }
    if (e instanceof Hour hour) {
      return datePart("hour", wallClock(hour.child(), hour.timeZoneId()), "");
    }
    if (e instanceof Minute minute) {
      return datePart("minute", wallClock(minute.child(), minute.timeZoneId()), "");
    }
    if (e instanceof Second second) {
      return datePart("second", wallClock(second.child(), second.timeZoneId()), "");
    }
    if (e instanceof TruncTimestamp trunc) {
      return truncTimestamp(trunc);
    }
    throw new NotTranslatable("expression " + e.prettyName());
  }

  /**
   * An uncorrelated scalar subquery (TPC-H q11's threshold, q15's maximum) as DuckDB's: both give
   * NULL for no row and fail for more than one.
   */
  private String scalarSubquery(ScalarSubquery subquery) throws NotTranslatable {
    if (!subquery.outerAttrs().isEmpty() || !subquery.joinCond().isEmpty()) {
      throw new NotTranslatable("a correlated subquery");
    }
    LogicalPlan plan = subquery.plan();
    if (plan.output().size() != 1) {
      throw new NotTranslatable("a subquery of " + plan.output().size() + " columns");
    }
    Top part = within(List.of(), () -> root(plan));
    return typed(
        "(SELECT "
            + column(plan.output().head())
            + " FROM ("
            + part.sql()
            + ") AS "
            + alias()
            + ")",
        subquery.dataType());
  }

  private String aggregate(AggregateExpression aggregate) throws NotTranslatable {
    if (aggregate.mode() != Complete$.MODULE$) {
      throw new NotTranslatable("a partial aggregate");
    }
    // An aggregate's arguments are over its input rows, not the grouping keys.
    return within(List.of(), () -> aggregateCall(aggregate));
  }

  /**
   * A decimal average's buffer as Spark's {@code avg} keeps it, each column by its attribute: the
   * sum of the non-null values (0 when there are none) in Spark's sum type, and their count.
   * Spark's own final expression over them then gives exactly Spark's average, its rounding and its
   * overflow error. With ANSI off Spark gives NULL where the sum overflows, DuckDB an error: such
   * averages stay Spark's.
   */
  private Map<AttributeReference, String> averageBuffer(
      AggregateExpression aggregate, Average average) throws NotTranslatable {
    if (aggregate.mode() != Complete$.MODULE$) {
      throw new NotTranslatable("a partial aggregate");
    }
    averagedDecimal(average);
    return within(
        List.of(),
        () -> {
          String value = (aggregate.isDistinct() ? "DISTINCT " : "") + expression(average.child());
          String filter = filter(aggregate);
          Map<AttributeReference, String> buffer = new LinkedHashMap<>();
          buffer.put(
              average.sum(),
              typed("coalesce(sum(" + value + ")" + filter + ", 0)", average.sum().dataType()));
          buffer.put(
              average.count(), typed("count(" + value + ")" + filter, average.count().dataType()));
          return buffer;
        });
  }

  /**
   * The decimal type an average takes, when DuckDB can give Spark's answer for it: with ANSI on
   * (with it off Spark gives NULL where the sum overflows, DuckDB an error), over decimals (Spark
   * sums other numbers as doubles, in its own order).
   */
  private static DecimalType averagedDecimal(Average average) throws NotTranslatable {
    if (average.evalMode() != EvalMode$.MODULE$.ANSI()) {
      throw new NotTranslatable("an average that does not fail on overflow");
    }
    if (!(average.child().dataType() instanceof DecimalType input)) {
      throw new NotTranslatable("an average of " + average.child().dataType().simpleString());
    }
    return input;
  }

  /** An aggregate's {@code FILTER (WHERE ...)} clause, or nothing. */
  private String filter(AggregateExpression aggregate) throws NotTranslatable {
    return aggregate.filter().isDefined()
        ? " FILTER (WHERE " + expression(aggregate.filter().get()) + ")"
        : "";
  }

  private String aggregateCall(AggregateExpression aggregate) throws NotTranslatable {
    AggregateFunction function = aggregate.aggregateFunction();
    String distinct = aggregate.isDistinct() ? "DISTINCT " : "";
    String call;
    if (function instanceof Count count) {
      List<Expression> children = CollectionConverters.asJava(count.children());
      if (children.size() != 1) {
        throw new NotTranslatable("a count of several columns");
      }
      Expression child = children.get(0);
      if (child instanceof Literal literal && literal.value() != null && !aggregate.isDistinct()) {
        call = "count(*)";
      } else {
        call = "count(" + distinct + expression(child) + ")";
      }
    } else if (function instanceof Sum sum) {
      if (sum.evalContext().evalMode() != EvalMode$.MODULE$.ANSI()) {
        throw new NotTranslatable("a sum that does not fail on overflow");
      }
      DataType input = sum.child().dataType();
      if (!(input instanceof DecimalType) && !isIntegral(input)) {
        throw new NotTranslatable("a sum of " + input.simpleString());
      }
      call = "sum(" + distinct + expression(sum.child()) + ")";
    } else if (function instanceof Min min) {
      call = "min(" + distinct + expression(min.child()) + ")";
    } else if (function instanceof Max max) {
      call = "max(" + distinct + expression(max.child()) + ")";
    } else if (function instanceof Average average && function.getClass() == Average.class) {
      return average(aggregate, average);
    } else {
      throw new NotTranslatable("aggregate " + function.prettyName());
    }
    return typed(call + filter(aggregate), aggregate.dataType());
  }

  /**
   * Spark's decimal average, to the last digit: the sum in Spark's sum type (an error past it, as
   * Spark's with ANSI on), and its unscaled value at the result's scale divided by the count in
   * DuckDB's 128-bit integers, rounded half away from zero as Spark's {@code
   * DecimalDivideWithOverflowCheck} rounds; NULL for no values. Spark first rounds the quotient to
   * 39 decimals, which cannot change the second rounding while the result has at most 19 decimals
   * and there are fewer than 2^63 values. The bounds on precision and scale keep every step within
   * DuckDB's DECIMAL(38) and HUGEINT.
   */
  private String average(AggregateExpression aggregate, Average average) throws NotTranslatable {
    if (isIntegral(average.child().dataType())) {
      return integerAverage(aggregate, average);
    }
    DecimalType input = averagedDecimal(average);
    DecimalType sum = (DecimalType) average.sum().dataType();
    DecimalType result = (DecimalType) average.dataType();
    int precision = input.precision();
    int scale = input.scale();
    if (precision > 23 || scale > 15 || precision + scale > 27) {
      throw new NotTranslatable("an average of " + input.simpleString() + " in DuckDB");
    }
    String value = (aggregate.isDistinct() ? "DISTINCT " : "") + expression(average.child());
    String filter = filter(aggregate);
    String count = "count(" + value + ")" + filter;
    String unscaled =
        "CAST("
            + typed("coalesce(sum(" + value + ")" + filter + ", 0)", sum)
            + " * CAST("
            + BigInteger.TEN.pow(scale)
            + " AS DECIMAL("
            + (scale + 1)
            + ", 0)) AS HUGEINT) * "
            + BigInteger.TEN.pow(result.scale() - scale);
    String quotient = "(2 * abs(" + unscaled + ") + " + count + ") // (2 * " + count + ")";
    String signed =
        "CASE WHEN " + unscaled + " < 0 THEN -(" + quotient + ") ELSE " + quotient + " END";
    String decimal =
        "CAST("
            + signed
            + " AS DECIMAL("
            + result.precision()
            + ", 0)) * CAST("
            + DuckDbSql.literal(BigDecimal.ONE.movePointLeft(result.scale()).toPlainString())
            + " AS DECIMAL("
            + (result.scale() + 1)
            + ", "
            + result.scale()
            + "))";
    return "CASE WHEN " + count + " = 0 THEN NULL ELSE " + typed(decimal, result) + " END";
  }

  /**
   * Spark's average of integers, to the last bit: Spark adds the values as doubles and divides by
   * the count, which is the exact sum divided by the count (one IEEE rounding) while every partial
   * sum stays below 2^53. So only for a table's column whose largest magnitude (Iceberg's
   * statistics) times the rows the aggregation can see (the product of its scans' rows, each plus
   * one for outer joins) is below 2^53; there DuckDB's exact sum, made a double and divided by the
   * count, is the same double.
   */
  private String integerAverage(AggregateExpression aggregate, Average average)
      throws NotTranslatable {
    Expression child = average.child();
    Optional<ColumnRange> range =
        range(child, "an average of integers that is not a table's column: " + child);
    if (aggregated == null) {
      throw new NotTranslatable("an average outside an aggregation");
    }
    BigInteger rows = BigInteger.ONE;
    // its leaves are the scans translated with it: anything else did not translate
    for (LogicalPlan scan : CollectionConverters.asJava(aggregated.collectLeaves())) {
      Long inFiles = scanRows.get(scan);
      if (inFiles == null) {
        throw new NotTranslatable("an average over " + scan.nodeName());
      }
      // + 1: an outer join keeps a row of the other side for none of this one
      rows = rows.multiply(BigInteger.valueOf(inFiles + 1));
    }
    BigInteger largest =
        range.isEmpty()
            ? BigInteger.ZERO
            : BigInteger.valueOf(range.get().min())
                .abs()
                .max(BigInteger.valueOf(range.get().max()).abs());
    if (largest.multiply(rows).compareTo(BigInteger.TWO.pow(53)) >= 0) {
      throw new NotTranslatable(
          "an average of "
              + child
              + " whose sum may pass 2^53 (values up to "
              + largest
              + " over up to "
              + rows
              + " rows), where Spark's sum in doubles rounds");
    }
    String value = (aggregate.isDistinct() ? "DISTINCT " : "") + expression(child);
    String filter = filter(aggregate);
    return "(CAST(sum("
        + value
        + ")"
        + filter
        + " AS DOUBLE) / CAST(count("
        + value
        + ")"
        + filter
        + " AS DOUBLE))";
  }

  /**
   * Spark's optimizer sums a narrow decimal as the long of its unscaled values, made a decimal
   * again ({@code DecimalAggregates}): in DuckDB that is the decimal sum, cast to the same type (an
   * error on overflow, as Spark's with ANSI on).
   */
  private String decimalSum(MakeDecimal make) throws NotTranslatable {
    if (make.nullOnOverflow()
        || !(make.child() instanceof AggregateExpression aggregate)
        || aggregate.mode() != Complete$.MODULE$
        || !(aggregate.aggregateFunction() instanceof Sum sum)
        || sum.evalContext().evalMode() != EvalMode$.MODULE$.ANSI()
        || !(sum.child() instanceof UnscaledValue unscaled)) {
      throw new NotTranslatable("expression " + make.prettyName());
    }
    return within(
        List.of(),
        () ->
            typed(
                "sum("
                    + (aggregate.isDistinct() ? "DISTINCT " : "")
                    + expression(unscaled.child())
                    + ")"
                    + filter(aggregate),
                make.dataType()));
  }

  private String cast(Cast cast) throws NotTranslatable {
    DataType from = cast.child().dataType();
    DataType to = cast.dataType();
    if (!from.equals(to) && isDateTime(from) && isDateTime(to)) {
      return dateTimeCast(cast);
    }
    String child = expression(cast.child());
    if (from.equals(to)) {
      return child;
    }
    boolean ansi = cast.evalMode() == EvalMode$.MODULE$.ANSI();
    boolean exact =
        isIntegral(from) && (isIntegral(to) || to instanceof DecimalType)
            || from instanceof DecimalType && to instanceof DecimalType;
    if (!exact) {
      // decimal to integer truncates in Spark and rounds in DuckDB; text and dates differ more
      throw new NotTranslatable("a cast from " + from.simpleString() + " to " + to.simpleString());
    }
    if (!ansi && !widens(from, to)) {
      throw new NotTranslatable("a cast that may overflow to null");
    }
    return typed(child, to);
  }

  /** Whether every value of {@code from} fits {@code to} exactly. */
  private static boolean widens(DataType from, DataType to) {
    if (isIntegral(from) && isIntegral(to)) {
      return integralDigits(from) <= integralDigits(to) && integralBytes(from) <= integralBytes(to);
    }
    if (isIntegral(from) && to instanceof DecimalType decimal) {
      return integralDigits(from) <= decimal.precision() - decimal.scale();
    }
    if (from instanceof DecimalType a && to instanceof DecimalType b) {
      return b.scale() >= a.scale() && b.precision() - b.scale() >= a.precision() - a.scale();
    }
    return false;
  }

  private String arithmetic(BinaryArithmetic arithmetic) throws NotTranslatable {
    String operator;
    if (arithmetic instanceof Add) {
      operator = " + ";
    } else if (arithmetic instanceof Subtract) {
      operator = " - ";
    } else if (arithmetic instanceof Multiply) {
      operator = " * ";
    } else {
      throw new NotTranslatable("arithmetic " + arithmetic.symbol());
    }
    if (arithmetic.evalMode() != EvalMode$.MODULE$.ANSI()) {
      throw new NotTranslatable("arithmetic that does not fail on overflow");
    }
    DataType left = arithmetic.left().dataType();
    DataType right = arithmetic.right().dataType();
    DataType result = arithmetic.dataType();
    if (left instanceof DecimalType a && right instanceof DecimalType b) {
      // Spark rounds when the exact result does not fit 38 digits; only exact results qualify
      int scale;
      int precision;
      if (arithmetic instanceof Multiply) {
        scale = a.scale() + b.scale();
        precision = a.precision() + b.precision() + 1;
      } else {
        scale = Math.max(a.scale(), b.scale());
        precision = Math.max(a.precision() - a.scale(), b.precision() - b.scale()) + scale + 1;
      }
      // Past 38 digits Spark keeps the exact scale when it can (a product of three prices) and
      // fails on a value past 38 digits under ANSI, as DuckDB does with the same DECIMAL(38, s).
      if (scale > DecimalType.MAX_SCALE()
          || !result.equals(
              new DecimalType(Math.min(precision, DecimalType.MAX_PRECISION()), scale))) {
        throw new NotTranslatable("decimal arithmetic Spark rounds to " + result.simpleString());
      }
      // DuckDB's own result type holds the exact value too (its precision is at most Spark's), so
      // no cast per row: values are the same, and sums, outputs and comparisons cast or compare
      // by value.
      return "(" + expression(arithmetic.left()) + operator + expression(arithmetic.right()) + ")";
    } else if (!(isIntegral(left) && left.equals(right) && result.equals(left))) {
      throw new NotTranslatable(
          "arithmetic on " + left.simpleString() + " and " + right.simpleString());
    }
    return typed(
        "(" + expression(arithmetic.left()) + operator + expression(arithmetic.right()) + ")",
        result);
  }

  /**
   * A cast among dates, timestamps and TIMESTAMP_NTZ, as Spark makes it: a timestamp's date or
   * wall-clock time is the one in the cast's time zone, a date or wall-clock time becomes the
   * instant it is in that zone.
   */
  private String dateTimeCast(Cast cast) throws NotTranslatable {
    DataType from = cast.child().dataType();
    DataType to = cast.dataType();
    // a date's midnight; a timestamp's wall-clock time in the cast's zone
    String wallClock =
        from == DateType$.MODULE$
            ? "CAST(" + expression(cast.child()) + " AS TIMESTAMP)"
            : wallClock(cast.child(), cast.timeZoneId());
    if (to == DateType$.MODULE$) {
      return "CAST(" + wallClock + " AS DATE)";
    }
    if (to == TimestampNTZType$.MODULE$) {
      return wallClock;
    }
    // to a timestamp: the wall-clock time as the instant it is in the cast's zone
    return instant(wallClock, fixedOffset(cast.timeZoneId()));
  }

  /**
   * A part of a date or wall-clock time (translated) as Spark's INT: DuckDB's function, and what to
   * add to match Spark's.
   */
  private static String datePart(String function, String dateTime, String adjustment) {
    return "CAST(" + function + "(" + dateTime + ")" + adjustment + " AS INTEGER)";
  }

  /**
   * Spark's {@code date_trunc}: the timestamp's wall-clock time in the expression's zone truncated
   * to the unit, as the instant it is in that zone.
   */
  private String truncTimestamp(TruncTimestamp trunc) throws NotTranslatable {
    return instant(
        "date_trunc('"
            + truncUnit(trunc.format(), true)
            + "', "
            + wallClock(trunc.timestamp(), trunc.timeZoneId())
            + ")",
        fixedOffset(trunc.timeZoneId()));
  }

  /**
   * DuckDB's unit for Spark's {@code date_trunc} ({@code timeUnits}) or {@code trunc} of a date
   * (year to week only), by Spark's names for it; any other gives Spark's NULL, not translated.
   */
  private static String truncUnit(Expression format, boolean timeUnits) throws NotTranslatable {
    if (!(format instanceof Literal literal) || literal.value() == null) {
      throw new NotTranslatable("a truncation unit that is not a constant");
    }
    String unit =
        switch (literal.value().toString().toUpperCase(Locale.ROOT)) {
          case "YEAR", "YYYY", "YY" -> "year";
          case "QUARTER" -> "quarter";
          case "MONTH", "MM", "MON" -> "month";
          case "WEEK" -> "week"; // Monday, in both
          case "DAY", "DD" -> timeUnits ? "day" : null;
          case "HOUR" -> timeUnits ? "hour" : null;
          case "MINUTE" -> timeUnits ? "minute" : null;
          case "SECOND" -> timeUnits ? "second" : null;
          case "MILLISECOND" -> timeUnits ? "millisecond" : null;
          case "MICROSECOND" -> timeUnits ? "microsecond" : null;
          default -> null;
        };
    if (unit == null) {
      throw new NotTranslatable("a truncation to " + literal.value());
    }
    return unit;
  }

  /**
   * A timestamp as the wall-clock time Spark reads it as (a DuckDB TIMESTAMP): a TIMESTAMP_NTZ as
   * it is, a TIMESTAMP in the expression's time zone: the instant moved by the zone's offset. For a
   * zone whose offset changes (daylight saving) only a table's column, with the JVM's offsets over
   * the range of its values ({@link ZoneOffsets}); DuckDB's own zone data need not be the JVM's.
   */
  private String wallClock(Expression timestamp, Option<String> zone) throws NotTranslatable {
    String sql = expression(timestamp);
    DataType type = timestamp.dataType();
    if (type == TimestampNTZType$.MODULE$) {
      return sql;
    }
    if (type != TimestampType$.MODULE$) {
      throw new NotTranslatable("a " + type.simpleString() + " where a timestamp is read");
    }
    ZoneId id = zone(zone);
    if (id.getRules().isFixedOffset()) {
      // In microseconds: DuckDB's cast from TIMESTAMPTZ to TIMESTAMP goes through ICU's calendar
      // for every value, 5x slower than this (20M rows: 1.3 s against 0.25 s to their dates).
      return "make_timestamp(epoch_us(" + sql + ")" + micros(fixedOffset(zone)) + ")";
    }
    Optional<ColumnRange> range =
        range(
            timestamp,
            "a timestamp read in time zone "
                + zone.get()
                + ", whose offset changes, that is not a table's column");
    if (range.isEmpty()) {
      return "make_timestamp(epoch_us(" + sql + "))"; // only nulls
    }
    String instant = "epoch_us(" + sql + ")";
    return "make_timestamp(" + instant + " + " + ZoneOffsets.at(id, range.get(), instant) + ")";
  }

  /**
   * The range of a table column's values in the files the query reads ({@link ColumnRange}), or not
   * translated (for {@code why}) when the expression is not such a column.
   */
  private Optional<ColumnRange> range(Expression expression, String why) throws NotTranslatable {
    if (!(expression instanceof AttributeReference column)
        || !scannedColumns.containsKey(column.exprId())) {
      throw new NotTranslatable(why);
    }
    Optional<ColumnRange> range = columnRanges.get(column.exprId());
    if (range == null) {
      ScannedColumn scanned = scannedColumns.get(column.exprId());
      range = ColumnRange.of(scanned.scan(), scanned.name());
      columnRanges.put(column.exprId(), range);
    }
    return range;
  }

  /** A wall-clock time (DuckDB TIMESTAMP) as the instant it is at this offset from UTC. */
  private static String instant(String wallClock, int offsetSeconds) {
    return "make_timestamptz(epoch_us(" + wallClock + ")" + micros(-offsetSeconds) + ")";
  }

  /** {@code " + n"} microseconds to add, or nothing for none. */
  private static String micros(long seconds) {
    if (seconds == 0) {
      return "";
    }
    return (seconds < 0 ? " - " : " + ") + Math.abs(seconds) * 1_000_000L;
  }

  /** The zone's offset from UTC in seconds, when it never changes. */
  private static int fixedOffset(Option<String> zone) throws NotTranslatable {
    ZoneId id = zone(zone);
    if (!id.getRules().isFixedOffset()) {
      throw new NotTranslatable(
          "a timestamp read in time zone " + zone.get() + ", whose offset changes");
    }
    return id.getRules().getOffset(Instant.EPOCH).getTotalSeconds();
  }

  private static ZoneId zone(Option<String> zone) throws NotTranslatable {
    if (zone.isEmpty()) {
      throw new NotTranslatable("a date-time expression without a time zone");
    }
    return DateTimeUtils.getZoneId(zone.get());
  }

  private static boolean isDateTime(DataType type) {
    return type == DateType$.MODULE$ || isTimestamp(type);
  }

  private static boolean isTimestamp(DataType type) {
    return type == TimestampType$.MODULE$ || type == TimestampNTZType$.MODULE$;
  }

  private String comparison(BinaryComparison comparison) throws NotTranslatable {
    sameType(comparison.left(), comparison.right());
    String operator;
    if (comparison instanceof EqualTo) {
      operator = " = ";
    } else if (comparison instanceof EqualNullSafe) {
      operator = " IS NOT DISTINCT FROM ";
    } else if (comparison instanceof LessThan) {
      operator = " < ";
    } else if (comparison instanceof LessThanOrEqual) {
      operator = " <= ";
    } else if (comparison instanceof GreaterThan) {
      operator = " > ";
    } else if (comparison instanceof GreaterThanOrEqual) {
      operator = " >= ";
    } else {
      throw new NotTranslatable("comparison " + comparison.symbol());
    }
    return "(" + expression(comparison.left()) + operator + expression(comparison.right()) + ")";
  }

  private String like(Like like) throws NotTranslatable {
    if (!(like.right() instanceof Literal pattern) || pattern.value() == null) {
      throw new NotTranslatable("a LIKE pattern that is not a constant");
    }
    String text = pattern.value().toString();
    if (text.indexOf(like.escapeChar()) >= 0) {
      throw new NotTranslatable("a LIKE pattern with its escape character");
    }
    return "(" + expression(like.left()) + " LIKE " + DuckDbSql.literal(text) + ")";
  }

  private String substring(Substring substring) throws NotTranslatable {
    if (!(substring.pos() instanceof Literal pos && pos.value() instanceof Integer start)
        || start < 1
        || !(substring.len() instanceof Literal len && len.value() instanceof Integer length)
        || length < 0) {
      throw new NotTranslatable("a substring without a constant positive position and length");
    }
    if (!substring.str().dataType().equals(DataTypes.StringType)) {
      throw new NotTranslatable("a substring of " + substring.str().dataType().simpleString());
    }
    return "substring(" + expression(substring.str()) + ", " + start + ", " + length + ")";
  }

  private String strings(Expression left, Expression right) throws NotTranslatable {
    sameType(left, right);
    return expression(left) + ", " + expression(right);
  }

  private static void sameType(Expression left, Expression right) throws NotTranslatable {
    if (!left.dataType().equals(right.dataType())) {
      throw new NotTranslatable(
          "operands of "
              + left.dataType().simpleString()
              + " and "
              + right.dataType().simpleString());
    }
  }

  // ---- types and literals ----

  private static String typed(String sql, DataType type) throws NotTranslatable {
    return "CAST(" + sql + " AS " + duckDbType(type) + ")";
  }

  static String duckDbType(DataType type) throws NotTranslatable {
    if (type == BooleanType$.MODULE$) {
      return "BOOLEAN";
    }
    if (type == ByteType$.MODULE$) {
      return "TINYINT";
    }
    if (type == ShortType$.MODULE$) {
      return "SMALLINT";
    }
    if (type == IntegerType$.MODULE$) {
      return "INTEGER";
    }
    if (type == LongType$.MODULE$) {
      return "BIGINT";
    }
    if (type instanceof DecimalType decimal) {
      return "DECIMAL(" + decimal.precision() + ", " + decimal.scale() + ")";
    }
    if (type.equals(DataTypes.StringType)) {
      return "VARCHAR";
    }
    if (type == DateType$.MODULE$) {
      return "DATE";
    }
    // Only an integer average's result (integerAverage); scans take no double column.
    if (type == DoubleType$.MODULE$) {
      return "DOUBLE";
    }
    // Instants (and local date-times) as Spark keeps them, microseconds since 1970; DuckDB runs in
    // UTC (DuckDbDatabase), so it never shifts them. What needs Spark's session time zone (a date,
    // an hour, date_trunc) is read at that zone's offsets (wallClock), or not translated.
    if (type == TimestampType$.MODULE$) {
      return "TIMESTAMPTZ";
    }
    if (type == TimestampNTZType$.MODULE$) {
      return "TIMESTAMP";
    }
    throw new NotTranslatable("type " + type.simpleString());
  }

  private static void checkType(DataType type, Object where) throws NotTranslatable {
    try {
      duckDbType(type);
    } catch (NotTranslatable e) {
      throw new NotTranslatable(e.getMessage() + " in " + where);
    }
  }

  private static String literal(Object value, DataType type) throws NotTranslatable {
    String duckDbType = duckDbType(type);
    if (value == null) {
      return "CAST(NULL AS " + duckDbType + ")";
    }
    String text;
    if (type == BooleanType$.MODULE$) {
      text = ((Boolean) value) ? "TRUE" : "FALSE";
    } else if (isIntegral(type)) {
      text = value.toString();
    } else if (type instanceof DecimalType) {
      BigDecimal decimal = ((Decimal) value).toJavaBigDecimal();
      text = DuckDbSql.literal(decimal.toPlainString());
    } else if (type.equals(DataTypes.StringType)) {
      String string = ((UTF8String) value).toString();
      if (string.indexOf('\0') >= 0) {
        throw new NotTranslatable("a string literal with a NUL character");
      }
      text = DuckDbSql.literal(string);
    } else if (type == DateType$.MODULE$) {
      text = DuckDbSql.literal(LocalDate.ofEpochDay((Integer) value).toString());
    } else if (type == TimestampType$.MODULE$) {
      text = "make_timestamptz(CAST(" + value + " AS BIGINT))";
    } else if (type == TimestampNTZType$.MODULE$) {
      text = "make_timestamp(CAST(" + value + " AS BIGINT))";
    } else {
      throw new NotTranslatable("a literal of " + type.simpleString());
    }
    return "CAST(" + text + " AS " + duckDbType + ")";
  }

  private static long limitOf(Expression limit) throws NotTranslatable {
    if (limit instanceof Literal literal && literal.value() instanceof Integer n && n >= 0) {
      return n;
    }
    throw new NotTranslatable("a limit that is not a constant");
  }

  private static boolean isIntegral(DataType type) {
    return type == ByteType$.MODULE$
        || type == ShortType$.MODULE$
        || type == IntegerType$.MODULE$
        || type == LongType$.MODULE$;
  }

  private static int integralDigits(DataType type) {
    if (type == ByteType$.MODULE$) {
      return 3;
    }
    if (type == ShortType$.MODULE$) {
      return 5;
    }
    return type == IntegerType$.MODULE$ ? 10 : 19;
  }

  private static int integralBytes(DataType type) {
    if (type == ByteType$.MODULE$) {
      return 1;
    }
    if (type == ShortType$.MODULE$) {
      return 2;
    }
    return type == IntegerType$.MODULE$ ? 4 : 8;
  }
}

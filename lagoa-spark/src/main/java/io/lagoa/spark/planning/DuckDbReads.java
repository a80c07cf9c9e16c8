package io.lagoa.spark.planning;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.duckdb.DuckDbDatabase;
import io.lagoa.spark.duckdb.DuckDbExec;
import io.lagoa.spark.duckdb.DuckDbInstance;
import io.lagoa.spark.duckdb.DuckDbTranslation;
import io.lagoa.spark.duckdb.SparkFallback;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.planning.PhysicalAggregation$;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.ReturnAnswer;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.catalyst.trees.TreeNodeTag;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plans a query over local Iceberg tables as one DuckDB query over the Parquet files Iceberg
 * planned ({@link DuckDbTranslation}), run in-process by {@link DuckDbExec}, when DuckDB gives
 * exactly Spark's answer for every part of it and its answer is small or goes to the driver: an
 * aggregation, and at the top of a query also a final limit, a table of few rows or a filter (its
 * rows collected by DuckDB however many; handed to Spark's operators up to {@value
 * #MAX_ROWS_DEFAULT} of them, past which Spark's own plan runs the query: {@link SparkFallback}).
 * Any other plan, or part of one, is Spark's (and the accelerator's) as before. Only where Spark
 * runs in this JVM ({@code local} masters): on a cluster the files are read by executors.
 *
 * <p>Session setting {@value #ENABLED} (default true; Lagoa's {@code spark.duckdb-reads}) turns it
 * off.
 */
public final class DuckDbReads extends SparkStrategy {
  /** The session setting that turns DuckDB reads on and off. */
  public static final String ENABLED = "spark.sql.lagoa.duckdb.enabled";

  /**
   * The session setting that also reads tables with merge-on-read position delete files (default
   * false): measured on TPC-H SF1 lineitem with 2% of its rows deleted or updated, DuckDB's anti
   * join on the deleted rows made a count 100 ms slower than Comet's native scan, a selective
   * filter no faster, an aggregation 1.6x faster (docs/benchmarks.md).
   */
  public static final String DELETE_FILES = "spark.sql.lagoa.duckdb.deleteFiles.enabled";

  /**
   * The session setting for the most rows DuckDB hands to Spark's operators (a checkpoint, a cached
   * frame) for a query that neither aggregates nor ends in a limit (default {@value
   * #MAX_ROWS_DEFAULT}): past them Spark's own plan runs the query, in as many partitions as its
   * scan has, rather than one on the driver. Also the most rows in a table that a query without a
   * filter may read in DuckDB.
   */
  public static final String MAX_ROWS = "spark.sql.lagoa.duckdb.maxRows";

  static final long MAX_ROWS_DEFAULT = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(DuckDbReads.class);
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");

  /**
   * On the plan under the root, whose rows are the query's answer: there, and only there, a plan
   * that does not aggregate may be read by DuckDB (below, Spark would spread its rows).
   */
  private static final TreeNodeTag<Boolean> ANSWER = new TreeNodeTag<>("lagoa.duckdb.answer");

  /** Set by {@link #markFinalAggregation} on the aggregation whose results Spark may compute. */
  private static final TreeNodeTag<Boolean> FINAL_AGGREGATION =
      new TreeNodeTag<>("lagoa.duckdb.finalAggregation");

  private final SparkSession session;
  private final DuckDbInstance duckDb;

  /**
   * @param duckDb the DuckDB the reads run in (Spark makes a strategy for every plan it plans, so
   *     the database is kept by whoever makes them)
   */
  public DuckDbReads(SparkSession session, DuckDbInstance duckDb) {
    this.session = session;
    this.duckDb = duckDb;
  }

  @Override
  public Seq<SparkPlan> apply(LogicalPlan plan) {
    if (!Boolean.parseBoolean(session.sessionState().conf().getConfString(ENABLED, "true"))
        || SparkFallback.isSparkOnly(plan)) {
      return DriverRows.none();
    }
    LogicalPlan query = plan;
    if (plan instanceof ReturnAnswer root) {
      markFinalAggregation(root.child());
      root.child().setTagValue(ANSWER, Boolean.TRUE);
      if (!(root.child() instanceof GlobalLimit)) {
        return DriverRows.none();
      }
      // Spark plans a limit at the root itself (a top-N, a collect limit) and hands only what is
      // below it on: a query DuckDB answers whole takes its ORDER BY and LIMIT with it, rather than
      // handing every group to Spark to pick the first few.
      query = root.child();
    }
    OptionalInt cores = localCores(session.sparkContext());
    if (cores.isEmpty()) {
      return DriverRows.none();
    }
    DuckDbDatabase.Settings settings =
        new DuckDbDatabase.Settings(cores.getAsInt(), memoryBytes(session.sparkContext()));
    boolean deleteFiles =
        Boolean.parseBoolean(session.sessionState().conf().getConfString(DELETE_FILES, "false"));
    try {
      DuckDbTranslation.Query translated = DuckDbTranslation.translate(query, deleteFiles);
      Optional<SparkPlan> exec = exec(query, translated, settings);
      if (exec.isPresent()) {
        return DriverRows.seq(List.of(exec.get()));
      }
    } catch (DuckDbTranslation.NotTranslatable e) {
      LOG.debug("{} left to Spark: {}", query.nodeName(), e.getMessage());
    }
    return aggregatesOnly(query, settings, deleteFiles);
  }

  /**
   * DuckDB's read of a translated query, where it returns few rows: an aggregation's (as a rule);
   * for the query's answer also at most {@link #MAX_ROWS} by its limit or the rows of its tables,
   * or a filter's (over a join too), collected from DuckDB with Spark's plan behind it for Spark's
   * operators. A plan that reads whole large tables without a filter is Spark's: DuckDB's answer
   * would be large.
   */
  private Optional<SparkPlan> exec(
      LogicalPlan query, DuckDbTranslation.Query translated, DuckDbDatabase.Settings settings) {
    DuckDbTranslation.Shape shape = translated.shape();
    if (shape.aggregates()) {
      return Optional.of(new DuckDbExec(query.output(), translated, duckDb, settings));
    }
    if (query.getTagValue(ANSWER).isEmpty()) {
      LOG.debug("{} left to Spark: it does not aggregate", query.nodeName());
      return Optional.empty();
    }
    long maxRows = maxRows();
    if (translated.mostRows() <= maxRows) {
      return Optional.of(new DuckDbExec(query.output(), translated, duckDb, settings));
    }
    if (!shape.filters()) {
      LOG.debug("{} left to Spark: it may return more than {} rows", query.nodeName(), maxRows);
      return Optional.empty();
    }
    return Optional.of(
        new DuckDbExec(
            query.output(), translated, duckDb, settings, new SparkFallback(query, session)));
  }

  /**
   * Tags the query's final aggregation: the one under only sorts, limits, filters and projections
   * (and a write to a table). Its rows are the answer, few as a rule. An aggregation below a join
   * is not split: DuckDB would hand over every group (200,000 in TPC-H q17) for Spark to join,
   * slower than Spark's own plan.
   */
  private static void markFinalAggregation(LogicalPlan plan) {
    LogicalPlan node = plan instanceof V2WriteCommand write ? write.query() : plan;
    while (node instanceof Sort
        || node instanceof GlobalLimit
        || node instanceof LocalLimit
        || node instanceof Filter
        || node instanceof Project) {
      node = node.children().head();
    }
    if (node instanceof Aggregate) {
      node.setTagValue(FINAL_AGGREGATION, Boolean.TRUE);
    }
  }

  /** The session's {@value #MAX_ROWS}. */
  private long maxRows() {
    String value =
        session.sessionState().conf().getConfString(MAX_ROWS, Long.toString(MAX_ROWS_DEFAULT));
    try {
      long rows = Long.parseLong(value.strip());
      if (rows >= 0 && rows < Integer.MAX_VALUE) {
        return rows;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new LagoaException(
        ErrorCode.CONFIG_INVALID,
        "Cannot plan DuckDB reads: "
            + MAX_ROWS
            + " must be a number of rows from 0 to "
            + (Integer.MAX_VALUE - 1)
            + ", not '"
            + value
            + "'");
  }

  /**
   * An aggregation whose results do not translate (a ratio of sums, say): its keys and aggregates
   * in DuckDB, its results computed from them by Spark, as Spark's final aggregation would.
   */
  private Seq<SparkPlan> aggregatesOnly(
      LogicalPlan plan, DuckDbDatabase.Settings settings, boolean deleteFiles) {
    if (!(plan instanceof Aggregate aggregate)
        || aggregate.hint().isDefined()
        || aggregate.getTagValue(FINAL_AGGREGATION).isEmpty()) {
      return DriverRows.none();
    }
    Option<
            Tuple4<
                Seq<NamedExpression>, Seq<AggregateExpression>, Seq<NamedExpression>, LogicalPlan>>
        matched = PhysicalAggregation$.MODULE$.unapply(plan);
    if (matched.isEmpty()) {
      return DriverRows.none();
    }
    try {
      DuckDbTranslation.Aggregates aggregates =
          DuckDbTranslation.translateAggregates(
              CollectionConverters.asJava(matched.get()._1()),
              CollectionConverters.asJava(matched.get()._2()),
              matched.get()._4(),
              deleteFiles);
      DuckDbTranslation.Query query = aggregates.query();
      SparkPlan exec = new DuckDbExec(DriverRows.seq(query.output()), query, duckDb, settings);
      if (aggregates.computed()) {
        // an average: Spark's own final expression over the sum and count DuckDB read
        exec = new ProjectExec(DriverRows.seq(aggregates.results()), exec);
      }
      return DriverRows.seq(List.of(new ProjectExec(matched.get()._3(), exec)));
    } catch (DuckDbTranslation.NotTranslatable e) {
      LOG.debug("aggregates of {} left to Spark: {}", plan.nodeName(), e.getMessage());
      return DriverRows.none();
    }
  }

  /**
   * The cores Spark runs tasks on in this JVM: N for {@code local[N]}, the machine's for {@code
   * local[*]}, 1 for {@code local}; empty on a cluster.
   */
  public static OptionalInt localCores(SparkContext context) {
    Matcher local = LOCAL.matcher(context.master().strip());
    if (!local.matches()) {
      return OptionalInt.empty();
    }
    String count = local.group(1);
    if (count == null) {
      return OptionalInt.of(1);
    }
    return OptionalInt.of(
        count.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(count));
  }

  /**
   * DuckDB's memory: the accelerator's off-heap memory (its native operators do not run while
   * DuckDB does), or without it half the heap, at least 1 GiB.
   */
  private static long memoryBytes(SparkContext context) {
    long offHeap =
        context.getConf().getBoolean("spark.memory.offHeap.enabled", false)
            ? context.getConf().getSizeAsBytes("spark.memory.offHeap.size", "0")
            : 0;
    return offHeap > 0 ? offHeap : Math.max(1L << 30, Runtime.getRuntime().maxMemory() / 2);
  }
}

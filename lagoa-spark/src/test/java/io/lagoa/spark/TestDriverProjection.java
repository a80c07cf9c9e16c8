package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Projections over rows the driver already holds ({@code SELECT 1}: Spark's one-row relation) are
 * computed while planning, run no job, and give Spark's own answers and errors. The reference is
 * the same select over {@code range(0, 1, 1, 1)}: one row Spark produces in a task of one
 * partition, so it plans and runs the projection as always.
 */
class TestDriverProjection {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void answersSelectsWithoutFromOnTheDriverWithoutAJob() {
    for (String select :
        List.of(
            "SELECT 1",
            "SELECT 1 + 1 AS x",
            "SELECT 'a' || 'b', CAST(7.5 AS DECIMAL(12,2)) / 3, 2.0D / 3, NULL, array(1, 2),"
                + " named_struct('k', 1, 'v', 'one'), map('a', 1)",
            "SELECT CAST('2026-03-29 01:30:00' AS TIMESTAMP), DATE'1899-12-31' + 1,"
                + " date_trunc('HOUR', TIMESTAMP'2026-10-25 02:45:00'), to_date('2026-12-03'),"
                + " current_date() IS NOT NULL",
            "SELECT try_divide(1, 0), try_cast('x' AS INT), hash('x'), sha2('x', 256)")) {
      Run driver = run(select);
      assertThat(driver.plan()).as(select).startsWith("LocalTableScan").doesNotContain("Comet");
      assertThat(driver.jobs()).as(select).isZero();
      Run spark = run(select + " FROM range(0, 1, 1, 1)");
      assertThat(spark.jobs()).as(select).isPositive();
      assertThat(driver.rows()).as(select).isEqualTo(spark.rows()).hasSize(1);
    }
    assertThat(run("SELECT current_date()").plan()).startsWith("LocalTableScan");
  }

  @Test
  void answersAggregatesOverTheOneRowRelationWithoutAJob() {
    String select = "SELECT count(*), sum(1), max('a')";
    Run driver = run(select);
    assertThat(driver.plan()).startsWith("LocalTableScan");
    assertThat(driver.jobs()).isZero();
    assertThat(driver.rows()).isEqualTo(run(select + " FROM range(0, 1, 1, 1)").rows());
  }

  @Test
  void projectsValuesSparksOptimizerLeftUnfolded() {
    String query = "SELECT x + 1, upper(s) FROM VALUES (1, 'a'), (2, NULL) AS v(x, s)";
    String reference =
        "SELECT x + 1, upper(s) FROM (SELECT CAST(id + 1 AS INT) AS x,"
            + " CASE WHEN id = 0 THEN 'a' END AS s FROM range(2))";
    String rule = "spark.sql.optimizer.excludedRules";
    spark.conf().set(rule, "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation");
    try {
      Run driver = run(query);
      assertThat(driver.plan()).startsWith("LocalTableScan");
      assertThat(driver.jobs()).isZero();
      assertThat(driver.rows()).isEqualTo(run(reference).rows()).hasSize(2);
    } finally {
      spark.conf().unset(rule);
    }
  }

  @Test
  void leavesNondeterministicExpressionsAndSubqueriesToSpark() {
    for (String select :
        List.of(
            "SELECT rand(7)",
            "SELECT uuid()",
            "SELECT monotonically_increasing_id()",
            "SELECT (SELECT max(id) FROM range(3))")) {
      Run spark = run(select);
      assertThat(spark.plan()).as(select).doesNotStartWith("LocalTableScan");
      assertThat(spark.jobs()).as(select).isPositive();
    }
    assertThat(run("SELECT rand(7)").rows())
        .isEqualTo(run("SELECT rand(7) FROM range(0, 1, 1, 1)").rows());
    assertThat(run("SELECT (SELECT max(id) FROM range(3))").rows().get(0).getLong(0)).isEqualTo(2);
  }

  @Test
  void failsWhereAndAsSparkDoes() {
    for (String select :
        List.of(
            "SELECT 1 / 0", // Spark's optimizer folds constants: fails while planning, as in Spark
            "SELECT CAST('x' AS INT)",
            "SELECT 9223372036854775807L + 1",
            "SELECT assert_true(1 > 2)", // not foldable: fails when the query runs
            "SELECT raise_error('stop here')",
            "SELECT element_at(array(1), 5)")) {
      Outcome driver = outcome(select);
      Outcome spark = outcome(select + " FROM range(0, 1, 1, 1)");
      assertThat(driver).as(select).isEqualTo(spark);
      assertThat(driver.planning() != null || driver.running() != null).as(select).isTrue();
      if (driver.planning() == null) {
        assertThat(plan(select)).as(select).doesNotStartWith("LocalTableScan");
      }
    }
  }

  /** Spark's error condition while planning the query, or else while running it. */
  private record Outcome(String planning, String running) {}

  private static Outcome outcome(String query) {
    Throwable planning = catchThrowable(() -> plan(query));
    if (planning != null) {
      return new Outcome(condition(planning), null);
    }
    return new Outcome(null, condition(catchThrowable(() -> rows(query))));
  }

  private record Run(String plan, List<Row> rows, int jobs) {}

  /** Runs the query in a job group of its own, to count the jobs it ran. */
  private static Run run(String query) {
    String group = "test-" + UUID.randomUUID();
    spark.sparkContext().setJobGroup(group, query, false);
    try {
      SparkSession.setActiveSession(spark);
      Dataset<Row> frame = spark.sql(query);
      List<Row> rows = frame.collectAsList();
      // The status tracker learns of jobs from Spark's listener bus, after they ran.
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (TimeoutException e) {
        throw new AssertionError("Spark's listener bus did not drain", e);
      }
      return new Run(
          frame.queryExecution().executedPlan().toString(),
          rows,
          spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private static List<Row> rows(String query) {
    SparkSession.setActiveSession(spark);
    return spark.sql(query).collectAsList();
  }

  /** The physical plan, without running the query. */
  private static String plan(String query) {
    SparkSession.setActiveSession(spark);
    return spark.sql(query).queryExecution().executedPlan().toString();
  }

  /**
   * Spark's error condition (e.g. DIVIDE_BY_ZERO), from the error or what it wraps; the error's
   * class when it has none; null for no error.
   */
  private static String condition(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null) {
        return spark.getCondition();
      }
    }
    return error == null ? null : error.getClass().getName();
  }
}

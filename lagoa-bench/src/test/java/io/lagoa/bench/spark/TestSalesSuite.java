package io.lagoa.bench.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.Layout;
import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.Suite;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sales suite on a tiny table, with the metrics Spark reports. */
class TestSalesSuite {
  private static final long ROWS = 30_000;
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    catalog = LagoaCatalogs.open(warehouse.config());
    new SalesGenerator(spark, catalog)
        .generate(new SalesGenerator.Options(ROWS, 42, "bench", Layout.DEFAULT));
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  @Test
  void everyQueryRunsWithMetricsFromTheExecutedPlan() {
    BenchRun run =
        new BenchRun(
            spark,
            catalog,
            new BenchRun.Request(Suite.SALES, "bench", Suite.SALES.queries(), 1, 2, null));
    Configuration result = run.run("default", run.sessionSettings(), new Silent());
    assertThat(result.queries())
        .extracting(QueryRun::query)
        .containsExactly(
            "full_scan",
            "full_scan_sum",
            "partition_filter",
            "aggregation",
            "join",
            "needle",
            "range_filter");
    for (QueryRun query : result.queries()) {
      assertThat(query.timesMillis()).as(query.query()).hasSize(2).allMatch(time -> time > 0);
    }
    long files = Long.parseLong(run.dataset().get("vendas.data_files"));
    assertThat(files).isGreaterThanOrEqualTo(12);

    // COUNT(*) is answered from Iceberg metadata: no file is read.
    assertThat(metrics(result, "full_scan").filesRead()).isZero();
    QueryMetrics all = metrics(result, "full_scan_sum");
    assertThat(all.filesRead()).isEqualTo(files);
    assertThat(all.rowsScanned()).isEqualTo(ROWS);
    assertThat(all.bytesRead()).isEqualTo(Long.parseLong(run.dataset().get("vendas.bytes")));
    // One month of twelve: the other months' files are skipped.
    QueryMetrics january = metrics(result, "partition_filter");
    assertThat(january.filesRead()).isPositive().isLessThan(files / 6);
    assertThat(january.filesSkipped()).isEqualTo(files - january.filesRead());
    assertThat(january.bytesRead()).isLessThan(all.bytesRead() / 6);
    QueryMetrics aggregation = metrics(result, "aggregation");
    assertThat(aggregation.shuffleBytes()).isPositive();
    assertThat(aggregation.rowsOut())
        .isEqualTo(spark.sql("SELECT DISTINCT produto FROM bench.vendas").count());
    assertThat(metrics(result, "join").rowsOut()).isEqualTo(5);
    QueryMetrics needle = metrics(result, "needle");
    assertThat(needle.rowsOut()).isEqualTo(1);
    assertThat(needle.filesRead())
        .as("ids grow with dates: one month's file")
        .isLessThan(files / 6);
    assertThat(metrics(result, "range_filter").rowsScanned()).isPositive();
    assertThat(run.sessionSettings()).containsEntry("layout", "monthly").containsKey("memory");
  }

  @Test
  void aFailingQueryNamesItself() {
    QueryRunner runner = new QueryRunner(spark, 0, 1);
    assertThatThrownBy(
            () -> runner.run(new BenchQuery("broken", "", "SELECT nope FROM bench.vendas")))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR))
        .hasMessageStartingWith("cannot run query broken:")
        .hasMessageContaining("nope");
  }

  @Test
  void missingTablesSayHowToMakeThem() {
    BenchRun run =
        new BenchRun(
            spark,
            catalog,
            new BenchRun.Request(Suite.SALES, "elsewhere", Suite.SALES.queries(), 0, 1, null));
    assertThatThrownBy(run::checkTables)
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessage(
            "cannot run the benchmark: table elsewhere.vendas does not exist; create it first with"
                + " 'lagoa bench generate --namespace elsewhere'");
  }

  private static QueryMetrics metrics(Configuration result, String query) {
    return result.query(query).orElseThrow().metrics();
  }

  static final class Silent implements QueryRunner.Listener {
    @Override
    public void started(BenchQuery query, int number, int total) {}

    @Override
    public void finished(QueryRun run) {}
  }
}

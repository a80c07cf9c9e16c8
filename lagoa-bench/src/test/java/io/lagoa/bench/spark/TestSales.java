package io.lagoa.bench.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.Layout;
import io.lagoa.bench.MissingBenchTableException;
import io.lagoa.bench.QueryMetrics;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.Suite;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.planning.DuckDbReads;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.OptionalLong;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sales generator and the sales suite on tiny tables, with the metrics Spark reports. */
class TestSales {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    catalog = LagoaCatalogs.open(warehouse.config());
    new SalesGenerator(spark, catalog)
        .generate(new SalesGenerator.Options(20_000, 42, "bench_a", Layout.DEFAULT));
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  @Test
  void sameSeedSameRowsAnyLayoutAnotherSeedOtherRows() {
    SalesGenerator generator = new SalesGenerator(spark, catalog);
    Layout daily =
        new Layout(
            Layout.Partitioning.DAILY, "valor", OptionalLong.of(1 << 20), OptionalLong.empty());
    SalesGenerator.Generated second =
        generator.generate(new SalesGenerator.Options(20_000, 42, "bench_b", daily));
    generator.generate(new SalesGenerator.Options(1_000, 7, "bench_c", Layout.DEFAULT));

    assertThat(second.rows()).isEqualTo(20_000);
    assertThat(second.bytes()).isPositive();
    assertThat(checksum("bench_a.vendas")).isEqualTo(checksum("bench_b.vendas"));
    assertThat(checksum("bench_a.estoque")).isEqualTo(checksum("bench_b.estoque"));
    // Products, quantities and values depend on the id and the seed only, not the row count.
    String values =
        "SELECT count(*), sum(pmod(xxhash64(id, produto, valor, quantidade), 1000003))"
            + " FROM %s WHERE id <= 1000";
    assertThat(one(String.format(values, "bench_c.vendas")))
        .isNotEqualTo(one(String.format(values, "bench_a.vendas")));
    generator.generate(new SalesGenerator.Options(1_000, 42, "bench_c", Layout.DEFAULT));
    assertThat(one(String.format(values, "bench_c.vendas")))
        .isEqualTo(one(String.format(values, "bench_a.vendas")));
    assertThat(one("SELECT count(DISTINCT id), min(id), max(id) FROM bench_a.vendas"))
        .containsExactly(20_000L, 1L, 20_000L);
    assertThat(one("SELECT count(DISTINCT concat(ano, '-', mes, '-', dia)) FROM bench_b.vendas"))
        .containsExactly(365L);
    assertThat((Long) one("SELECT count(*) FROM bench_b.vendas.files").get(0))
        .as("daily partitions: a file per day at least")
        .isGreaterThanOrEqualTo(365L);
  }

  @Test
  void salesAreSkewedAndSeasonal() {
    List<Object> shape =
        one(
            "SELECT sum(CASE WHEN rank <= 10 THEN n END), count(*)"
                + " FROM (SELECT produto, count(*) AS n,"
                + " row_number() OVER (ORDER BY count(*) DESC) AS rank"
                + " FROM bench_a.vendas GROUP BY produto)");
    // The 10 best-selling of 1,000 products make about 10% of sales, not 1%.
    assertThat((Long) shape.get(0)).isGreaterThan(20_000 / 20);
    assertThat((Long) shape.get(1)).isGreaterThan(500);
    List<Object> season =
        one(
            "SELECT count_if(mes = 12), count_if(mes = 2), count_if(data = DATE'2023-11-24'),"
                + " count_if(data = DATE'2023-11-17') FROM bench_a.vendas");
    assertThat((Long) season.get(0)).isGreaterThan((Long) season.get(1) * 3 / 2);
    // Black Friday against the Friday before it.
    assertThat((Long) season.get(2)).isGreaterThan((Long) season.get(3) * 2);
    // Every sale's product is in estoque, and its valor follows the list price.
    assertThat(
            one(
                "SELECT count(*), sum(CASE WHEN v.valor BETWEEN e.preco * v.quantidade * 0.84"
                    + " AND e.preco * v.quantidade * 1.16 THEN 1 ELSE 0 END)"
                    + " FROM bench_a.vendas v JOIN bench_a.estoque e ON v.produto = e.produto"))
        .containsExactly(20_000L, 20_000L);
    assertThat(one("SELECT count(*), count(DISTINCT armazem) FROM bench_a.estoque"))
        .containsExactly(1000L, 5L);
  }

  @Test
  void dayRangesCoverEveryIdOnceAndEveryBucketTheyTouch() {
    long[] perDay = SalesGenerator.dayCounts(1_000_003);
    assertThat(java.util.Arrays.stream(perDay).sum()).isEqualTo(1_000_003);
    long width = SalesGenerator.bucketWidth(1_000_003);
    List<long[]> ranges = SalesGenerator.dayRanges(perDay, width);
    long next = 1;
    long lastDay = -1;
    for (long[] range : ranges) {
      assertThat(range[0]).isBetween(range[2] / width, range[3] / width);
      if (range[1] != lastDay) {
        assertThat(range[2]).isEqualTo(next);
        next = range[3] + 1;
        lastDay = range[1];
      }
    }
    assertThat(next).isEqualTo(1_000_004);
    assertThat(lastDay).isEqualTo(364);
  }

  @Test
  void neverReplacesATableItDidNotMake() {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS mine");
    spark.sql("CREATE TABLE mine.vendas (id BIGINT) USING iceberg");
    spark.sql("INSERT INTO mine.vendas VALUES (1)");
    assertThatThrownBy(
            () ->
                new SalesGenerator(spark, catalog)
                    .generate(new SalesGenerator.Options(1000, 42, "mine", Layout.DEFAULT)))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT))
        .hasMessageContaining("mine.vendas already exists and was not made by lagoa bench");
    assertThat(one("SELECT count(*) FROM mine.vendas")).containsExactly(1L);
  }

  @Test
  void everyQueryRunsWithMetricsFromTheExecutedPlan() {
    BenchRun run =
        new BenchRun(
            spark,
            catalog,
            new BenchRun.Request(Suite.SALES, "bench_a", Suite.SALES.queries(), 0, 2, null));
    // Spark's own metrics: DuckDB reads (on by default) report theirs, checked below
    spark.conf().set(DuckDbReads.ENABLED, "false");
    Configuration result;
    try {
      result = run.run("default", run.sessionSettings(), new Silent());
    } finally {
      spark.conf().set(DuckDbReads.ENABLED, "true");
    }
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
    assertThat(all.rowsScanned()).isEqualTo(20_000L);
    assertThat(all.bytesRead()).isEqualTo(Long.parseLong(run.dataset().get("vendas.bytes")));
    // One month of twelve: the other months' files are skipped.
    QueryMetrics january = metrics(result, "partition_filter");
    assertThat(january.filesRead()).isPositive().isLessThan(files / 6);
    assertThat(january.filesSkipped()).isEqualTo(files - january.filesRead());
    assertThat(january.bytesRead()).isLessThan(all.bytesRead() / 6);
    QueryMetrics aggregation = metrics(result, "aggregation");
    assertThat(aggregation.shuffleBytes()).isPositive();
    assertThat(aggregation.rowsOut())
        .isEqualTo(spark.sql("SELECT DISTINCT produto FROM bench_a.vendas").count());
    assertThat(metrics(result, "join").rowsOut()).isEqualTo(5);
    // Run in DuckDB: the files it was given, their size and the rows in them
    Configuration duckDb = run.run("duckdb", run.sessionSettings(), new Silent());
    QueryMetrics inDuckDb = metrics(duckDb, "full_scan_sum");
    assertThat(inDuckDb.filesRead()).isEqualTo(files);
    assertThat(inDuckDb.rowsScanned()).isEqualTo(20_000L);
    assertThat(inDuckDb.bytesRead()).isEqualTo(all.bytesRead());
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
            () -> runner.run(new BenchQuery("broken", "", "SELECT nope FROM bench_a.vendas")))
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
        .isInstanceOfSatisfying(
            MissingBenchTableException.class,
            e -> {
              assertThat(e.suite()).isEqualTo(Suite.SALES);
              assertThat(e.namespace()).isEqualTo("elsewhere");
            })
        .hasMessage(
            "cannot run the benchmark: table elsewhere.vendas does not exist; generate the sales"
                + " suite's tables in namespace elsewhere first");
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

  private static String checksum(String table) {
    return String.valueOf(one("SELECT count(*), sum(pmod(xxhash64(*), 1000000007)) FROM " + table));
  }

  private static List<Object> one(String sql) {
    Row row = spark.sql(sql).collectAsList().get(0);
    List<Object> values = new java.util.ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      values.add(row.get(i));
    }
    return values;
  }
}

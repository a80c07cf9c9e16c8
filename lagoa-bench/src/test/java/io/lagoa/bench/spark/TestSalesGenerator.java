package io.lagoa.bench.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.bench.Layout;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.OptionalLong;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestSalesGenerator {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    catalog = LagoaCatalogs.open(warehouse.config());
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  @Test
  void sameSeedSameRowsAnyLayoutAnotherSeedOtherRows() {
    SalesGenerator generator = new SalesGenerator(spark, catalog);
    SalesGenerator.Generated first =
        generator.generate(new SalesGenerator.Options(20_000, 42, "bench_a", Layout.DEFAULT));
    Layout daily =
        new Layout(
            Layout.Partitioning.DAILY, "valor", OptionalLong.of(1 << 20), OptionalLong.empty());
    generator.generate(new SalesGenerator.Options(20_000, 42, "bench_b", daily));
    generator.generate(new SalesGenerator.Options(20_000, 7, "bench_c", Layout.DEFAULT));

    assertThat(first.rows()).isEqualTo(20_000);
    assertThat(first.bytes()).isPositive();
    assertThat(checksum("bench_a.vendas")).isEqualTo(checksum("bench_b.vendas"));
    assertThat(checksum("bench_a.estoque")).isEqualTo(checksum("bench_b.estoque"));
    assertThat(checksum("bench_a.vendas")).isNotEqualTo(checksum("bench_c.vendas"));
    assertThat(one("SELECT count(DISTINCT id), min(id), max(id) FROM bench_a.vendas"))
        .containsExactly(20_000L, 1L, 20_000L);
    assertThat(one("SELECT count(DISTINCT concat(ano, '-', mes, '-', dia)) FROM bench_b.vendas"))
        .containsExactly(365L);
    assertThat(spark.table("bench_b.vendas").inputFiles().length)
        .as("daily partitions: a file per day at least")
        .isGreaterThanOrEqualTo(365);
    // Same rows generated again: identical.
    generator.generate(new SalesGenerator.Options(20_000, 42, "bench_a", Layout.DEFAULT));
    assertThat(checksum("bench_a.vendas")).isEqualTo(checksum("bench_b.vendas"));
  }

  @Test
  void salesAreSkewedAndSeasonal() {
    new SalesGenerator(spark, catalog)
        .generate(new SalesGenerator.Options(50_000, 42, "bench_skew", Layout.DEFAULT));
    // The 10 best-selling of 1,000 products make far more than 1% of sales.
    long top10 =
        (Long)
            one("SELECT sum(n) FROM (SELECT count(*) AS n FROM bench_skew.vendas GROUP BY produto"
                    + " ORDER BY n DESC LIMIT 10)")
                .get(0);
    assertThat(top10).isGreaterThan(50_000 / 10);
    assertThat((Long) one("SELECT count(DISTINCT produto) FROM bench_skew.vendas").get(0))
        .isGreaterThan(500);
    long december = (Long) one("SELECT count(*) FROM bench_skew.vendas WHERE mes = 12").get(0);
    long february = (Long) one("SELECT count(*) FROM bench_skew.vendas WHERE mes = 2").get(0);
    assertThat(december).isGreaterThan(february * 3 / 2);
    long blackFriday =
        (Long) one("SELECT count(*) FROM bench_skew.vendas WHERE data = DATE'2023-11-24'").get(0);
    long fridayBefore =
        (Long) one("SELECT count(*) FROM bench_skew.vendas WHERE data = DATE'2023-11-17'").get(0);
    assertThat(blackFriday).isGreaterThan(fridayBefore * 2);
    // Every sale's product is in estoque, and its valor follows the list price.
    assertThat(
            one(
                "SELECT count(*), sum(CASE WHEN v.valor BETWEEN e.preco * v.quantidade * 0.84"
                    + " AND e.preco * v.quantidade * 1.16 THEN 1 ELSE 0 END)"
                    + " FROM bench_skew.vendas v JOIN bench_skew.estoque e ON v.produto = e.produto"))
        .containsExactly(50_000L, 50_000L);
    assertThat(one("SELECT count(*), count(DISTINCT armazem) FROM bench_skew.estoque"))
        .containsExactly(1000L, 5L);
  }

  @Test
  void segmentsCoverEveryIdOnceAndStayInsideADay() {
    long[] perDay = SalesGenerator.dayCounts(1_000_003);
    assertThat(java.util.Arrays.stream(perDay).sum()).isEqualTo(1_000_003);
    List<long[]> segments = SalesGenerator.segmentsOf(perDay, 7);
    long next = 1;
    for (long[] segment : segments) {
      assertThat(segment[2]).isEqualTo(next);
      next += segment[3];
    }
    assertThat(next).isEqualTo(1_000_004);
    assertThat(segments.stream().mapToLong(s -> s[0]).distinct().count()).isEqualTo(7);
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

package io.lagoa.spark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestDemo {
  private static final long ROWS = 2_000;

  private static TestingWarehouse warehouse;
  private static SparkSql sql;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
    catalog = LagoaCatalogs.open(warehouse.config());
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  @Test
  void everyStepLeavesWhatItReports() {
    List<String> events = new ArrayList<>();
    DemoReport report =
        new Demo(sql, catalog, new DemoOptions(ROWS, "t1_"))
            .run(
                new DemoListener() {
                  @Override
                  public void started(DemoStep step, int number, int total) {
                    events.add("start " + step.label() + " " + number + "/" + total);
                  }

                  @Override
                  public void finished(StepResult result) {
                    events.add("end " + result.step().label());
                  }
                });
    assertThat(events)
        .startsWith("start prepare 1/8", "end prepare", "start bronze 2/8", "end bronze")
        .endsWith("start change feed 8/8", "end change feed")
        .hasSize(16);

    Expected expected = Expected.forRows(ROWS);

    // bronze: every generated row, duplicates and bad ones included, as strings
    assertThat(single("SELECT count(*) FROM t1_bronze.vendas")).isEqualTo(ROWS);
    assertThat(report.step(DemoStep.BRONZE).metric("rows")).isEqualTo(ROWS);
    QueryResult bronzeTypes = sql.execute("DESCRIBE t1_bronze.vendas", 10);
    assertThat(bronzeTypes.rows()).extracting(row -> row.get(1)).containsOnly("string");

    // silver: typed, the bad rows rejected for their reason, one row per id
    StepResult silver = report.step(DemoStep.SILVER);
    assertThat(silver.metric("rows_read")).isEqualTo(ROWS);
    assertThat(silver.metric("rejected_missing_id")).isEqualTo(expected.missingId);
    assertThat(silver.metric("rejected_valor")).isEqualTo(expected.badValor);
    assertThat(silver.metric("rejected_quantidade")).isEqualTo(expected.badQuantidade);
    assertThat(silver.metric("rejected_data")).isEqualTo(expected.badData);
    assertThat(silver.metric("duplicates")).isEqualTo(expected.duplicates);
    assertThat(silver.metric("rows")).isEqualTo(expected.silverRows);
    long snapshotBefore = report.snapshotBeforeMerge();
    assertThat(single("SELECT count(*) FROM t1_silver.vendas VERSION AS OF " + snapshotBefore))
        .isEqualTo(expected.silverRows);
    assertThat(
            single(
                "SELECT count(DISTINCT id) FROM t1_silver.vendas VERSION AS OF " + snapshotBefore))
        .isEqualTo(expected.silverRows);
    // the repaired formats parsed: id 4 had a decimal comma, id 8 a dd/MM/yyyy date
    assertThat(single("SELECT count(*) FROM t1_silver.vendas WHERE id IN (4, 8)")).isEqualTo(2L);
    assertThat(single("SELECT count(*) FROM t1_silver.vendas WHERE id IN (6, 18, 43, 102)"))
        .isZero();
    assertThat(single("SELECT count(DISTINCT produto) FROM t1_silver.vendas")).isEqualTo(10L);
    assertThat(single("SELECT count(*) FROM t1_silver.vendas.partitions")).isEqualTo(12L);
    assertThat(silver.metric("partitions")).isEqualTo(12L);

    // gold: totals agree with silver as it was when gold was built
    assertThat(single("SELECT sum(vendas) FROM t1_gold.vendas_por_produto"))
        .isEqualTo(expected.silverRows);
    assertThat(single("SELECT sum(vendas) FROM t1_gold.vendas_por_mes"))
        .isEqualTo(expected.silverRows);
    assertThat(single("SELECT count(*) FROM t1_gold.vendas_por_mes")).isEqualTo(12L);
    BigDecimal goldRevenue =
        (BigDecimal) value("SELECT sum(receita) FROM t1_gold.vendas_por_produto");
    BigDecimal silverRevenue =
        (BigDecimal)
            value("SELECT sum(valor) FROM t1_silver.vendas VERSION AS OF " + snapshotBefore);
    assertThat(goldRevenue).isEqualByComparingTo(silverRevenue);

    // merge: every 10th December sale corrected, 1% new sales, only December rewritten
    long decemberCorrections =
        single(
            "SELECT count(*) FROM t1_silver.vendas VERSION AS OF "
                + snapshotBefore
                + " WHERE data >= DATE'2025-12-01' AND (id - 1) % 10 = 0");
    assertThat(decemberCorrections).isPositive();
    StepResult merge = report.step(DemoStep.MERGE);
    assertThat(merge.metric("updated")).isEqualTo(decemberCorrections);
    assertThat(merge.metric("inserted")).isEqualTo(ROWS / 100);
    assertThat(single("SELECT count(*) FROM t1_silver.vendas"))
        .isEqualTo(expected.silverRows + ROWS / 100);
    assertThat(
            single(
                "SELECT count(*) FROM t1_silver.vendas WHERE id > "
                    + ROWS
                    + " AND data < DATE'2025-12-01'"))
        .isZero();
    assertThat(merge.metric("snapshot")).isEqualTo(report.snapshotAfterMerge());
    assertThat(
            value(
                "SELECT summary['changed-partition-count'] FROM t1_silver.vendas.snapshots"
                    + " WHERE snapshot_id = "
                    + report.snapshotAfterMerge()))
        .isEqualTo("1");

    // time travel: the old version still has the old quantity of a corrected sale
    long corrected =
        single(
            "SELECT min(id) FROM t1_silver.vendas VERSION AS OF "
                + snapshotBefore
                + " WHERE data >= DATE'2025-12-01' AND (id - 1) % 10 = 0");
    long before =
        single(
            "SELECT quantidade FROM t1_silver.vendas VERSION AS OF "
                + snapshotBefore
                + " WHERE id = "
                + corrected);
    long now = single("SELECT quantidade FROM t1_silver.vendas WHERE id = " + corrected);
    assertThat(now).isEqualTo(before + 1);
    StepResult timeTravel = report.step(DemoStep.TIME_TRAVEL);
    assertThat(timeTravel.metric("rows_before")).isEqualTo(expected.silverRows);
    assertThat(timeTravel.metric("rows_now")).isEqualTo(expected.silverRows + ROWS / 100);
    assertThat(timeTravel.metric("rows_changed")).isEqualTo(decemberCorrections);
    QueryResult sideBySide = timeTravel.samples().get(0).result();
    assertThat(sideBySide.rows()).hasSizeBetween(2, 3);
    assertThat(sideBySide.rows().get(0).get(0)).isEqualTo(corrected);

    // schema change: new column, wider type, no new snapshot
    QueryResult columns = sql.execute("DESCRIBE t1_silver.vendas", 20);
    assertThat(columns.rows())
        .extracting(row -> row.get(0) + " " + row.get(1))
        .contains("desconto decimal(10,2)", "quantidade bigint");
    assertThat(single("SELECT count(*) FROM t1_silver.vendas WHERE desconto IS NOT NULL")).isZero();
    StepResult schema = report.step(DemoStep.SCHEMA_CHANGE);
    assertThat(schema.metric("snapshot")).isEqualTo(report.snapshotAfterMerge());
    assertThat(schema.metric("columns")).isEqualTo(schema.metric("columns_before") + 1);
    assertThat(
            sql.execute(
                    "SELECT * FROM t1_silver.vendas VERSION AS OF " + snapshotBefore + " LIMIT 1",
                    1)
                .columns())
        .extracting("name")
        .doesNotContain("desconto");

    // change feed: updates as before/after pairs, inserts, nothing deleted
    StepResult changes = report.step(DemoStep.CHANGE_FEED);
    assertThat(changes.metric("update_before")).isEqualTo(decemberCorrections);
    assertThat(changes.metric("update_after")).isEqualTo(decemberCorrections);
    assertThat(changes.metric("insert")).isEqualTo(ROWS / 100);
    assertThat(changes.metric("delete")).isZero();
    Object second = sideBySide.rows().get(1).get(0);
    QueryResult sample = changes.samples().get(1).result();
    assertThat(sample.rows())
        .extracting(row -> row.get(0) + " " + row.get(1))
        .containsExactly(
            "UPDATE_BEFORE " + corrected, "UPDATE_AFTER " + corrected,
            "UPDATE_BEFORE " + second, "UPDATE_AFTER " + second,
            "INSERT " + (ROWS + 1), "INSERT " + (ROWS + 2));

    // every table carries the demo's mark
    for (String table : report.tables().all()) {
      assertThat(sql.execute("SHOW TBLPROPERTIES " + table + " ('lagoa.demo')", 1).rows().get(0))
          .containsExactly("lagoa.demo", "true");
    }
  }

  @Test
  void aSecondRunReplacesTheDemosOwnTables() {
    DemoOptions options = new DemoOptions(ROWS, "t2_");
    new Demo(sql, catalog, options).run(new DemoListener() {});
    DemoReport second = new Demo(sql, catalog, options).run(new DemoListener() {});
    assertThat(second.step(DemoStep.PREPARE).metric("tables_replaced")).isEqualTo(4);
    assertThat(second.step(DemoStep.PREPARE).metric("namespaces_created")).isZero();
    assertThat(single("SELECT count(*) FROM t2_bronze.vendas")).isEqualTo(ROWS);
    // a fresh table: its history is this run's insert and MERGE only
    assertThat(single("SELECT count(*) FROM t2_silver.vendas.snapshots")).isEqualTo(2L);
    assertThat(second.step(DemoStep.CHANGE_FEED).metric("update_after"))
        .isEqualTo(second.step(DemoStep.MERGE).metric("updated"))
        .isPositive();
  }

  @Test
  void aTableTheDemoDidNotCreateIsLeftAlone() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS t3_bronze");
    sql.run("CREATE TABLE t3_bronze.vendas (id BIGINT, nota STRING) USING iceberg");
    sql.run("INSERT INTO t3_bronze.vendas VALUES (1, 'meu dado')");
    long snapshot = single("SELECT snapshot_id FROM t3_bronze.vendas.snapshots");

    assertThatThrownBy(
            () -> new Demo(sql, catalog, new DemoOptions(ROWS, "t3_")).run(new DemoListener() {}))
        .isInstanceOfSatisfying(
            LagoaException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT);
              assertThat(e.getMessage())
                  .contains("t3_bronze.vendas", "lagoa.demo=true", "the namespace prefix demo_")
                  .doesNotContain("--namespace-prefix");
            });

    assertThat(sql.execute("SELECT * FROM t3_bronze.vendas", 10).rows())
        .containsExactly(List.of(1L, "meu dado"));
    assertThat(single("SELECT snapshot_id FROM t3_bronze.vendas.snapshots")).isEqualTo(snapshot);
    assertThat(sql.execute("SHOW NAMESPACES", 100).rows())
        .extracting(row -> row.get(0))
        .doesNotContain("t3_silver", "t3_gold");
  }

  @Test
  void rejectsRowCountsOutsideTheRange() {
    assertThatThrownBy(() -> new DemoOptions(10, ""))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("the row count must be between 1000 and");
    assertThatThrownBy(() -> new DemoOptions(ROWS, "Bad-Prefix"))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("Bad-Prefix");
  }

  private static long single(String query) {
    return ((Number) value(query)).longValue();
  }

  private static Object value(String query) {
    return sql.execute(query, 1).rows().get(0).get(0);
  }

  /** The demo's data rules, recomputed independently of its SQL. */
  private record Expected(
      long missingId,
      long badValor,
      long badQuantidade,
      long badData,
      long duplicates,
      long silverRows) {

    static Expected forRows(long rows) {
      long missingId = 0;
      long badValor = 0;
      long badQuantidade = 0;
      long badData = 0;
      long duplicates = 0;
      Set<Long> ids = new HashSet<>();
      for (long i = 0; i < rows; i++) {
        long k = i % 100 == 99 ? i - 1 : i;
        if (k % 500 == 17) {
          missingId++;
        } else if (k % 600 == 101) {
          badValor++;
        } else if (k % 700 == 42) {
          badQuantidade++;
        } else if (k % 800 == 5) {
          badData++;
        } else if (!ids.add(k + 1)) {
          duplicates++;
        }
      }
      return new Expected(missingId, badValor, badQuantidade, badData, duplicates, ids.size());
    }
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestPipelineRunner {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
    fixture = new PipelineFixture(spark, warehouse, "p");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }







  @Test
  void appliesEachExpectationPolicy() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS pol_bronze");
    sql.run("CREATE TABLE pol_bronze.users (id INT, age INT, email STRING) USING iceberg");
    sql.run("INSERT INTO pol_bronze.users VALUES (1, 30, 'a@x'), (2, NULL, 'b@x'), (NULL, 40, 'c@x'),"
        + " (4, 200, 'd@x'), (5, 20, 'no-at')");
    Path folder = fixture.pipeline("pol",
        "users.sql",
        "CREATE MATERIALIZED VIEW users (\n"
            + "  CONSTRAINT has_id EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW,\n"
            + "  CONSTRAINT sane_age EXPECT (age < 150) ON VIOLATION QUARANTINE,\n"
            + "  CONSTRAINT has_at EXPECT (email LIKE '%@%')\n"
            + ") COMMENT 'clean users' AS\nSELECT * FROM pol_bronze.users");
    RunResult result = fixture.attempt(folder);
    assertThat(result.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    FlowResult users = PipelineFixture.flow(result, "pol.users");
    assertThat(users.rowsRead()).isEqualTo(5);
    // NULL age fails sane_age (NULL is a violation), 200 too; the NULL id is dropped
    assertThat(users.rowsQuarantined()).isEqualTo(2);
    assertThat(users.rowsDropped()).isEqualTo(1);
    assertThat(users.rowsWritten()).isEqualTo(2);
    assertThat(users.expectations())
        .extracting(ExpectationResult::rule, ExpectationResult::rowsFailed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("has_id", 1L),
            org.assertj.core.groups.Tuple.tuple("sane_age", 2L),
            org.assertj.core.groups.Tuple.tuple("has_at", 1L));
    assertThat(fixture.rows("SELECT id FROM pol.users ORDER BY id")).containsExactly(List.of(1), List.of(5));
    assertThat(fixture.rows("SELECT id, _rule, _reason, _run_id FROM pol.users_quarantine ORDER BY id"))
        .containsExactly(
            List.of(2, "sane_age", "failed EXPECT (age < 150)", result.runId()),
            List.of(4, "sane_age", "failed EXPECT (age < 150)", result.runId()));

    // FAIL: nothing is written, the run fails naming the rule and its place
    Path failing = fixture.pipeline("pol",
        "users.sql",
        "CREATE MATERIALIZED VIEW users (\n"
            + "  CONSTRAINT adult EXPECT (age >= 18) ON VIOLATION FAIL UPDATE\n"
            + ") AS SELECT * FROM pol_bronze.users");
    long before = snapshot("pol.users");
    RunResult failed = fixture.attempt(failing);
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("users.sql:2:3: expectation adult (age >= 18) failed for 1 of 5 rows");
    assertThat(PipelineFixture.flow(failed, "pol.users").expectations().get(0).rowsFailed()).isEqualTo(1);
    assertThat(snapshot("pol.users")).isEqualTo(before);
  }

  private static long snapshot(String table) {
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    org.apache.iceberg.Table loaded = catalog.loadTable(TableIdentifier.parse(table));
    loaded.refresh();
    return loaded.currentSnapshot().snapshotId();
  }

  @Test
  void aFailedRunLeavesEveryTableAsBeforeAndCanBeRerun() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS atom_bronze");
    sql.run("CREATE TABLE atom_bronze.sales (id INT, amount STRING) USING iceberg");
    sql.run("INSERT INTO atom_bronze.sales VALUES (1, '10'), (2, '20')");
    String silver = "CREATE MATERIALIZED VIEW silver_sales AS\n"
        + "SELECT id, CAST(amount AS INT) AS amount FROM atom_bronze.sales";
    String gold = "CREATE MATERIALIZED VIEW gold_total AS\nSELECT sum(amount) AS total FROM silver_sales";
    Path folder = fixture.pipeline("atom", "a_silver.sql", silver, "b_gold.sql", gold);
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    long silverBefore = snapshot("atom.silver_sales");
    long goldBefore = snapshot("atom.gold_total");

    // new bad data: silver now changes its schema too; gold fails at run time (cast error)
    sql.run("INSERT INTO atom_bronze.sales VALUES (3, 'x')");
    Path broken = fixture.pipeline("atom",
        "a_silver.sql", "CREATE MATERIALIZED VIEW silver_sales PARTITIONED BY (id) AS\n"
            + "SELECT id, amount, 'new' AS extra FROM atom_bronze.sales",
        "b_gold.sql", "CREATE MATERIALIZED VIEW gold_total AS\n"
            + "SELECT sum(CAST(amount AS INT)) AS total FROM silver_sales",
        "c_new.sql", "CREATE MATERIALIZED VIEW brand_new AS SELECT * FROM silver_sales");
    RunOptions serial = new RunOptions(List.of(), false, false, 1);
    RunResult failed = fixture.attempt(broken, serial);
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.error().orElseThrow()).contains("b_gold.sql:").contains("CAST_INVALID_INPUT");
    assertThat(PipelineFixture.flow(failed, "atom.silver_sales").status()).isEqualTo(FlowStatus.ROLLED_BACK);
    assertThat(PipelineFixture.flow(failed, "atom.gold_total").status()).isEqualTo(FlowStatus.FAILED);
    assertThat(snapshot("atom.silver_sales")).isEqualTo(silverBefore);
    assertThat(snapshot("atom.gold_total")).isEqualTo(goldBefore);
    assertThat(fixture.rows("SELECT * FROM atom.silver_sales ORDER BY id"))
        .containsExactly(List.of(1, 10), List.of(2, 20));
    assertThat(fixture.rows("SHOW TABLES IN atom")).extracting(row -> row.get(1))
        .doesNotContain("brand_new");
    spark.sql("DESCRIBE TABLE atom.silver_sales").collectAsList(); // old schema: no 'extra'
    assertThat(spark.table("atom.silver_sales").columns()).containsExactly("id", "amount");

    // fix the data and run again: everything goes through
    sql.run("DELETE FROM atom_bronze.sales WHERE amount = 'x'");
    RunResult rerun = fixture.attempt(broken, serial);
    assertThat(rerun.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(fixture.rows("SELECT total FROM atom.gold_total")).containsExactly(List.of(30L));
    assertThat(spark.table("atom.silver_sales").columns()).containsExactly("id", "amount", "extra");
  }

  @Test
  void streamingTablesAppendAndMergeOnlyNewData() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS inc_bronze");
    sql.run("CREATE TABLE inc_bronze.events (id INT, v STRING, ts INT) USING iceberg");
    sql.run("INSERT INTO inc_bronze.events VALUES (1, 'a', 1), (2, 'b', 1)");
    Path folder = fixture.pipeline("inc",
        "events.sql", "CREATE STREAMING TABLE events AS SELECT id, v FROM STREAM(inc_bronze.events)",
        "latest.sql", "CREATE STREAMING TABLE latest KEYS (id) SEQUENCE BY ts AS\n"
            + "SELECT * FROM STREAM inc_bronze.events");
    RunResult first = fixture.attempt(folder);
    assertThat(first.error()).isEmpty();
    assertThat(first.flows()).extracting(FlowResult::action).containsExactly("create", "create");
    sql.run("INSERT INTO inc_bronze.events VALUES (1, 'a2', 2), (3, 'c', 1), (3, 'c2', 3)");
    RunResult second = fixture.attempt(folder);
    assertThat(second.error()).isEmpty();
    assertThat(second.flows()).extracting(FlowResult::action).containsExactly("append", "merge");
    assertThat(PipelineFixture.flow(second, "inc.events").rowsRead()).isEqualTo(3);
    assertThat(fixture.rows("SELECT id, v FROM inc.events ORDER BY id, v")).containsExactly(
        List.of(1, "a"), List.of(1, "a2"), List.of(2, "b"), List.of(3, "c"), List.of(3, "c2"));
    assertThat(fixture.rows("SELECT id, v FROM inc.latest ORDER BY id")).containsExactly(
        List.of(1, "a2"), List.of(2, "b"), List.of(3, "c2"));
    RunResult third = fixture.attempt(folder);
    assertThat(third.flows()).extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
    RunResult refresh = fixture.attempt(folder, new RunOptions(List.of("events"), true, false, 2));
    assertThat(refresh.flows()).extracting(FlowResult::flow).containsExactly("inc.events");
    assertThat(refresh.flows().get(0).action()).isEqualTo("full refresh");
    assertThat(fixture.rows("SELECT count(*) FROM inc.events")).containsExactly(List.of(5L));
  }
  @Test
  void aFailedRunRestoresTheQuarantineTableWithItsTarget() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS qr_bronze");
    sql.run("CREATE TABLE qr_bronze.orders (id INT, qty STRING) USING iceberg");
    sql.run("INSERT INTO qr_bronze.orders VALUES (1, '5'), (2, 'bad')");
    String silver = "CREATE MATERIALIZED VIEW orders (\n"
        + "  CONSTRAINT numeric_qty EXPECT (try_cast(qty AS INT) IS NOT NULL) ON VIOLATION QUARANTINE\n"
        + ") AS SELECT id, qty FROM qr_bronze.orders";
    Path folder = fixture.pipeline("qr", "a_orders.sql", silver,
        "b_total.sql", "CREATE MATERIALIZED VIEW total AS SELECT sum(CAST(qty AS INT)) AS n FROM orders");
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    long ordersBefore = snapshot("qr.orders");
    long quarantineBefore = snapshot("qr.orders_quarantine");

    // the next run quarantines another row, then its second flow fails at run time
    sql.run("INSERT INTO qr_bronze.orders VALUES (3, 'worse')");
    Path broken = fixture.pipeline("qr", "a_orders.sql", silver,
        "b_total.sql", "CREATE MATERIALIZED VIEW total AS SELECT assert_true(id > 100) AS n"
            + " FROM orders");
    RunResult failed = fixture.attempt(broken, new RunOptions(List.of(), false, false, 1));
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(PipelineFixture.flow(failed, "qr.orders").status()).isEqualTo(FlowStatus.ROLLED_BACK);
    assertThat(snapshot("qr.orders")).isEqualTo(ordersBefore);
    assertThat(snapshot("qr.orders_quarantine")).isEqualTo(quarantineBefore);
    assertThat(fixture.rows("SELECT id FROM qr.orders_quarantine")).containsExactly(List.of(2));

    RunResult rerun = fixture.attempt(folder);
    assertThat(rerun.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(fixture.rows("SELECT id FROM qr.orders_quarantine ORDER BY id"))
        .containsExactly(List.of(2), List.of(3));
  }

  @Test
  void aSourceRolledBackPastTheStoredPositionStopsTheRunUntilAFullRefresh() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS rb_bronze");
    sql.run("CREATE TABLE rb_bronze.events (id INT) USING iceberg");
    sql.run("INSERT INTO rb_bronze.events VALUES (1)");
    long first = snapshot("rb_bronze.events");
    sql.run("INSERT INTO rb_bronze.events VALUES (2)");
    Path folder = fixture.pipeline("rb",
        "events.sql", "CREATE STREAMING TABLE events AS\nSELECT id FROM STREAM(rb_bronze.events)");
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    long eventsBefore = snapshot("rb.events");

    // the source goes back to before the position the streaming table stored, then moves on
    sql.run("CALL lagoa.system.rollback_to_snapshot('rb_bronze.events', " + first + ")");
    sql.run("INSERT INTO rb_bronze.events VALUES (3)");
    RunResult failed = fixture.attempt(folder);
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("events.sql:")
        .contains("rb_bronze.events no longer contains snapshot")
        .contains("--full-refresh");
    assertThat(snapshot("rb.events")).isEqualTo(eventsBefore);
    assertThat(fixture.rows("SELECT id FROM rb.events ORDER BY id")).containsExactly(List.of(1), List.of(2));

    RunResult refreshed = fixture.attempt(folder, new RunOptions(List.of(), true, false, 1));
    assertThat(refreshed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(fixture.rows("SELECT id FROM rb.events ORDER BY id")).containsExactly(List.of(1), List.of(3));
    assertThat(fixture.attempt(folder).flows()).extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
  }
}

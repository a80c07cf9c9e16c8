package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.ExpectationResult;
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

  /** A run journal kept in memory, as the lease keeps it in the catalog database. */
  private static final class MemoryJournal implements io.lagoa.pipeline.RunJournal {
    final java.util.Map<String, java.util.Map<String, io.lagoa.pipeline.TableState>> open =
        new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.Map<String, java.time.Instant> started =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void begin(
        String runId,
        java.time.Instant startedAt,
        java.util.Map<String, io.lagoa.pipeline.TableState> tables) {
      open.put(runId, tables);
      started.put(runId, startedAt);
    }

    @Override
    public void end(String runId) {
      open.remove(runId);
    }

    io.lagoa.pipeline.InterruptedRun interrupted(String runId) {
      java.util.Map<String, java.util.Optional<String>> tables = new java.util.LinkedHashMap<>();
      open.get(runId)
          .forEach(
              (name, state) ->
                  tables.put(
                      name,
                      state
                          .metadata()
                          .map(org.apache.iceberg.TableMetadata::metadataFileLocation)));
      return new io.lagoa.pipeline.InterruptedRun(
          runId, started.get(runId), "test-host (pid 1)", tables);
    }
  }

  /**
   * A run killed after some of its commits (here: stopped dead inside a listener, its thread never
   * returning, so it never ends or restores anything itself): the next runner puts every table it
   * wrote back, at each point it can be killed.
   */
  @Test
  void aRunKilledPartWayIsPutBackByTheNextRunner() throws Exception {
    sql.run("CREATE NAMESPACE IF NOT EXISTS kill_raw");
    sql.run("CREATE TABLE kill_raw.source (id INT, v INT) USING iceberg");
    sql.run("INSERT INTO kill_raw.source VALUES (1, 10), (2, 20)");
    Path folder =
        fixture.pipeline(
            "kill",
            "a.sql",
            "CREATE MATERIALIZED VIEW copy AS SELECT * FROM kill_raw.source",
            "b.sql",
            "CREATE MATERIALIZED VIEW agg AS SELECT count(*) AS n FROM copy",
            "c.sql",
            "CREATE MATERIALIZED VIEW gold AS SELECT n * 2 AS n2 FROM agg",
            "d.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(kill_raw.source)");
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    RunOptions serial = new RunOptions(List.of(), false, false, 1);
    for (int commits : List.of(1, 2, 3)) {
      sql.run("INSERT INTO kill_raw.source VALUES (" + (10 + commits) + ", 1)");
      java.util.Map<String, Long> before = new java.util.HashMap<>();
      for (String table : List.of("kill.copy", "kill.agg", "kill.gold", "kill.events")) {
        before.put(table, snapshot(table));
      }
      MemoryJournal journal = new MemoryJournal();
      java.util.concurrent.CountDownLatch killed = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicInteger finished =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicReference<String> runId =
          new java.util.concurrent.atomic.AtomicReference<>();
      PipelineListener dies =
          new PipelineListener() {
            @Override
            public void runStarted(String id, int flows) {
              runId.set(id);
            }

            @Override
            public void flowFinished(FlowResult result) {
              if (finished.incrementAndGet() == commits) {
                killed.countDown();
                try {
                  Thread.sleep(Long.MAX_VALUE); // dead: never returns, never restores
                } catch (InterruptedException e) {
                  throw new IllegalStateException("released after the test's checks");
                }
              }
            }
          };
      Thread dying =
          new Thread(
              () ->
                  new PipelineRunner(spark, dies, java.time.Clock.systemUTC(), journal)
                      .run(fixture.compile(folder), serial),
              "dying-run");
      dying.setDaemon(true);
      dying.start();
      assertThat(killed.await(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      assertThat(journal.open).containsKey(runId.get());
      assertThat(before.keySet()).anyMatch(table -> snapshot(table) != before.get(table));

      List<String> lines =
          new PipelineRunner(spark, PipelineListener.NONE, java.time.Clock.systemUTC())
              .recover(fixture.compile(folder), journal.interrupted(runId.get()));
      assertThat(lines.get(0))
          .startsWith("run " + runId.get())
          .contains("was interrupted")
          .contains("its tables were put back:");
      assertThat(lines).anyMatch(line -> line.contains("restored kill."));
      for (String table : List.of("kill.copy", "kill.agg", "kill.gold", "kill.events")) {
        assertThat(snapshot(table))
            .as(table + " after a kill at commit " + commits)
            .isEqualTo(before.get(table));
      }
      assertThat(
              fixture.rows(
                  "SELECT status, error FROM lagoa_system.pipeline_runs"
                      + " WHERE run_id = '"
                      + runId.get()
                      + "'"))
          .singleElement()
          .satisfies(row -> assertThat(row.get(0)).isEqualTo("interrupted"));
      dying.interrupt(); // let the stopped thread go; what it does now changes nothing
      dying.join(120_000);
      // the next run computes everything once
      assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
      long rows = (Long) fixture.rows("SELECT count(*) FROM kill_raw.source").get(0).get(0);
      assertThat(
              fixture.rows(
                  "SELECT (SELECT count(*) FROM kill.copy), (SELECT n FROM kill.agg),"
                      + " (SELECT n2 DIV 2 FROM kill.gold), (SELECT count(*) FROM kill.events)"))
          .containsExactly(List.of(rows, rows, rows, rows));
    }
  }

  /**
   * A table another writer committed to during a failed run is left as it is, and the result says
   * so once, with advice that can be followed, and never that every table is as it was.
   */
  @Test
  void aTableAnotherWriterChangedDuringAFailedRunIsLeftAndSaidSo() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS other_raw");
    sql.run("CREATE TABLE other_raw.source (id INT, amount STRING) USING iceberg");
    sql.run("INSERT INTO other_raw.source VALUES (1, '10')");
    Path folder =
        fixture.pipeline(
            "other",
            "a.sql",
            "CREATE MATERIALIZED VIEW fresh AS SELECT id FROM other_raw.source",
            "b.sql",
            "CREATE MATERIALIZED VIEW broken AS SELECT CAST(amount AS INT) AS a FROM"
                + " other_raw.source WHERE id > 1");
    sql.run("INSERT INTO other_raw.source VALUES (2, 'x')");
    PipelineListener meddling =
        new PipelineListener() {
          @Override
          public void flowFinished(FlowResult result) {
            if (result.flow().equals("other.fresh")) {
              sql.run("INSERT INTO other.fresh VALUES (99)"); // another writer, during the run
            }
          }
        };
    RunResult failed =
        new PipelineRunner(spark, meddling, java.time.Clock.systemUTC())
            .run(fixture.compile(folder), new RunOptions(List.of(), false, false, 1));
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.unrestored())
        .singleElement()
        .satisfies(
            message ->
                assertThat(message)
                    .startsWith("other.fresh was left as it is: snapshots [")
                    .contains("were committed by another writer during the run")
                    .contains("it did not exist before the run")
                    .doesNotContain("cannot restore")
                    .doesNotContain(" -1"));
    assertThat(PipelineFixture.flow(failed, "other.broken").status()).isEqualTo(FlowStatus.FAILED);
    assertThat(
            fixture.rows(
                "SELECT status, flows_failed FROM lagoa_system.pipeline_runs"
                    + " WHERE run_id = '"
                    + failed.runId()
                    + "'"))
        .containsExactly(List.of("failed", 1));
  }

  @Test
  void appliesEachExpectationPolicy() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS pol_bronze");
    sql.run("CREATE TABLE pol_bronze.users (id INT, age INT, email STRING) USING iceberg");
    sql.run(
        "INSERT INTO pol_bronze.users VALUES (1, 30, 'a@x'), (2, NULL, 'b@x'), (NULL, 40, 'c@x'),"
            + " (4, 200, 'd@x'), (5, 20, 'no-at')");
    Path folder =
        fixture.pipeline(
            "pol",
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
    assertThat(fixture.rows("SELECT id FROM pol.users ORDER BY id"))
        .containsExactly(List.of(1), List.of(5));
    assertThat(
            fixture.rows(
                "SELECT id, _rule, _reason, _run_id FROM pol.users_quarantine ORDER BY id"))
        .containsExactly(
            List.of(2, "sane_age", "failed EXPECT (age < 150)", result.runId()),
            List.of(4, "sane_age", "failed EXPECT (age < 150)", result.runId()));

    // FAIL: nothing is written, the run fails naming the rule and its place
    Path failing =
        fixture.pipeline(
            "pol",
            "users.sql",
            "CREATE MATERIALIZED VIEW users (\n"
                + "  CONSTRAINT adult EXPECT (age >= 18) ON VIOLATION FAIL UPDATE\n"
                + ") AS SELECT * FROM pol_bronze.users");
    long before = snapshot("pol.users");
    RunResult failed = fixture.attempt(failing);
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.error().orElseThrow())
        .contains("users.sql:2:3: expectation adult (age >= 18) failed for 1 of 5 rows");
    assertThat(PipelineFixture.flow(failed, "pol.users").expectations().get(0).rowsFailed())
        .isEqualTo(1);
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
    String silver =
        "CREATE MATERIALIZED VIEW silver_sales AS\n"
            + "SELECT id, CAST(amount AS INT) AS amount FROM atom_bronze.sales";
    String gold =
        "CREATE MATERIALIZED VIEW gold_total AS\nSELECT sum(amount) AS total FROM silver_sales";
    Path folder = fixture.pipeline("atom", "a_silver.sql", silver, "b_gold.sql", gold);
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    long silverBefore = snapshot("atom.silver_sales");
    long goldBefore = snapshot("atom.gold_total");

    // new bad data: silver now changes its schema too; gold fails at run time (cast error)
    sql.run("INSERT INTO atom_bronze.sales VALUES (3, 'x')");
    Path broken =
        fixture.pipeline(
            "atom",
            "a_silver.sql",
            "CREATE MATERIALIZED VIEW silver_sales PARTITIONED BY (id) AS\n"
                + "SELECT id, amount, 'new' AS extra FROM atom_bronze.sales",
            "b_gold.sql",
            "CREATE MATERIALIZED VIEW gold_total AS\n"
                + "SELECT sum(CAST(amount AS INT)) AS total FROM silver_sales",
            "c_new.sql",
            "CREATE MATERIALIZED VIEW brand_new AS SELECT * FROM silver_sales");
    RunOptions serial = new RunOptions(List.of(), false, false, 1);
    RunResult failed = fixture.attempt(broken, serial);
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.error().orElseThrow()).contains("b_gold.sql:").contains("CAST_INVALID_INPUT");
    assertThat(PipelineFixture.flow(failed, "atom.silver_sales").status())
        .isEqualTo(FlowStatus.ROLLED_BACK);
    assertThat(PipelineFixture.flow(failed, "atom.gold_total").status())
        .isEqualTo(FlowStatus.FAILED);
    assertThat(snapshot("atom.silver_sales")).isEqualTo(silverBefore);
    assertThat(snapshot("atom.gold_total")).isEqualTo(goldBefore);
    assertThat(fixture.rows("SELECT * FROM atom.silver_sales ORDER BY id"))
        .containsExactly(List.of(1, 10), List.of(2, 20));
    assertThat(fixture.rows("SHOW TABLES IN atom"))
        .extracting(row -> row.get(1))
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

  /**
   * A run's session has no isolated artifacts, so its tasks run in the executors' own class loader
   * and reuse the code Spark compiled for earlier runs (Spark caches generated classes per class
   * loader). With isolation, Spark's default, every run's session had a class loader of its own on
   * the executors, and every run, every batch of a continuous run, compiled its projections again.
   */
  @Test
  void aRunsTasksShareTheExecutorsClassLoaderWithEarlierRuns() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS cg_bronze");
    sql.run("CREATE TABLE cg_bronze.events (id INT, v STRING) USING iceberg");
    sql.run("INSERT INTO cg_bronze.events VALUES (1, 'a'), (2, 'b')");
    Path folder =
        fixture.pipeline(
            "cg",
            "events.sql",
            "CREATE MATERIALIZED VIEW events AS\n"
                + "SELECT id * 3 AS d, concat(upper(v), '!') AS u FROM cg_bronze.events");
    List<Object> isolated = new java.util.concurrent.CopyOnWriteArrayList<>();
    RunResult result =
        new PipelineRunner(
                spark,
                new PipelineListener() {
                  @Override
                  public void flowFinished(FlowResult flow) {
                    org.apache.spark.sql.classic.SparkSession session =
                        (org.apache.spark.sql.classic.SparkSession)
                            SparkSession.getActiveSession().get();
                    isolated.add(String.valueOf(session.artifactManager().state()));
                  }
                },
                java.time.Clock.systemUTC())
            .run(fixture.compile(folder), RunOptions.defaults());
    assertThat(result.error()).isEmpty();
    assertThat(fixture.rows("SELECT d, u FROM cg.events ORDER BY d"))
        .containsExactly(List.of(3, "A!"), List.of(6, "B!"));
    // the job artifact state Spark sends with each task: none, so the executors' class loader
    assertThat(isolated).containsExactly("null");
  }

  @Test
  void streamingTablesAppendAndMergeOnlyNewData() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS inc_bronze");
    sql.run("CREATE TABLE inc_bronze.events (id INT, v STRING, ts INT) USING iceberg");
    sql.run("INSERT INTO inc_bronze.events VALUES (1, 'a', 1), (2, 'b', 1)");
    Path folder =
        fixture.pipeline(
            "inc",
            "events.sql",
            "CREATE STREAMING TABLE events AS SELECT id, v FROM STREAM(inc_bronze.events)",
            "latest.sql",
            "CREATE STREAMING TABLE latest KEYS (id) SEQUENCE BY ts AS\n"
                + "SELECT * FROM STREAM inc_bronze.events");
    RunResult first = fixture.attempt(folder);
    assertThat(first.error()).isEmpty();
    assertThat(first.flows()).extracting(FlowResult::action).containsExactly("create", "create");
    sql.run("INSERT INTO inc_bronze.events VALUES (1, 'a2', 2), (3, 'c', 1), (3, 'c2', 3)");
    RunResult second = fixture.attempt(folder);
    assertThat(second.error()).isEmpty();
    assertThat(second.flows()).extracting(FlowResult::action).containsExactly("append", "merge");
    assertThat(PipelineFixture.flow(second, "inc.events").rowsRead()).isEqualTo(3);
    assertThat(fixture.rows("SELECT id, v FROM inc.events ORDER BY id, v"))
        .containsExactly(
            List.of(1, "a"), List.of(1, "a2"), List.of(2, "b"), List.of(3, "c"), List.of(3, "c2"));
    assertThat(fixture.rows("SELECT id, v FROM inc.latest ORDER BY id"))
        .containsExactly(List.of(1, "a2"), List.of(2, "b"), List.of(3, "c2"));
    RunResult third = fixture.attempt(folder);
    assertThat(third.flows()).extracting(FlowResult::status).containsOnly(FlowStatus.UP_TO_DATE);
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
    String silver =
        "CREATE MATERIALIZED VIEW orders (\n"
            + "  CONSTRAINT numeric_qty EXPECT (try_cast(qty AS INT) IS NOT NULL) ON VIOLATION QUARANTINE\n"
            + ") AS SELECT id, qty FROM qr_bronze.orders";
    Path folder =
        fixture.pipeline(
            "qr",
            "a_orders.sql",
            silver,
            "b_total.sql",
            "CREATE MATERIALIZED VIEW total AS SELECT sum(CAST(qty AS INT)) AS n FROM orders");
    assertThat(fixture.attempt(folder).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    long ordersBefore = snapshot("qr.orders");
    long quarantineBefore = snapshot("qr.orders_quarantine");

    // the next run quarantines another row, then its second flow fails at run time
    sql.run("INSERT INTO qr_bronze.orders VALUES (3, 'worse')");
    Path broken =
        fixture.pipeline(
            "qr",
            "a_orders.sql",
            silver,
            "b_total.sql",
            "CREATE MATERIALIZED VIEW total AS SELECT assert_true(id > 100) AS n" + " FROM orders");
    RunResult failed = fixture.attempt(broken, new RunOptions(List.of(), false, false, 1));
    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(PipelineFixture.flow(failed, "qr.orders").status())
        .isEqualTo(FlowStatus.ROLLED_BACK);
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
    Path folder =
        fixture.pipeline(
            "rb",
            "events.sql",
            "CREATE STREAMING TABLE events AS\nSELECT id FROM STREAM(rb_bronze.events)");
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
        .contains("the table needs a full refresh")
        .doesNotContain("--full-refresh"); // the CLI words the remedy
    assertThat(failed.remedy()).contains(io.lagoa.error.Remedy.FULL_REFRESH);
    assertThat(failed.errorCode()).contains(io.lagoa.error.ErrorCode.PIPELINE_FAILED);
    assertThat(snapshot("rb.events")).isEqualTo(eventsBefore);
    assertThat(fixture.rows("SELECT id FROM rb.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(2));

    RunResult refreshed = fixture.attempt(folder, new RunOptions(List.of(), true, false, 1));
    assertThat(refreshed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(fixture.rows("SELECT id FROM rb.events ORDER BY id"))
        .containsExactly(List.of(1), List.of(3));
    assertThat(fixture.attempt(folder).flows())
        .extracting(FlowResult::status)
        .containsOnly(FlowStatus.UP_TO_DATE);
  }
}

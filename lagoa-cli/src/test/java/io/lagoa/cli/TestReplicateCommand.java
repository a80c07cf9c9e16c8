package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa replicate}, {@code lagoa replicate status} and {@code lagoa failover}, run
 * in-process as a user runs them: replicate, see the lag, replicate continuously, fail over, write
 * to the promoted replica; and the errors of bad input.
 */
class TestReplicateCommand {
  private static TestingWarehouse warehouse;

  static CliRunner.Result lagoa(Map<String, String> env, String... args) {
    return new CliRunner(warehouse, env).run(args);
  }

  static CliRunner.Result lagoa(String... args) {
    return lagoa(Map.of(), args);
  }

  @BeforeAll
  static void createTable() {
    warehouse = TestingWarehouse.create();
    CliRunner.Result run =
        lagoa(
            "sql",
            "CREATE NAMESPACE shop; CREATE TABLE shop.orders (id INT, customer INT) USING iceberg;"
                + " INSERT INTO shop.orders VALUES (1, 10), (2, 20)");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @AfterAll
  static void removeWarehouse() {
    warehouse.close();
  }

  @Test
  void replicateSeeTheLagFailOverAndWriteToThePromotedReplica() throws Exception {
    CliRunner.Result first = lagoa("replicate", "--to", "replica", "--json");
    assertThat(first.exitCode()).as(first.err()).isZero();
    Map<String, Object> result = first.json();
    List<Map<String, Object>> tables = (List<Map<String, Object>>) result.get("tables");
    assertThat(tables)
        .filteredOn(t -> t.get("table").equals("shop.orders"))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t).containsEntry("status", "in_sync").containsEntry("seconds_behind", 0.0);
              assertThat(t.get("replica_snapshot_id")).isEqualTo(t.get("primary_snapshot_id"));
            });

    assertThat(lagoa("sql", "INSERT INTO shop.orders VALUES (3, 30)").exitCode()).isZero();
    CliRunner.Result status = lagoa("replicate", "status", "--to", "replica");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("shop.orders").contains("behind").contains("max lag");

    // continuous: one line per pass until stopped
    StringWriter out = new StringWriter();
    Thread continuous =
        new Thread(
            () ->
                Main.run(
                    new String[] {"replicate", "--to", "replica", "--continuous", "--every", "1s"},
                    warehouse.environment(Map.of()),
                    warehouse.root(),
                    new PrintWriter(out, true),
                    new PrintWriter(new StringWriter(), true)));
    continuous.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!out.toString().contains("tables advanced") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    continuous.interrupt();
    continuous.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(continuous.isAlive()).isFalse();
    assertThat(out.toString()).contains("tables advanced").contains("Stopped;");

    CliRunner.Result failover = lagoa("failover", "--from", "replica");
    assertThat(failover.exitCode()).as(failover.err()).isZero();
    String replica = warehouse.root().resolve("replica").toString();
    assertThat(failover.out())
        .contains("Promoted at")
        .contains("export LAGOA_WAREHOUSE=" + replica);

    // the promoted replica, as the failover says to point at it: read and write
    Map<String, String> promoted = Map.of("LAGOA_WAREHOUSE", replica);
    assertThat(lagoa(promoted, "sql", "INSERT INTO shop.orders VALUES (4, 40)").exitCode())
        .isZero();
    CliRunner.Result rows =
        lagoa(
            promoted, "sql", "SELECT id, customer FROM shop.orders ORDER BY id", "--format", "csv");
    assertThat(rows.out()).isEqualToNormalizingNewlines("id,customer\n1,10\n2,20\n3,30\n4,40\n");

    CliRunner.Result refused = lagoa("replicate", "--to", "replica");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .contains("it was promoted to a primary by a failover")
        .contains("--force");
  }

  @Test
  void badInputSaysWhatIsWrong() {
    CliRunner.Result noTo = lagoa("replicate");
    assertThat(noTo.exitCode()).isEqualTo(2);
    assertThat(noTo.err()).contains("--to");

    CliRunner.Result every = lagoa("replicate", "--to", "elsewhere", "--every", "10s");
    assertThat(every.exitCode()).isEqualTo(2);
    assertThat(every.err()).contains("--every is for --continuous");

    CliRunner.Result badEvery =
        lagoa("replicate", "--to", "elsewhere", "--continuous", "--every", "soon");
    assertThat(badEvery.exitCode()).isEqualTo(2);
    assertThat(badEvery.err()).contains("'soon' is not a duration");

    CliRunner.Result s3 = lagoa("replicate", "--to", "s3://bucket/replica");
    assertThat(s3.exitCode()).isEqualTo(2);
    assertThat(s3.err()).contains("a replica is a local folder");

    CliRunner.Result unknown = lagoa("failover", "--from", "no-such-replica");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Cannot fail over to").contains("there is no such folder");
  }
}

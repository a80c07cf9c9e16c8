package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa metrics}, {@code lagoa maintain} and {@code lagoa table set}, run in-process as a
 * user runs them, on a table made of many small inserts.
 */
class TestMaintainCommand {
  private static TestingWarehouse warehouse;

  static CliRunner.Result lagoa(String... args) {
    return new CliRunner(warehouse).run(args);
  }

  @BeforeAll
  static void createTable() {
    warehouse = TestingWarehouse.create();
    CliRunner.Result run =
        lagoa(
            "sql",
            "CREATE NAMESPACE shop; CREATE TABLE shop.orders (id INT, customer INT) USING iceberg;"
                + " INSERT INTO shop.orders VALUES (1, 10); INSERT INTO shop.orders VALUES (2, 20);"
                + " INSERT INTO shop.orders VALUES (3, 30); INSERT INTO shop.orders VALUES (4, 10)");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @AfterAll
  static void removeWarehouse() {
    warehouse.close();
  }

  @Test
  void metricsThenMaintainThenHistory() {
    CliRunner.Result metrics = lagoa("metrics", "shop.orders", "--json");
    assertThat(metrics.exitCode()).as(metrics.err()).isZero();
    Map<String, Object> health = metrics.json();
    assertThat(health)
        .containsEntry("table", "shop.orders")
        .containsEntry("rows", 4)
        .containsEntry("data_files", 4)
        .containsEntry("small_files", 4)
        .containsEntry("snapshots", 4)
        .containsEntry("partitions", 1);

    CliRunner.Result set =
        lagoa(
            "table",
            "set",
            "shop.orders",
            "lagoa.maintenance.compact-min-small-files=3",
            "lagoa.maintenance.cluster-by=customer, id");
    assertThat(set.exitCode()).as(set.err()).isZero();
    assertThat(set.out()).contains("lagoa.maintenance.compact-min-small-files = 3");

    CliRunner.Result plan = lagoa("maintain", "shop.orders", "--dry-run");
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out())
        .contains("shop.orders\n  before  4 rows, 4 data files (4 small")
        .containsPattern(
            "compact data files +would run +4 of 4 data files are under 16MB; rewritten"
                + " z-ordered by customer, id into files of 128MB")
        .containsPattern("expire snapshots +skip +no snapshot is older than 5d")
        .contains("Dry run: nothing was changed.");
    assertThat(lagoa("metrics", "shop.orders", "--json").<Map<String, Object>>json())
        .containsEntry("data_files", 4);

    CliRunner.Result maintain = lagoa("maintain", "shop.orders", "--json");
    assertThat(maintain.exitCode()).as(maintain.err()).isZero();
    List<Map<String, Object>> results = maintain.json();
    Map<String, Object> result = results.get(0);
    assertThat(result).containsEntry("table", "shop.orders").containsEntry("error", null);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> actions = (List<Map<String, Object>>) result.get("actions");
    assertThat(actions)
        .extracting(action -> action.get("action"))
        .startsWith("remove_old_quarantine", "compact_data");
    assertThat(actions.get(1))
        .containsEntry("action", "compact_data")
        .containsEntry("run", true)
        .containsEntry("strategy", "zorder")
        .containsEntry("result", "rewrote 4 data files into 1");
    @SuppressWarnings("unchecked")
    Map<String, Object> after = (Map<String, Object>) result.get("after");
    assertThat(after).containsEntry("rows", 4).containsEntry("data_files", 1);
    CliRunner.Result rows =
        lagoa("sql", "SELECT count(*), sum(id) FROM shop.orders", "--format", "csv");
    assertThat(rows.out()).contains("4,10");

    CliRunner.Result history = lagoa("metrics", "history", "shop.orders", "--json");
    assertThat(history.exitCode()).as(history.err()).isZero();
    List<Map<String, Object>> samples = history.json();
    assertThat(samples)
        .extracting(sample -> sample.get("occasion"))
        .containsExactly("before_maintenance", "after_maintenance");
    assertThat(samples).extracting(sample -> sample.get("data_files")).containsExactly(4, 1);

    CliRunner.Result recorded = lagoa("metrics", "--all", "--record");
    assertThat(recorded.exitCode()).as(recorded.err()).isZero();
    assertThat(recorded.out()).contains("shop.orders").contains("lagoa_system.table_metrics");
    assertThat(lagoa("metrics", "history", "shop.orders").out()).contains("| collect ");
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    CliRunner.Result unknown = lagoa("maintain", "shop.ordres");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .contains("error: table shop.ordres does not exist (did you mean shop.orders?)");

    CliRunner.Result neither = lagoa("metrics");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err()).contains("lagoa metrics: name a table");

    CliRunner.Result badValue =
        lagoa("table", "set", "shop.orders", "lagoa.maintenance.min-snapshots=none");
    assertThat(badValue.exitCode()).isEqualTo(2);
    assertThat(badValue.err())
        .contains(
            "Cannot set lagoa.maintenance.min-snapshots on shop.orders: 'none' is not a whole"
                + " number of at least 1");

    CliRunner.Result badSql =
        lagoa(
            "sql",
            "ALTER TABLE shop.orders SET TBLPROPERTIES ('lagoa.maintenance.snapshot-retention' ="
                + " 'a week')");
    assertThat(badSql.exitCode()).isEqualTo(1);
    assertThat(badSql.err())
        .contains(
            "Cannot set lagoa.maintenance.snapshot-retention on shop.orders: 'a week' is not a"
                + " duration such as 30m, 12h or 5d");

    CliRunner.Result show = lagoa("table", "show", "shop.orders", "--json");
    @SuppressWarnings("unchecked")
    Map<String, Object> properties =
        (Map<String, Object>) show.<Map<String, Object>>json().get("properties");
    assertThat(properties)
        .doesNotContainKeys(
            "lagoa.maintenance.min-snapshots", "lagoa.maintenance.snapshot-retention");
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa backup} and {@code lagoa restore}, run in-process as a user runs them: back up,
 * list, verify, lose the table, restore it, rotate; and the errors of bad input.
 */
class TestBackupCommand {
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
                + " INSERT INTO shop.orders VALUES (1, 10), (2, 20)");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @AfterAll
  static void removeWarehouse() {
    warehouse.close();
  }

  @Test
  void backUpVerifyLoseRestoreRotate() {
    CliRunner.Result first = lagoa("backup", "create", "--to", "backups");
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out().strip())
        .doesNotContain("\n")
        .matches("backup \\d{8}T\\d{6}Z: \\d+ tables?, \\d+ files .*-> .*backups");

    CliRunner.Result second =
        lagoa("backup", "create", "--to", "backups", "--table", "shop.orders", "--json");
    assertThat(second.exitCode()).as(second.err()).isZero();
    Map<String, Object> summary = second.json();
    assertThat(summary).containsEntry("tables", 1).containsEntry("copied_files", 0);
    assertThat((Integer) summary.get("reused_files")).isPositive();

    CliRunner.Result list = lagoa("backup", "list", "--from", "backups", "--json");
    assertThat(list.exitCode()).as(list.err()).isZero();
    List<Map<String, Object>> backups = list.json();
    assertThat(backups).hasSize(2);

    CliRunner.Result verify = lagoa("backup", "verify", "--from", "backups");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("shop.orders  2 rows read").contains(": ok,");

    CliRunner.Result refused = lagoa("restore", "--from", "backups", "--table", "shop.orders");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("shop.orders exists").contains("--force");

    assertThat(lagoa("sql", "DROP TABLE shop.orders PURGE").exitCode()).isZero();
    CliRunner.Result restore = lagoa("restore", "--from", "backups", "--table", "shop.orders");
    assertThat(restore.exitCode()).as(restore.err()).isZero();
    assertThat(restore.out()).contains("shop.orders <- backup " + backups.get(1).get("id"));
    CliRunner.Result rows =
        lagoa("sql", "SELECT id, customer FROM shop.orders ORDER BY id", "--format", "csv");
    assertThat(rows.out()).isEqualToNormalizingNewlines("id,customer\n1,10\n2,20\n");

    CliRunner.Result rotate = lagoa("backup", "rotate", "--from", "backups", "--keep-last", "1");
    assertThat(rotate.exitCode()).as(rotate.err()).isZero();
    assertThat(rotate.out()).contains("Removed 1 backups");
    assertThat(lagoa("backup", "verify", "--from", "backups").exitCode()).isZero();
  }

  @Test
  void badInputSaysWhatIsWrong() {
    CliRunner.Result inside = lagoa("backup", "create", "--to", "warehouse/backups");
    assertThat(inside.exitCode()).isEqualTo(2);
    assertThat(inside.err()).contains("is inside the warehouse");

    CliRunner.Result noTo = lagoa("backup", "create");
    assertThat(noTo.exitCode()).isEqualTo(2);
    assertThat(noTo.err()).contains("--to");

    CliRunner.Result at = lagoa("restore", "--from", "nothing-here", "--at", "yesterday");
    assertThat(at.exitCode()).isEqualTo(2);
    assertThat(at.err()).contains("--at: expected").contains("'yesterday'");

    CliRunner.Result empty = lagoa("restore", "--from", "nothing-here");
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("there is no backup in");

    CliRunner.Result keepNothing = lagoa("backup", "rotate", "--from", "nothing-here");
    assertThat(keepNothing.exitCode()).isEqualTo(2);
    assertThat(keepNothing.err()).contains("the policy keeps nothing");
  }
}

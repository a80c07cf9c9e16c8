package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingWarehouse warehouse;

  record Run(int exitCode, String out, String err) {
    <T> T json() {
      try {
        return JSON.readValue(out, new TypeReference<T>() {});
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  static Run lagoa(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args,
            warehouse.environment(Map.of()),
            warehouse.root(),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void createTable() {
    warehouse = TestingWarehouse.create();
    Run run =
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
    Run first = lagoa("backup", "create", "--to", "backups");
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out().strip())
        .doesNotContain("\n")
        .matches("backup \\d{8}T\\d{6}Z: \\d+ tables?, \\d+ files .*-> .*backups");

    Run second = lagoa("backup", "create", "--to", "backups", "--table", "shop.orders", "--json");
    assertThat(second.exitCode()).as(second.err()).isZero();
    Map<String, Object> summary = second.json();
    assertThat(summary).containsEntry("tables", 1).containsEntry("copied_files", 0);
    assertThat((Integer) summary.get("reused_files")).isPositive();

    Run list = lagoa("backup", "list", "--from", "backups", "--json");
    assertThat(list.exitCode()).as(list.err()).isZero();
    List<Map<String, Object>> backups = list.json();
    assertThat(backups).hasSize(2);

    Run verify = lagoa("backup", "verify", "--from", "backups");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("shop.orders  2 rows read").contains(": ok,");

    Run refused = lagoa("restore", "--from", "backups", "--table", "shop.orders");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("shop.orders exists").contains("--force");

    assertThat(lagoa("sql", "DROP TABLE shop.orders PURGE").exitCode()).isZero();
    Run restore = lagoa("restore", "--from", "backups", "--table", "shop.orders");
    assertThat(restore.exitCode()).as(restore.err()).isZero();
    assertThat(restore.out()).contains("shop.orders <- backup " + backups.get(1).get("id"));
    Run rows = lagoa("sql", "SELECT id, customer FROM shop.orders ORDER BY id", "--format", "csv");
    assertThat(rows.out()).isEqualToNormalizingNewlines("id,customer\n1,10\n2,20\n");

    Run rotate = lagoa("backup", "rotate", "--from", "backups", "--keep-last", "1");
    assertThat(rotate.exitCode()).as(rotate.err()).isZero();
    assertThat(rotate.out()).contains("Removed 1 backups");
    assertThat(lagoa("backup", "verify", "--from", "backups").exitCode()).isZero();
  }

  @Test
  void badInputSaysWhatIsWrong() {
    Run inside = lagoa("backup", "create", "--to", "warehouse/backups");
    assertThat(inside.exitCode()).isEqualTo(2);
    assertThat(inside.err()).contains("is inside the warehouse");

    Run noTo = lagoa("backup", "create");
    assertThat(noTo.exitCode()).isEqualTo(2);
    assertThat(noTo.err()).contains("--to");

    Run at = lagoa("restore", "--from", "nothing-here", "--at", "yesterday");
    assertThat(at.exitCode()).isEqualTo(2);
    assertThat(at.err()).contains("--at: expected").contains("'yesterday'");

    Run empty = lagoa("restore", "--from", "nothing-here");
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("there is no backup in");

    Run keepNothing = lagoa("backup", "rotate", "--from", "nothing-here");
    assertThat(keepNothing.exitCode()).isEqualTo(2);
    assertThat(keepNothing.err()).contains("the policy keeps nothing");
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa tables}, {@code lagoa table show|history|rollback} and {@code lagoa changes}, run
 * in-process against a temporary warehouse whose tables are made with {@code lagoa sql}.
 */
class TestTableCommands {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingWarehouse warehouse;

  record Run(int exitCode, String out, String err) {
    List<Map<String, Object>> jsonRows() {
      try {
        return JSON.readValue(out, new TypeReference<>() {});
      } catch (Exception e) {
        throw new AssertionError("not a JSON array: " + out + err, e);
      }
    }

    Map<String, Object> jsonObject() {
      try {
        return JSON.readValue(out, new TypeReference<>() {});
      } catch (Exception e) {
        throw new AssertionError("not a JSON object: " + out + err, e);
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

  static void sql(String statements) {
    Run run = lagoa("sql", statements);
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @BeforeAll
  static void createTables() {
    warehouse = TestingWarehouse.create();
    sql(
        "CREATE NAMESPACE silver; CREATE NAMESPACE bronze; CREATE NAMESPACE work; CREATE TABLE"
            + " silver.customers (id BIGINT NOT NULL COMMENT 'customer id', name STRING, address"
            + " STRUCT<city: STRING, zip: STRING>, ts TIMESTAMP) USING iceberg PARTITIONED BY"
            + " (days(ts), bucket(16, id)) TBLPROPERTIES ('team' = 'data'); ALTER TABLE"
            + " silver.customers SET IDENTIFIER FIELDS id; ALTER TABLE silver.customers WRITE"
            + " ORDERED BY name; INSERT INTO silver.customers VALUES (1, 'ana',"
            + " named_struct('city', 'rio', 'zip', '20000'), TIMESTAMP'2026-11-25 10:00:00'), (2,"
            + " 'bia', named_struct('city', 'sp', 'zip', '01000'), TIMESTAMP'2026-11-26 11:00:00'),"
            + " (3, 'caio', named_struct('city', 'bh', 'zip', '30000'), TIMESTAMP'2026-11-27"
            + " 09:00:00'); CREATE TABLE bronze.events (id BIGINT, payload STRING) USING iceberg");
  }

  @AfterAll
  static void removeWarehouse() {
    warehouse.close();
  }

  @Test
  void tablesListsEveryTableWithRowsFilesAndSize() {
    Run run = lagoa("tables");
    assertThat(run.exitCode()).as(run.err()).isZero();
    // Other tests add tables under work; this one looks at bronze and silver only.
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0))
        .matches("table +\\| rows \\| files \\| size +\\| snapshots \\| last_updated");
    assertThat(lines.get(1)).matches("-+-\\+-.*");
    assertThat(lines.get(2)).startsWith("bronze.events    |    0 |     0 | 0 B");
    assertThat(lines.get(3)).startsWith("silver.customers |    3 |     3 | ").contains(" KiB ");
    assertThat(lines.get(lines.size() - 1)).matches("\\(\\d+ rows\\)");

    List<Map<String, Object>> json = lagoa("tables", "--json").jsonRows();
    assertThat(json.subList(0, 2))
        .extracting(row -> row.get("table"))
        .containsExactly("bronze.events", "silver.customers");
    Map<String, Object> customers = json.get(1);
    assertThat(customers)
        .containsEntry("rows", 3)
        .containsEntry("files", 3)
        .containsEntry("snapshots", 1);
    assertThat(((Number) customers.get("size_bytes")).longValue()).isGreaterThan(1000);
    assertThat(Instant.parse((String) customers.get("last_updated"))).isBefore(Instant.now());

    Run csv = lagoa("tables", "silver", "--format", "csv");
    assertThat(csv.out().lines().toList())
        .hasSize(2)
        .first()
        .isEqualTo("table,rows,files,size_bytes,snapshots,last_updated");
    assertThat(csv.out().lines().toList().get(1)).startsWith("silver.customers,3,3,");
  }

  @Test
  void tablesRejectsAnUnknownNamespace() {
    Run run = lagoa("tables", "gold");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("error: namespace gold does not exist (lagoa tables lists every table there is)");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void showDescribesSchemaLayoutAndState() {
    Run run = lagoa("table", "show", "silver.customers");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Table             silver.customers\n")
        .contains("Format            Iceberg v2\n")
        .contains("Rows              3\n")
        .contains("Data files        3\n")
        .contains("Delete files      0\n")
        .contains("Snapshots         1\n")
        .containsPattern("Current snapshot  \\d+ \\(append, 20\\d\\d-")
        .containsPattern("Location          file:.*/silver/customers\n")
        .contains("\nSchema\n  id  name          type")
        .containsPattern("\n  1   id            long +yes       customer id\n")
        .containsPattern("\n  3   address       struct +no\n  5   address.city  string +no\n")
        .contains("Identifier columns  id\n")
        .contains("Partitioned by      days(ts), bucket(16, id)\n")
        .contains("Sort order          name ASC NULLS FIRST\n")
        .contains("\nProperties\n")
        .containsPattern("\n  team +data\n");

    Map<String, Object> json = lagoa("table", "show", "silver.customers", "--json").jsonObject();
    assertThat(json)
        .containsEntry("table", "silver.customers")
        .containsEntry("format_version", 2)
        .containsEntry("identifier_columns", List.of("id"))
        .containsEntry("partition_spec", "days(ts), bucket(16, id)")
        .containsEntry("sort_order", "name ASC NULLS FIRST")
        .containsEntry("rows", 3)
        .containsEntry("data_files", 3)
        .containsEntry("delete_files", 0)
        .containsEntry("snapshots", 1);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> columns = (List<Map<String, Object>>) json.get("columns");
    assertThat(columns)
        .extracting(column -> column.get("name"))
        .containsExactly("id", "name", "address", "address.city", "address.zip", "ts");
    assertThat(columns.get(0))
        .containsEntry("field_id", 1)
        .containsEntry("type", "long")
        .containsEntry("required", true)
        .containsEntry("doc", "customer id");
    @SuppressWarnings("unchecked")
    Map<String, Object> snapshot = (Map<String, Object>) json.get("current_snapshot");
    assertThat(snapshot).containsEntry("operation", "append").containsEntry("parent_id", null);
    assertThat(json.get("properties").toString()).contains("team=data");

    Run csv = lagoa("table", "show", "silver.customers", "--format=csv");
    assertThat(csv.out().lines().toList())
        .startsWith(
            "field_id,name,type,required,doc",
            "1,id,long,true,customer id",
            "2,name,string,false,");
  }

  @Test
  void showAndHistoryOfAnEmptyTable() {
    Run show = lagoa("table", "show", "bronze.events");
    assertThat(show.exitCode()).isZero();
    assertThat(show.out())
        .contains("Current snapshot  none (nothing written yet)\n")
        .contains("Partitioned by      unpartitioned\n")
        .contains("Identifier columns  none\n");
    Run history = lagoa("table", "history", "bronze.events");
    assertThat(history.exitCode()).isZero();
    assertThat(history.out()).endsWith("(0 rows)\n");
    assertThat(history.err()).contains("bronze.events has no snapshots yet");
  }

  @Test
  void unknownAndMalformedTablesAreClearErrors() {
    for (String[] args :
        new String[][] {
          {"table", "show", "silver.nope"},
          {"table", "history", "silver.nope"},
          {"table", "rollback", "silver.nope", "--to", "2026-11-25"},
          {"changes", "silver.nope", "--from", "2026-11-25"}
        }) {
      Run run = lagoa(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(run.err())
          .contains(
              "error: table silver.nope does not exist (lagoa tables lists the tables there are)");
    }
    Run noNamespace = lagoa("table", "show", "customers");
    assertThat(noNamespace.exitCode()).isEqualTo(2);
    assertThat(noNamespace.err()).contains("table names need a namespace, e.g. bronze.customers");
    Run missing = lagoa("table", "show");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required parameter: 'TABLE'");
    Run usage = lagoa("table");
    assertThat(usage.exitCode()).isZero();
    assertThat(usage.out()).contains("show").contains("history").contains("rollback");
  }

  @Test
  void historyRollbackAndUndo() {
    sql(
        "CREATE TABLE work.orders (id BIGINT, amount DOUBLE) USING iceberg;"
            + " INSERT INTO work.orders VALUES (1, 10.0);"
            + " INSERT INTO work.orders VALUES (2, 20.0), (3, 30.0);"
            + " DELETE FROM work.orders WHERE id = 1");
    List<Map<String, Object>> history =
        lagoa("table", "history", "work.orders", "--json").jsonRows();
    assertThat(history)
        .extracting(row -> row.get("operation"))
        .containsExactly("delete", "append", "append");
    assertThat(history).extracting(row -> row.get("total_records")).containsExactly(2, 3, 1);
    assertThat(history).extracting(row -> row.get("current")).containsExactly(true, false, false);
    assertThat(history.get(2)).containsEntry("parent_id", null).containsEntry("added_records", 1);
    assertThat(history.get(0)).containsEntry("deleted_records", 1);
    long third = id(history.get(0));
    long second = id(history.get(1));
    long first = id(history.get(2));

    Run text = lagoa("table", "history", "work.orders");
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0))
        .matches(
            "snapshot_id +\\| parent_id +\\| committed_at +\\| operation \\| added_records \\|"
                + " deleted_records \\| total_records \\| status");
    // Ids are right-aligned numbers of varying width, so compare cells, not padding.
    assertThat(cells(lines.get(2))).startsWith(Long.toString(third), Long.toString(second));
    assertThat(lines.get(2)).endsWith("| current");
    assertThat(cells(lines.get(4))).startsWith(Long.toString(first), "");

    // Roll back to the first snapshot by id.
    Run rollback = lagoa("table", "rollback", "work.orders", "--to", Long.toString(first));
    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    assertThat(rollback.out())
        .startsWith("Rolled back work.orders\n")
        .containsPattern("  from snapshot " + third + " \\(committed 20.*, 2 rows\\)\n")
        .containsPattern("  to   snapshot " + first + " \\(committed 20.*, 1 row\\)\n");
    assertThat(rollback.err())
        .contains("Undo with: lagoa table rollback work.orders --to " + third);
    assertThat(count("work.orders")).isEqualTo(1);
    assertThat(lagoa("table", "history", "work.orders").out())
        .contains(first + " |")
        .containsPattern(third + " \\|.*\\| rolled back\n")
        .containsPattern(second + " \\|.*\\| rolled back\n")
        .containsPattern(first + " \\|.*\\| current\n");
    List<Map<String, Object>> after = lagoa("table", "history", "work.orders", "--json").jsonRows();
    assertThat(after)
        .extracting(row -> row.get("in_current_lineage"))
        .containsExactly(false, false, true);

    // Undo: back to the snapshot that was current before, as the hint says.
    Run undo = lagoa("table", "rollback", "work.orders", "--to", Long.toString(third), "--json");
    assertThat(undo.exitCode()).as(undo.err()).isZero();
    assertThat(undo.jsonObject())
        .containsEntry("table", "work.orders")
        .containsEntry("changed", true)
        .containsEntry("rows_before", 1)
        .containsEntry("rows_after", 2)
        .containsEntry("undo", "lagoa table rollback work.orders --to " + first);
    assertThat(((Number) undo.jsonObject().get("from_snapshot_id")).longValue()).isEqualTo(first);
    assertThat(((Number) undo.jsonObject().get("to_snapshot_id")).longValue()).isEqualTo(third);
    assertThat(count("work.orders")).isEqualTo(2);

    // By time: an ISO instant, then the local time as table output shows it.
    Instant secondAt = Instant.parse((String) history.get(1).get("committed_at"));
    Run byInstant = lagoa("table", "rollback", "work.orders", "--to", secondAt.toString());
    assertThat(byInstant.exitCode()).as(byInstant.err()).isZero();
    assertThat(byInstant.out()).contains("  to   snapshot " + second + " ");
    assertThat(count("work.orders")).isEqualTo(3);

    Instant firstAt = Instant.parse((String) history.get(2).get("committed_at"));
    String local =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .format(firstAt.atZone(ZoneId.systemDefault()));
    Run byLocalTime = lagoa("table", "rollback", "work.orders", "--to", local, "--format", "csv");
    assertThat(byLocalTime.exitCode()).as(byLocalTime.err()).isZero();
    assertThat(byLocalTime.out())
        .isEqualTo(
            "table,changed,from_snapshot_id,to_snapshot_id,rows_before,rows_after\n"
                + "work.orders,true,"
                + second
                + ","
                + first
                + ",3,1\n");

    Run again = lagoa("table", "rollback", "work.orders", "--to", Long.toString(first));
    assertThat(again.exitCode()).isZero();
    assertThat(again.out())
        .contains("work.orders is already at snapshot " + first)
        .contains("nothing changed");
    assertThat(again.err()).doesNotContain("Undo");
  }

  @Test
  void historyOfAReplacedTableSaysReplacedNotRolledBack() {
    // What a pipeline does with a materialized view on every run.
    for (String query :
        List.of("SELECT 1 AS id", "SELECT 1 AS id UNION ALL SELECT 2", "SELECT 3 AS id")) {
      sql("CREATE OR REPLACE TABLE work.by_run USING iceberg AS " + query);
    }
    List<Map<String, Object>> history =
        lagoa("table", "history", "work.by_run", "--json").jsonRows();
    assertThat(history).extracting(row -> row.get("parent_id")).containsOnlyNulls();
    assertThat(history)
        .extracting(row -> row.get("status"))
        .containsExactly("current", "replaced", "replaced");
    assertThat(history)
        .extracting(row -> row.get("in_current_lineage"))
        .containsExactly(true, false, false);
    long last = id(history.get(0));
    long second = id(history.get(1));
    long first = id(history.get(2));
    List<String> lines = lagoa("table", "history", "work.by_run").out().lines().toList();
    assertThat(cells(lines.get(2))).startsWith(Long.toString(last), "").endsWith("current");
    assertThat(cells(lines.get(3))).startsWith(Long.toString(second), "").endsWith("replaced");
    assertThat(cells(lines.get(4))).startsWith(Long.toString(first), "").endsWith("replaced");

    // Back to the second run: the last one was rolled back, the first stays replaced.
    assertThat(lagoa("table", "rollback", "work.by_run", "--to", Long.toString(second)).exitCode())
        .isZero();
    assertThat(lagoa("table", "history", "work.by_run", "--format", "csv").out())
        .contains(last + ",,")
        .containsPattern(last + ",.*,false,false,rolled back\n")
        .containsPattern(second + ",.*,true,true,current\n")
        .containsPattern(first + ",.*,false,false,replaced\n");
  }

  @Test
  void badRollbacksFailAndLeaveTheTableAlone() {
    sql(
        "CREATE TABLE work.payments (id BIGINT) USING iceberg;"
            + " INSERT INTO work.payments VALUES (1); INSERT INTO work.payments VALUES (2)");
    long current = id(lagoa("table", "history", "work.payments", "--json").jsonRows().get(0));

    Run unknown = lagoa("table", "rollback", "work.payments", "--to", "123456789");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .contains(
            "error: cannot roll back work.payments: it has no snapshot 123456789"
                + " (lagoa table history work.payments lists its snapshots)");
    Run badTime = lagoa("table", "rollback", "work.payments", "--to", "yesterday");
    assertThat(badTime.exitCode()).isEqualTo(2);
    assertThat(badTime.err())
        .contains("error: --to: expected a snapshot id or a time such as 2026-11-25T10:15:30Z")
        .contains("but got 'yesterday'");
    Run tooEarly = lagoa("table", "rollback", "work.payments", "--to", "2001-01-01");
    assertThat(tooEarly.exitCode()).isEqualTo(1);
    assertThat(tooEarly.err()).contains("that is before its history, which starts at");
    Run noTarget = lagoa("table", "rollback", "work.payments");
    assertThat(noTarget.exitCode()).isEqualTo(2);
    assertThat(noTarget.err()).contains("Missing required option: '--to=SNAPSHOT|TIME'");

    List<Map<String, Object>> history =
        lagoa("table", "history", "work.payments", "--json").jsonRows();
    assertThat(history).hasSize(2);
    assertThat(id(history.get(0))).isEqualTo(current);
    assertThat(history.get(0)).containsEntry("current", true);
    assertThat(count("work.payments")).isEqualTo(2);
  }

  @Test
  void changesShowInsertsDeletesAndUpdatePairs() {
    sql(
        "CREATE TABLE work.accounts (id BIGINT NOT NULL, owner STRING, balance INT) USING"
            + " iceberg; INSERT INTO work.accounts SELECT /*+ COALESCE(1) */ * FROM VALUES (1L,"
            + " 'ana', 10), (2L, 'bia', 20), (3L, 'caio', 30) AS v(id, owner, balance); UPDATE"
            + " work.accounts SET balance = 25 WHERE id = 2; DELETE FROM work.accounts WHERE id"
            + " = 3; MERGE INTO work.accounts t USING (SELECT * FROM VALUES (1L, 'ana', 15), (4L,"
            + " 'duda', 40) AS v(id, owner, balance)) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET"
            + " * WHEN NOT MATCHED THEN INSERT *");
    List<Map<String, Object>> history =
        lagoa("table", "history", "work.accounts", "--json").jsonRows();
    long first = id(history.get(3));
    long update = id(history.get(2));
    long delete = id(history.get(1));

    Run keyed = lagoa("changes", "work.accounts", "--from", Long.toString(first), "--key", "id");
    assertThat(keyed.exitCode()).as(keyed.err()).isZero();
    List<String> lines = keyed.out().lines().toList();
    assertThat(lines.get(0))
        .matches(
            "id \\| owner \\| balance \\| _change_type +\\| _change_ordinal \\| _commit_snapshot_id"
                + " \\| _commit_timestamp");
    assertThat(lines.subList(2, lines.size()).stream().map(TestTableCommands::change).toList())
        .containsExactly(
            "1 ana 10 INSERT 0",
            "2 bia 20 INSERT 0",
            "3 caio 30 INSERT 0",
            "2 bia 20 UPDATE_BEFORE 1",
            "2 bia 25 UPDATE_AFTER 1",
            "3 caio 30 DELETE 2",
            "1 ana 10 UPDATE_BEFORE 3",
            "1 ana 15 UPDATE_AFTER 3",
            "4 duda 40 INSERT 3",
            "(9 rows)");
    assertThat(keyed.err())
        .contains("Changes to work.accounts, snapshot " + first + " to snapshot ")
        .contains("(4 commits), key id")
        .doesNotContain("note:");

    // --from and --to are inclusive; json carries snapshot ids and ISO timestamps.
    Run json =
        lagoa(
            "changes",
            "work.accounts",
            "--from",
            Long.toString(update),
            "--to",
            Long.toString(delete),
            "--key",
            "id",
            "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    List<Map<String, Object>> rows = json.jsonRows();
    assertThat(rows)
        .extracting(row -> row.get("_change_type"))
        .containsExactly("UPDATE_BEFORE", "UPDATE_AFTER", "DELETE");
    assertThat(((Number) rows.get(0).get("_commit_snapshot_id")).longValue()).isEqualTo(update);
    assertThat(((Number) rows.get(2).get("_commit_snapshot_id")).longValue()).isEqualTo(delete);
    assertThat(Instant.parse((String) rows.get(2).get("_commit_timestamp")))
        .isEqualTo(Instant.parse((String) history.get(1).get("committed_at")));

    // Without a key: DELETE + INSERT, and a note that says how to get pairs.
    Instant updateAt = Instant.parse((String) history.get(2).get("committed_at"));
    Run unkeyed =
        lagoa(
            "changes",
            "work.accounts",
            "--from",
            updateAt.toString(),
            "--to",
            updateAt.toString(),
            "--format",
            "csv");
    assertThat(unkeyed.exitCode()).as(unkeyed.err()).isZero();
    assertThat(unkeyed.out().lines().map(line -> line.replaceAll(",[^,]*,[^,]*$", "")).toList())
        .containsExactly(
            "id,owner,balance,_change_type,_change_ordinal",
            "2,bia,20,DELETE,0",
            "2,bia,25,INSERT,0");
    assertThat(unkeyed.err())
        .contains("note: work.accounts has no identifier fields and no --key was given")
        .contains("--key <columns>");

    // The table's identifier fields are the default key.
    sql("ALTER TABLE work.accounts SET IDENTIFIER FIELDS id");
    Run identified =
        lagoa(
            "changes",
            "work.accounts",
            "--from",
            Long.toString(update),
            "--to",
            Long.toString(update));
    assertThat(identified.out()).contains("UPDATE_BEFORE").contains("UPDATE_AFTER");
    assertThat(identified.err()).contains("key id (the table's identifier fields)");
  }

  @Test
  void badChangeRequestsAreClearErrors() {
    sql(
        "CREATE TABLE work.ledger (id BIGINT, amount INT) USING iceberg; INSERT INTO"
            + " work.ledger VALUES (1, 10); INSERT INTO work.ledger VALUES (2, 20)");
    List<Map<String, Object>> history =
        lagoa("table", "history", "work.ledger", "--json").jsonRows();
    String newest = Long.toString(id(history.get(0)));
    String oldest = Long.toString(id(history.get(1)));

    Run unknown = lagoa("changes", "work.ledger", "--from", "123456789");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .contains(
            "error: cannot read the changes of work.ledger: it has no snapshot 123456789"
                + " (--from)");
    Run inverted = lagoa("changes", "work.ledger", "--from", newest, "--to", oldest);
    assertThat(inverted.exitCode()).isEqualTo(2);
    assertThat(inverted.err()).contains("--from snapshot " + newest + " was committed after --to");
    Run badKey = lagoa("changes", "work.ledger", "--from", oldest, "--key", "id,nope");
    assertThat(badKey.exitCode()).isEqualTo(2);
    assertThat(badKey.err()).contains("--key nope is not one of its columns (id, amount)");
    Run badTime = lagoa("changes", "work.ledger", "--from", "last week");
    assertThat(badTime.exitCode()).isEqualTo(2);
    assertThat(badTime.err()).contains("error: --from: expected a snapshot id or a time");
    Run noFrom = lagoa("changes", "work.ledger");
    assertThat(noFrom.exitCode()).isEqualTo(2);
    assertThat(noFrom.err()).contains("Missing required option: '--from=SNAPSHOT|TIME'");

    Run future = lagoa("changes", "work.ledger", "--from", "2999-01-01");
    assertThat(future.exitCode()).as(future.err()).isZero();
    assertThat(future.out()).startsWith("id | amount | _change_type").endsWith("(0 rows)\n");
    assertThat(future.err()).contains("No commits in that range of work.ledger.");
  }

  private static long id(Map<String, Object> snapshot) {
    return ((Number) snapshot.get("snapshot_id")).longValue();
  }

  private static long count(String table) {
    Run run = lagoa("sql", "SELECT count(*) AS n FROM " + table, "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    return ((Number) run.jsonRows().get(0).get("n")).longValue();
  }

  /** A change row of table output as "id owner balance type ordinal", or the footer as is. */
  private static String change(String line) {
    if (line.startsWith("(")) {
      return line;
    }
    String[] cells = line.split("\\|");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      text.append(i == 0 ? "" : " ").append(cells[i].strip());
    }
    return text.toString();
  }

  private static List<String> cells(String line) {
    return java.util.Arrays.stream(line.split("\\|", -1)).map(String::strip).toList();
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL the foundation issue promises, run the way users run it: through {@code lagoa sql}. */
class TestSqlCommand {
  private static TestingWarehouse warehouse;
  private static CliRunner lagoa;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
    lagoa = new CliRunner(warehouse);
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  private static String csv(String sql) {
    CliRunner.Result result = lagoa.run("sql", sql, "--format", "csv");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result.out();
  }

  private static void ok(String sql) {
    CliRunner.Result result = lagoa.run("sql", sql);
    assertThat(result.exitCode()).as(result.toString()).isZero();
  }

  @Test
  void hiddenPartitioningMergeUpdateDeleteSchemaEvolutionAndTimeTravel() {
    ok("CREATE NAMESPACE IF NOT EXISTS silver");
    ok(
        "CREATE TABLE silver.events (id BIGINT, kind STRING, amount INT, ts TIMESTAMP)"
            + " USING iceberg PARTITIONED BY (days(ts), bucket(16, id))");
    ok(
        "INSERT INTO silver.events VALUES (1, 'a', 10, TIMESTAMP'2026-01-01 10:00:00'),"
            + " (2, 'b', 20, TIMESTAMP'2026-01-02 10:00:00'), (3, 'c', 30, TIMESTAMP'2026-01-03 10:00:00')");
    String firstSnapshot =
        csv("SELECT snapshot_id FROM silver.events.snapshots ORDER BY committed_at DESC LIMIT 1")
            .split("\n")[1];

    ok(
        "MERGE INTO silver.events t USING (SELECT 2 AS id, 25 AS amount UNION ALL SELECT 4, 40) s"
            + " ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.amount = s.amount"
            + " WHEN NOT MATCHED THEN INSERT (id, kind, amount, ts)"
            + " VALUES (s.id, 'd', s.amount, TIMESTAMP'2026-01-04 10:00:00')");
    ok("UPDATE silver.events SET kind = 'z' WHERE id = 1");
    ok("DELETE FROM silver.events WHERE id = 3");
    assertThat(csv("SELECT id, kind, amount FROM silver.events ORDER BY id"))
        .isEqualTo("id,kind,amount\n1,z,10\n2,b,25\n4,d,40\n");

    // Schema evolution: add, rename, widen, drop.
    ok("ALTER TABLE silver.events ADD COLUMN note STRING");
    ok("ALTER TABLE silver.events RENAME COLUMN kind TO category");
    ok("ALTER TABLE silver.events ALTER COLUMN amount TYPE BIGINT");
    ok("ALTER TABLE silver.events DROP COLUMN note");
    assertThat(csv("DESCRIBE TABLE silver.events"))
        .contains("category,string")
        .contains("amount,bigint")
        .doesNotContain("note");

    // Time travel to the first snapshot sees the original rows and the original schema.
    assertThat(
            csv(
                "SELECT id, kind, amount FROM silver.events VERSION AS OF "
                    + firstSnapshot
                    + " ORDER BY id"))
        .isEqualTo("id,kind,amount\n1,a,10\n2,b,20\n3,c,30\n");
    String firstCommitTime =
        csv("SELECT committed_at FROM silver.events.snapshots WHERE snapshot_id = " + firstSnapshot)
            .split("\n")[1];
    assertThat(
            csv(
                "SELECT sum(amount) AS total FROM silver.events TIMESTAMP AS OF '"
                    + firstCommitTime
                    + "'"))
        .isEqualTo("total\n60\n");

    // Partition layout is hidden partitioning on days(ts) and bucket(16, id).
    assertThat(csv("SELECT count(*) AS partitions FROM silver.events.partitions"))
        .isEqualTo("partitions\n3\n");

    // CALL system procedures: roll the table back to the first snapshot.
    ok("CALL lagoa.system.rollback_to_snapshot('silver.events', " + firstSnapshot + ")");
    assertThat(csv("SELECT count(*) AS n FROM silver.events")).isEqualTo("n\n3\n");
  }

  @Test
  void printsAlignedTablesJsonAndTimings() {
    CliRunner.Result table =
        lagoa.run("sql", "SELECT 1 AS id, 'um' AS name UNION ALL SELECT 22, NULL");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out())
        .isEqualTo(
            "id | name\n---+-----\n 1 | um\n22 | NULL\n(2 rows)\n"
                .replace("\n", System.lineSeparator()));
    assertThat(table.err()).matches("(?s)\\(\\d+\\.\\d s\\)\\R");

    CliRunner.Result json = lagoa.run("sql", "SELECT 1 AS id, DATE'2026-11-25' AS day", "--json");
    assertThat(json.out()).contains("\"id\" : 1").contains("\"day\" : \"2026-11-25\"");
  }

  @Test
  void explainPrintsEachPlanAndWhatRunsNativelyWithoutRunningIt() {
    ok("CREATE NAMESPACE IF NOT EXISTS ex");
    ok("CREATE TABLE IF NOT EXISTS ex.t (id BIGINT, v DECIMAL(10,2)) USING iceberg");
    CliRunner.Result plan =
        lagoa.run(
            "sql",
            "--explain",
            "INSERT INTO ex.t VALUES (1, 2.50); SELECT id, sum(v) FROM ex.t GROUP BY id");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.out())
        .contains("== Physical Plan ==")
        .contains("AppendData")
        .contains("Native (accelerator): ")
        .containsPattern(
            "(?m)^Spark: +.*HashAggregate|(?m)^Native \\(accelerator\\): .*(Comet|DuckDbQuery)");
    assertThat(csv("SELECT count(*) AS n FROM ex.t")).isEqualTo("n\n0\n");

    CliRunner.Result json = lagoa.run("sql", "--explain", "--json", "SELECT * FROM ex.t");
    assertThat(json.out()).contains("\"native_operators\"").contains("\"spark_operators\"");

    // a syntax error points into the statement as written, not into the EXPLAIN around it
    CliRunner.Result bad = lagoa.run("sql", "--explain", "SELEC 1");
    assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
    assertThat(bad.err()).startsWith("error: line 1, column 1: [PARSE_SYNTAX_ERROR]");

    // an unknown table is an error, not a plan Spark's EXPLAIN replaced with its error text
    CliRunner.Result missing = lagoa.run("sql", "--explain", "SELECT * FROM ex.missing");
    assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
    assertThat(missing.err())
        .startsWith("error: line 1, column 15: [TABLE_OR_VIEW_NOT_FOUND]")
        .contains("`ex`.`missing`");
    assertThat(missing.out()).doesNotContain("Error occurred during query planning");
  }

  @Test
  void runsFilesStatementByStatementAndPointsAtTheFailingLine() {
    warehouse.writeFile(
        "script.sql",
        "CREATE NAMESPACE IF NOT EXISTS bronze;\n"
            + "CREATE TABLE IF NOT EXISTS bronze.script (id INT);\n"
            + "-- a comment; with a semicolon\n"
            + "INSERT INTO bronze.script VALUES (1);\n"
            + "SELECT *\n  FROM bronze.missing;\n"
            + "INSERT INTO bronze.script VALUES (2);\n");
    CliRunner.Result result = lagoa.run("sql", "-f", "script.sql");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("error: script.sql:6:8: [TABLE_OR_VIEW_NOT_FOUND]")
        .contains("statement 4 of 5; the 3 before it ran");
    // The statements before the error committed; the one after it never ran.
    assertThat(csv("SELECT * FROM bronze.script")).isEqualTo("id\n1\n");
  }

  @Test
  void syntaxErrorsExitOneWithPosition() {
    CliRunner.Result result = lagoa.run("sql", "SELEC 1");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: line 1, column 1: [PARSE_SYNTAX_ERROR]");
  }

  @Test
  void inlineAndFilePositionsAreOneBasedAndCountFromTheStartOfTheText() {
    // Statement 2 of the text, its error on the text's line 3, at column 8 of that line.
    String text = "SELECT 1;\nSELECT *\n  FROM nowhere.missing";
    CliRunner.Result inline = lagoa.run("sql", text);
    assertThat(inline.exitCode()).as(inline.toString()).isEqualTo(1);
    assertThat(inline.err())
        .contains("error: line 3, column 8: [TABLE_OR_VIEW_NOT_FOUND]")
        // Spark's own 0-based, statement-relative "line 2 pos 7" is not printed next to it.
        .doesNotContain(" pos ");
    warehouse.writeFile("positions.sql", text);
    CliRunner.Result file = lagoa.run("sql", "-f", "positions.sql");
    assertThat(file.err())
        .contains("error: positions.sql:3:8: [TABLE_OR_VIEW_NOT_FOUND]")
        .doesNotContain(" pos ");

    CliRunner.Result syntax = lagoa.run("sql", "SELECT 1;\n  SELECT )");
    assertThat(syntax.err())
        .contains("error: line 2, column 10: [PARSE_SYNTAX_ERROR] Syntax error at or near ')'")
        .doesNotContain(" pos ")
        .contains("== SQL ==")
        .contains("SELECT )\n");
  }

  @Test
  void sqlMayStartWithDashes() {
    CliRunner.Result comment =
        lagoa.run("sql", "-- the answer\nSELECT 42 AS answer", "--format", "csv");
    assertThat(comment.exitCode()).as(comment.toString()).isZero();
    assertThat(comment.out()).isEqualTo("answer\n42\n");

    CliRunner.Result negative = lagoa.run("sql", "--format", "csv", "-1 AS n");
    assertThat(negative.err()).contains("[PARSE_SYNTAX_ERROR]"); // SQL, not an unknown option

    CliRunner.Result nothing = lagoa.run("sql", "-- nothing");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err().strip())
        .isEqualTo("error: nothing to run: the statement holds only comments");

    CliRunner.Result typo = lagoa.run("sql", "--fromat");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err())
        .contains("nothing to run")
        .contains("no option is called --fromat; see lagoa sql --help");
    // Other commands still report an unknown option as one.
    CliRunner.Result other = lagoa.run("tables", "--fromat");
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("Unknown option: '--fromat'");
  }

  @Test
  void csvLinesEndWithNewlineAndQuoteWhatNeedsIt() {
    CliRunner.Result result =
        lagoa.run(
            "sql",
            "SELECT 1 AS id, 'a,b' AS comma, 'two\nlines' AS text, 'say \"hi\"' AS quote",
            "--format",
            "csv");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .isEqualTo("id,comma,text,quote\n1,\"a,b\",\"two\nlines\",\"say \"\"hi\"\"\"\n")
        .doesNotContain("\r");
  }

  @Test
  void badArgumentsExitTwo() {
    assertThat(lagoa.run("sql").exitCode()).isEqualTo(2);
    assertThat(lagoa.run("sql", "-f", "nope.sql").err())
        .contains("cannot read SQL file")
        .contains("nope.sql");
    CliRunner.Result comments = lagoa.run("sql", "  -- only a comment ");
    assertThat(comments.exitCode()).isEqualTo(2);
    assertThat(comments.err()).contains("nothing to run: the statement holds only comments");
    assertThat(lagoa.run("sql", " ").err()).contains("nothing to run: the statement is empty");
    warehouse.writeFile("comments.sql", "-- to do\n/* later */\n");
    CliRunner.Result file = lagoa.run("sql", "-f", "comments.sql");
    assertThat(file.exitCode()).isEqualTo(2);
    assertThat(file.err())
        .contains("nothing to run: comments.sql holds only comments and blank lines");
    CliRunner.Result format = lagoa.run("sql", "select 1", "--format", "xml");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err()).contains("--format").contains("xml");
  }

  @Test
  void filesThatAreNotUtf8SayWhereAndHowToFixThem() throws java.io.IOException {
    // Saved as Latin-1 (Windows-1252): 'ç' is the single byte 0xE7.
    java.nio.file.Files.write(
        warehouse.root().resolve("latin1.sql"),
        "CREATE NAMESPACE IF NOT EXISTS latin1;\nSELECT 'cora\u00e7\u00e3o' AS word;\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    CliRunner.Result result = lagoa.run("sql", "-f", "latin1.sql");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "error: latin1.sql:2:13: the file is not valid UTF-8: byte 0xE7 ('\u00e7' in"
                + " Windows-1252/Latin-1) is not UTF-8 text; save the file as UTF-8 (your"
                + " editor's \"save with encoding\", or iconv -f windows-1252 -t utf-8)\n");
    // Nothing ran, not even the statements before the bad byte.
    assertThat(csv("SHOW NAMESPACES LIKE 'latin1'")).isEqualTo("namespace\n");
  }

  @Test
  void dataVaultFunctions() {
    assertThat(
            csv(
                "SELECT generate_person_hash('João Silva', 'joao@email.com', '11999999999') AS k,"
                    + " normalize_phone('(11) 99999-9999') AS p"))
        .isEqualTo("k,p\nBD629CF310F96EF25E7F9C83A845F72E,+5511999999999\n");
    CliRunner.Result result = lagoa.run("sql", "SELECT hash_key()");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `hash_key` requires > 0 parameters");
  }
}

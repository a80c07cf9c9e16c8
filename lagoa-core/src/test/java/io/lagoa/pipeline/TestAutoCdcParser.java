package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** AUTO CDC INTO / APPLY CHANGES INTO flows and the declarations of their targets. */
class TestAutoCdcParser {
  private static final String BASE = "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) SEQUENCE BY ts";

  private static ParsedStatement read(String text) {
    List<Statement> statements = StatementSplitter.splitAll(text);
    assertThat(statements).hasSize(1);
    return DatasetStatementParser.read("f.sql", statements.get(0), ExpectationPolicy.WARN);
  }

  private static DatasetStatement parse(String text) {
    ParsedStatement parsed = read(text);
    assertThat(parsed).isInstanceOf(ParsedStatement.Definition.class);
    return parsed.dataset();
  }

  private static AutoCdc cdc(String text) {
    return parse(text).autoCdc().orElseThrow();
  }

  /** Where a piece of the text Spark parses is in the file. */
  private static SourcePosition at(DatasetStatement statement, String text) {
    int offset = statement.engineSql().indexOf(text);
    assertThat(offset).as(text).isNotNegative();
    return statement.positionAt(offset);
  }

  @Test
  void readsAFlowWithEveryClause() {
    DatasetStatement statement =
        parse(
            "-- customers\n"
                + "CREATE FLOW customers_cdc AS AUTO CDC INTO silver.customers\n"
                + "FROM STREAM(bronze.customer_changes)\n"
                + "KEYS (id, region)\n"
                + "IGNORE NULL UPDATES\n"
                + "APPLY AS DELETE WHEN _op = 'd'\n"
                + "SEQUENCE BY _sequence\n"
                + "COLUMNS * EXCEPT (_op, _sequence)\n"
                + "STORED AS SCD TYPE 2\n"
                + "TRACK HISTORY ON * EXCEPT (last_login);");
    assertThat(statement.kind()).isEqualTo(DatasetKind.STREAMING_TABLE);
    assertThat(statement.nameParts()).containsExactly("silver", "customers");
    assertThat(statement.position()).isEqualTo(new SourcePosition("f.sql", 2, 44));
    assertThat(statement.keys()).isEmpty();
    assertThat(statement.sequenceBy()).isEmpty();
    AutoCdc cdc = statement.autoCdc().orElseThrow();
    assertThat(cdc.flowName()).hasValue("customers_cdc");
    assertThat(cdc.fromSnapshot()).isFalse();
    assertThat(cdc.position()).isEqualTo(new SourcePosition("f.sql", 2, 30));
    assertThat(cdc.keys()).containsExactly("id", "region");
    assertThat(cdc.ignoreNullUpdates()).isTrue();
    assertThat(cdc.deleteWhen())
        .hasValue(new AutoCdc.Expression("_op = 'd'", new SourcePosition("f.sql", 6, 22)));
    assertThat(cdc.truncateWhen()).isEmpty();
    assertThat(cdc.sequenceBy())
        .containsExactly(new AutoCdc.Expression("_sequence", new SourcePosition("f.sql", 7, 13)));
    assertThat(cdc.columns().isAll()).isTrue();
    assertThat(cdc.columns().except()).containsExactly("_op", "_sequence");
    assertThat(cdc.columns().position()).isEqualTo(new SourcePosition("f.sql", 8, 1));
    assertThat(cdc.scdType()).isEqualTo(AutoCdc.ScdType.TYPE_2);
    assertThat(cdc.trackHistory().except()).containsExactly("last_login");

    String engine = statement.engineSql();
    assertThat(engine).startsWith("CREATE STREAMING TABLE silver.customers AS SELECT * FROM\n");
    assertThat(engine.strip().replaceAll("\\s+", " "))
        .isEqualTo(
            "CREATE STREAMING TABLE silver.customers AS SELECT * FROM"
                + " STREAM(bronze.customer_changes)");
    assertThat(at(statement, "STREAM(bronze")).isEqualTo(new SourcePosition("f.sql", 3, 6));
    assertThat(at(statement, "bronze.customer_changes"))
        .isEqualTo(new SourcePosition("f.sql", 3, 13));
    assertThat(statement.statement().sql()).isEqualTo(engine);
  }

  @Test
  void keepsColumnsOfAFlowThatStartsInsideALine() {
    List<Statement> statements =
        StatementSplitter.splitAll(
            "CREATE MATERIALIZED VIEW a.b AS SELECT 1;   APPLY CHANGES INTO s.t FROM STREAM x.y"
                + " KEYS (id) SEQUENCE BY ts");
    DatasetStatement statement =
        DatasetStatementParser.parse("f.sql", statements.get(1), ExpectationPolicy.WARN);
    assertThat(statement.autoCdc().orElseThrow().flowName()).isEmpty();
    assertThat(at(statement, "x.y")).isEqualTo(new SourcePosition("f.sql", 1, 80));
    assertThat(statement.autoCdc().orElseThrow().position())
        .isEqualTo(new SourcePosition("f.sql", 1, 45));
  }

  @Test
  void acceptsEveryFormOfTheFlow() {
    for (String head :
        List.of(
            "CREATE FLOW f AS AUTO CDC INTO",
            "CREATE FLOW f AS APPLY CHANGES INTO",
            "AUTO CDC INTO",
            "apply changes into")) {
      DatasetStatement statement =
          parse(head + " silver.t FROM STREAM bronze.c KEYS (id) SEQUENCE BY ts");
      assertThat(statement.nameParts()).containsExactly("silver", "t");
      assertThat(statement.autoCdc().orElseThrow().flowName())
          .isEqualTo(
              head.startsWith("CREATE") ? java.util.Optional.of("f") : java.util.Optional.empty());
      assertThat(statement.engineSql().strip().replaceAll("\\s+", " "))
          .isEqualTo("CREATE STREAMING TABLE silver.t AS SELECT * FROM STREAM bronze.c");
    }
  }

  @Test
  void acceptsClausesInAnyOrder() {
    AutoCdc cdc =
        cdc(
            "AUTO CDC INTO s.t FROM STREAM(b.c) STORED AS SCD TYPE 1 COLUMNS (id, name, ts)"
                + " SEQUENCE BY ts APPLY AS TRUNCATE WHEN op = 't' KEYS (id)"
                + " APPLY AS DELETE WHEN op = 'd'");
    assertThat(cdc.scdType()).isEqualTo(AutoCdc.ScdType.TYPE_1);
    assertThat(cdc.columns().include()).containsExactly("id", "name", "ts");
    assertThat(cdc.truncateWhen().orElseThrow().sql()).isEqualTo("op = 't'");
    assertThat(cdc.deleteWhen().orElseThrow().sql()).isEqualTo("op = 'd'");
    assertThat(cdc.keys()).containsExactly("id");
    assertThat(cdc.trackHistory().isAll()).isTrue();
  }

  @Test
  void aConditionRunsToTheNextClauseOutsideParentheses() {
    AutoCdc cdc =
        cdc(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id)\n"
                + "APPLY AS DELETE WHEN a = 'x' AND b SEQUENCE BY ts\n"
                + "APPLY AS TRUNCATE WHEN (keys = 1 OR CAST(x AS INT) IN (SELECT 1)) AND"
                + " columns = 'SEQUENCE BY'");
    assertThat(cdc.deleteWhen().orElseThrow().sql()).isEqualTo("a = 'x' AND b");
    assertThat(cdc.sequenceBy()).extracting(AutoCdc.Expression::sql).containsExactly("ts");
    assertThat(cdc.truncateWhen().orElseThrow().sql())
        .isEqualTo("(keys = 1 OR CAST(x AS INT) IN (SELECT 1)) AND columns = 'SEQUENCE BY'");
    assertThat(cdc.truncateWhen().orElseThrow().position())
        .isEqualTo(new SourcePosition("f.sql", 3, 24));
  }

  @Test
  void sequenceByTakesAColumnSeveralOrAStruct() {
    assertThat(cdc(BASE).sequenceBy()).extracting(AutoCdc.Expression::sql).containsExactly("ts");
    AutoCdc pair =
        cdc("AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) SEQUENCE BY (ts_ms, _source.lsn)");
    assertThat(pair.sequenceBy())
        .extracting(AutoCdc.Expression::sql)
        .containsExactly("ts_ms", "_source.lsn");
    assertThat(pair.sequenceBy().get(1).position()).isEqualTo(new SourcePosition("f.sql", 1, 66));
    assertThat(
            cdc("AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) SEQUENCE BY struct(a, coalesce(b, 0))")
                .sequenceBy())
        .extracting(AutoCdc.Expression::sql)
        .containsExactly("a", "coalesce(b, 0)");
    assertThat(
            cdc("AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) SEQUENCE BY CAST(ts AS BIGINT)")
                .sequenceBy())
        .extracting(AutoCdc.Expression::sql)
        .containsExactly("CAST(ts AS BIGINT)");
  }

  @Test
  void readsColumnSelectionsAndTrackedHistory() {
    AutoCdc cdc =
        cdc(BASE + " COLUMNS (id, name, ts) STORED AS SCD TYPE 2 TRACK HISTORY ON (name)");
    assertThat(cdc.columns().include()).containsExactly("id", "name", "ts");
    assertThat(cdc.trackHistory().include()).containsExactly("name");
    assertThat(cdc(BASE + " COLUMNS *").columns().isAll()).isTrue();
    assertThat(cdc(BASE + " STORED AS SCD TYPE 2 TRACK HISTORY ON *").trackHistory().isAll())
        .isTrue();
  }

  @Test
  void cutsSourceCallsOutAndKeepsTheirOffsetsInTheTextSparkParses() {
    DatasetStatement statement =
        parse(
            "CREATE FLOW f AS AUTO CDC INTO s.t\nFROM STREAM read_kafka(bootstrap_servers =>"
                + " 'k:9092', topic => 'cdc')\nKEYS (id) SEQUENCE BY ts");
    assertThat(statement.sources()).hasSize(1);
    SourceCall kafka = statement.sources().get(0);
    assertThat(kafka.streaming()).isTrue();
    assertThat(kafka.position()).isEqualTo(new SourcePosition("f.sql", 2, 6));
    assertThat(statement.positionAt(kafka.start())).isEqualTo(kafka.position());
    assertThat(statement.engineSql().substring(kafka.nameOffset())).startsWith("__src1 ");
    assertThat(statement.engineSql().substring(kafka.start(), kafka.end()).strip())
        .isEqualTo("__src1");
    assertThat(statement.source("__src1")).contains(kafka);

    DatasetStatement wrapped =
        parse(
            "AUTO CDC INTO s.t FROM STREAM(read_kafka(bootstrap_servers => 'k', topic => 'c'))"
                + " KEYS (id) SEQUENCE BY ts");
    assertThat(wrapped.engineSql().strip().replaceAll("\\s+", " "))
        .isEqualTo("CREATE STREAMING TABLE s.t AS SELECT * FROM __src1");
  }

  @Test
  void readsAParenthesizedQueryAsTheSource() {
    DatasetStatement statement =
        parse(
            "AUTO CDC INTO s.t FROM (\n  SELECT *, 1 AS x FROM STREAM(read_kafka(bootstrap_servers"
                + " => 'k', topic => 'c')) WHERE a > 1)\nKEYS (id) SEQUENCE BY ts");
    assertThat(statement.engineSql().strip().replaceAll("\\s+", " "))
        .isEqualTo(
            "CREATE STREAMING TABLE s.t AS SELECT * FROM ( SELECT *, 1 AS x FROM __src1 WHERE a >"
                + " 1)");
    assertThat(statement.sources().get(0).position()).isEqualTo(new SourcePosition("f.sql", 2, 25));
    assertThat(at(statement, "WHERE a")).isEqualTo(new SourcePosition("f.sql", 2, 84));
  }

  @Test
  void readsSnapshotFlows() {
    DatasetStatement table =
        parse("AUTO CDC FROM SNAPSHOT INTO s.t FROM bronze.snap KEYS (id) STORED AS SCD TYPE 2");
    AutoCdc cdc = table.autoCdc().orElseThrow();
    assertThat(cdc.fromSnapshot()).isTrue();
    assertThat(cdc.sequenceBy()).isEmpty();
    assertThat(table.engineSql().strip().replaceAll("\\s+", " "))
        .isEqualTo("CREATE STREAMING TABLE s.t AS SELECT * FROM bronze.snap");
    DatasetStatement files =
        parse(
            "CREATE FLOW f AS AUTO CDC FROM SNAPSHOT INTO s.t FROM read_files('/landing/x', format"
                + " => 'csv') KEYS (id) SEQUENCE BY version");
    assertThat(files.sources()).singleElement().extracting(SourceCall::streaming).isEqualTo(false);
    assertThat(files.autoCdc().orElseThrow().sequenceBy()).hasSize(1);
  }

  @Test
  void readsDeclarationsOfTargets() {
    ParsedStatement parsed =
        read(
            "CREATE OR REFRESH STREAMING TABLE silver.customers (\n"
                + "  CONSTRAINT id_set EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW\n"
                + ") COMMENT 'current -- customers' -- a comment\n"
                + "TBLPROPERTIES ('a' = 'b');");
    assertThat(parsed).isInstanceOf(ParsedStatement.Declaration.class);
    ParsedStatement.Declaration declaration = (ParsedStatement.Declaration) parsed;
    assertThat(declaration.head())
        .isEqualTo(
            "CREATE STREAMING TABLE silver.customers COMMENT 'current -- customers'"
                + " TBLPROPERTIES ('a' = 'b')");
    assertThat(declaration.dataset().expectations())
        .extracting(Expectation::name)
        .containsExactly("id_set");
    assertThat(declaration.dataset().position()).isEqualTo(new SourcePosition("f.sql", 1, 35));
    assertThatThrownBy(() -> read("CREATE MATERIALIZED VIEW s.t COMMENT 'x'"))
        .hasMessageContaining("expected AS");
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(BASE + " STORED AS SCD TYPE 3", "3", "SCD type 3 is not supported"),
        Arguments.of(
            BASE + " STORED AS SCD TYP 2",
            "TYP",
            "expected TYPE after STORED AS SCD, not 'TYP' (did you mean TYPE?)"),
        Arguments.of(
            BASE + " TRACK HISTORY ON *",
            "TRACK",
            "TRACK HISTORY ON is for STORED AS SCD TYPE 2; s.t is stored as SCD type 1 (the"
                + " default)"),
        Arguments.of(
            BASE + " STORED AS SCD TYPE 2 APPLY AS TRUNCATE WHEN op = 't'",
            "APPLY",
            "APPLY AS TRUNCATE WHEN is only for STORED AS SCD TYPE 1"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id)", "AUTO", "s.t needs SEQUENCE BY"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) SEQUENCE BY ts", "AUTO", "s.t needs KEYS (...)"),
        Arguments.of(
            BASE + " COLUMNS * EXCEPT (op, id)",
            "id)",
            "key id is left out by COLUMNS * EXCEPT (...)"),
        Arguments.of(BASE + " COLUMNS (name, ts)", "id", "key id is not among COLUMNS (name, ts)"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (ide) SEQUENCE BY ts COLUMNS (id, name)",
            "ide",
            "key ide is not among COLUMNS (id, name) (did you mean id?); the target keeps its"
                + " keys"),
        Arguments.of(
            BASE + " COLUMNS (id, name, ts) STORED AS SCD TYPE 2 TRACK HISTORY ON (nme)",
            "nme",
            "TRACK HISTORY ON names nme, which is not among COLUMNS (id, name, ts) (did you mean"
                + " name?)"),
        Arguments.of(
            BASE + " COLUMNS * EXCPET (x)", "EXCPET", "after COLUMNS * (did you mean EXCEPT?)"),
        Arguments.of(
            BASE + " STORED AS PARQUET",
            "PARQUET",
            "expected SCD TYPE 1 or SCD TYPE 2 after STORED AS"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) SEQUENCED BY ts",
            "SEQUENCED",
            "unknown clause 'SEQUENCED BY' (did you mean SEQUENCE BY?)"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id) APPLY AS DELETE WHEN a = 'x' AND b"
                + " SEQUENCED BY ts",
            "SEQUENCED",
            "unknown clause 'SEQUENCED BY' (did you mean SEQUENCE BY?)"),
        Arguments.of(BASE + " KEY (x)", "KEY (x", "unknown clause 'KEY' (did you mean KEYS?)"),
        Arguments.of(
            BASE + " KEYS (x)", "KEYS (x", "KEYS is given twice; the first is at f.sql:1:36"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM (SELECT (1) KEYS (id) SEQUENCE BY ts",
            "(SELECT",
            "this parenthesis is never closed"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM(b.c) KEYS (id name) SEQUENCE BY ts",
            "name)",
            "expected , or ) in KEYS (...), not 'name'"),
        Arguments.of(BASE + " APPLY AS DELET WHEN x", "DELET", "(did you mean DELETE?)"),
        Arguments.of(
            BASE + " APPLY AS DELETE WHEN", "WHEN", "APPLY AS DELETE WHEN needs a condition"),
        Arguments.of(BASE + " IGNORE NULL UPDATE", "UPDATE", "(did you mean UPDATES?)"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM b.c KEYS (id) SEQUENCE BY ts", "b.c", "write FROM STREAM(b.c)"),
        Arguments.of(
            "AUTO CDC INTO s.t FROM STREAM read_kafak(topic => 'x') KEYS (id) SEQUENCE BY ts",
            "read_kafak",
            "unknown source function read_kafak (did you mean read_kafka?)"),
        Arguments.of(
            "AUTO CDC FROM SNAPSHOT INTO s.t FROM STREAM(b.c) KEYS (id)",
            "STREAM",
            "remove STREAM"),
        Arguments.of(
            "AUTO CDC FROM SNAPSHOT INTO s.t FROM b.c KEYS (id) APPLY AS DELETE WHEN x",
            "APPLY",
            "APPLY AS DELETE WHEN does not apply to AUTO CDC FROM SNAPSHOT"),
        Arguments.of(
            "AUTO CDC FROM SNAPSHOT INTO s.t FROM b.c KEYS (id) IGNORE NULL UPDATES",
            "IGNORE",
            "IGNORE NULL UPDATES does not apply to AUTO CDC FROM SNAPSHOT"),
        Arguments.of(
            "CREATE FLOW f AS INSERT INTO s.t BY NAME SELECT * FROM STREAM(b.c)",
            "INSERT",
            "CREATE FLOW ... AS 'INSERT INTO s.t BY NAME SELECT * FROM ST' is not supported; a"
                + " flow applies a change stream to a table: CREATE FLOW f AS AUTO CDC INTO"),
        Arguments.of("CREATE FLOW f AS AUTO CDX INTO s.t", "AUTO", "(did you mean AUTO CDC?)"),
        Arguments.of("AUTO CDC s.t FROM STREAM(b.c)", "s.t", "expected INTO after AUTO CDC"),
        Arguments.of(
            "CREATE STREAMING TABLE s.t KEYS (id)",
            "s.t",
            "KEYS and SEQUENCE BY of a declared streaming table belong in the flow"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void reportsEachMistakeAtItsPlace(String sql, String where, String message) {
    int column = (where.equals("id)") ? sql.lastIndexOf(where) : sql.indexOf(where)) + 1;
    assertThatThrownBy(() -> read(sql))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("f.sql:1:" + column + ": ")
        .hasMessageContaining(message);
  }
}

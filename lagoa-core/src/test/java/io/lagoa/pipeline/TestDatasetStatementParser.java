package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestDatasetStatementParser {

  private static DatasetStatement parse(String text) {
    List<Statement> statements = StatementSplitter.splitAll(text);
    assertThat(statements).hasSize(1);
    return DatasetStatementParser.parse("f.sql", statements.get(0), ExpectationPolicy.WARN);
  }

  @Test
  void readsConstraintsAndBlanksThemOutKeepingPositions() {
    String sql =
        "\n-- users\nCREATE OR REFRESH MATERIALIZED VIEW silver.users (\n"
            + "  CONSTRAINT valid_id EXPECT (user_id IS NOT NULL) ON VIOLATION DROP ROW,\n"
            + "  CONSTRAINT adult EXPECT (age >= 18 AND (age < 150)) ON VIOLATION QUARANTINE,\n"
            + "  CONSTRAINT named EXPECT (name <> ')'),\n"
            + "  CONSTRAINT stop EXPECT (id > 0) ON VIOLATION FAIL UPDATE\n"
            + ") COMMENT 'Users' PARTITIONED BY (title) AS SELECT * FROM bronze.users";
    DatasetStatement statement = parse(sql);
    assertThat(statement.kind()).isEqualTo(DatasetKind.MATERIALIZED_VIEW);
    assertThat(statement.nameParts()).containsExactly("silver", "users");
    assertThat(statement.position()).isEqualTo(new SourcePosition("f.sql", 3, 37));
    assertThat(statement.expectations())
        .extracting(Expectation::name, Expectation::condition, Expectation::policy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "valid_id", "user_id IS NOT NULL", ExpectationPolicy.DROP),
            org.assertj.core.groups.Tuple.tuple(
                "adult", "age >= 18 AND (age < 150)", ExpectationPolicy.QUARANTINE),
            org.assertj.core.groups.Tuple.tuple("named", "name <> ')'", ExpectationPolicy.WARN),
            org.assertj.core.groups.Tuple.tuple("stop", "id > 0", ExpectationPolicy.FAIL));
    assertThat(statement.expectations().get(0).position())
        .isEqualTo(new SourcePosition("f.sql", 4, 3));
    assertThat(statement.expectations().get(0).conditionPosition())
        .isEqualTo(new SourcePosition("f.sql", 4, 31));
    String engine = statement.engineSql();
    assertThat(engine).hasSameSizeAs(statement.statement().sql());
    assertThat(engine).doesNotContain("CONSTRAINT").doesNotContain("REFRESH").doesNotContain("(\n");
    assertThat(engine.lines().count()).isEqualTo(statement.statement().sql().lines().count());
    assertThat(engine).contains("MATERIALIZED VIEW silver.users").contains("COMMENT 'Users'");
  }

  @Test
  void keepsColumnDefinitionsBesideConstraints() {
    DatasetStatement statement =
        parse(
            "CREATE MATERIALIZED VIEW s.t (id INT COMMENT 'x, y', CONSTRAINT c EXPECT (id > 0),"
                + " name STRING) AS SELECT 1 id, 'a' name");
    assertThat(statement.expectations()).hasSize(1);
    assertThat(statement.engineSql().replaceAll(" +", " "))
        .isEqualTo(
            "CREATE MATERIALIZED VIEW s.t (id INT COMMENT 'x, y', name STRING) AS SELECT 1 id, 'a' name");
  }

  @Test
  void usesThePipelineDefaultPolicy() {
    List<Statement> statements =
        StatementSplitter.splitAll(
            "CREATE MATERIALIZED VIEW s.t (CONSTRAINT c EXPECT (a)) AS SELECT 1 a");
    DatasetStatement statement =
        DatasetStatementParser.parse("f.sql", statements.get(0), ExpectationPolicy.QUARANTINE);
    assertThat(statement.expectations().get(0).policy()).isEqualTo(ExpectationPolicy.QUARANTINE);
  }

  @Test
  void readsKeysAndSequenceOfStreamingTables() {
    DatasetStatement statement =
        parse(
            "CREATE STREAMING TABLE silver.customers KEYS (id, `region`) SEQUENCE BY updated_at\n"
                + "COMMENT 'c' AS SELECT * FROM STREAM(bronze.customers)");
    assertThat(statement.kind()).isEqualTo(DatasetKind.STREAMING_TABLE);
    assertThat(statement.keys()).containsExactly("id", "region");
    assertThat(statement.sequenceBy()).hasValue("updated_at");
    assertThat(statement.engineSql()).doesNotContain("KEYS").doesNotContain("SEQUENCE");
  }

  @Test
  void readsTemporaryViews() {
    DatasetStatement statement = parse("CREATE TEMPORARY VIEW flat AS SELECT 1");
    assertThat(statement.kind()).isEqualTo(DatasetKind.TEMPORARY_VIEW);
    assertThat(statement.nameParts()).containsExactly("flat");
  }

  @Test
  void reportsOtherStatementsWithTheirPosition() {
    assertThatThrownBy(() -> parse("\n\n  INSERT INTO x VALUES (1)"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("f.sql:3:3: a pipeline file holds only CREATE MATERIALIZED VIEW")
        .hasMessageContaining("CREATE IDENTITY GRAPH")
        .hasMessageContaining("INSERT INTO x");
    assertThatThrownBy(() -> parse("CREATE TABLE x AS SELECT 1"))
        .hasMessageStartingWith("f.sql:1:8: CREATE TABLE is not a pipeline definition");
  }

  @Test
  void reportsBadConstraints() {
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE MATERIALIZED VIEW s.t (\n CONSTRAINT c EXPECT (a) ON VIOLATION IGNORE) AS SELECT 1"))
        .hasMessage(
            "f.sql:2:39: unknown violation action 'IGNORE'; use DROP ROW, FAIL UPDATE, QUARANTINE or WARN");
    assertThatThrownBy(
            () -> parse("CREATE MATERIALIZED VIEW s.t (CONSTRAINT c EXPECT ( )) AS SELECT 1"))
        .hasMessageContaining("f.sql:1:51: EXPECT needs a condition");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE MATERIALIZED VIEW s.t (CONSTRAINT c EXPECT (a), CONSTRAINT C EXPECT (b)) AS SELECT 1"))
        .hasMessageContaining("f.sql:1:67: constraint C is defined twice");
    assertThatThrownBy(() -> parse("CREATE TEMPORARY VIEW v (CONSTRAINT c EXPECT (a)) AS SELECT 1"))
        .hasMessageContaining("f.sql:1:26: expectations go on materialized views");
    assertThatThrownBy(() -> parse("CREATE MATERIALIZED VIEW s.t KEYS (id) AS SELECT 1"))
        .hasMessageContaining("f.sql:1:30: KEYS is only for streaming tables");
    assertThatThrownBy(
            () -> parse("CREATE MATERIALIZED VIEW s.t (CONSTRAINT c EXPECT (a > 'x)) AS SELECT 1"))
        .hasMessageContaining("f.sql:1:56: unclosed string");
    assertThatThrownBy(() -> parse("CREATE MATERIALIZED VIEW s.t"))
        .hasMessageContaining("expected AS");
  }

  @Test
  void cutsSourceCallsOutOfTheTextSparkParses() {
    String sql =
        "CREATE STREAMING TABLE bronze.music AS\nSELECT * FROM STREAM read_kafka(\n"
            + "  bootstrap_servers => 'localhost:9092', topic => 'music',\n"
            + "  max_records_per_batch => 1000)\nJOIN STREAM(read_files('/landing', format => 'json')) f";
    DatasetStatement statement = parse(sql);
    assertThat(statement.sources()).hasSize(2);
    SourceCall kafka = statement.sources().get(0);
    assertThat(kafka.kind()).isEqualTo(SourceCall.SourceKind.KAFKA);
    assertThat(kafka.streaming()).isTrue();
    assertThat(kafka.argument("topic")).contains("music");
    assertThat(kafka.argument("max_records_per_batch")).contains("1000");
    assertThat(kafka.displayName()).isEqualTo("kafka:music");
    assertThat(kafka.position().toString()).isEqualTo("f.sql:2:15");
    assertThat(kafka.positionOf("topic").toString()).isEqualTo("f.sql:3:51");
    SourceCall files = statement.sources().get(1);
    assertThat(files.argument("path")).contains("/landing");
    assertThat(files.streaming()).isTrue();
    // same length and lines as the file, with the placeholders where the calls were
    assertThat(statement.engineSql()).hasSameSizeAs(sql);
    assertThat(statement.engineSql().lines().count()).isEqualTo(sql.lines().count());
    assertThat(statement.engineSql())
        .containsPattern("FROM +__src1")
        .containsPattern("JOIN +__src2")
        .doesNotContain("read_");
    assertThat(statement.source("__SRC2")).contains(files);
  }

  @Test
  void reportsBadSourceArgumentsInPlace() {
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_kafka(\n"
                        + "  bootstrap_servers => 'x', topik => 'music')"))
        .hasMessage(
            "f.sql:2:29: read_kafka has no argument topik (did you mean topic?); it takes"
                + " bootstrap_servers, topic, starting_offsets, format, schema, schema_evolution,"
                + " max_records_per_batch, max_record_bytes, fail_on_data_loss, kafka_options");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_kafka("
                        + "bootstrap_servers => 'x')"))
        .hasMessageContaining("f.sql:1:45: read_kafka needs topic => '...'");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_kafka("
                        + "bootstrap_servers => 'x', topic => 't', max_records_per_batch => 0)"))
        .hasMessageContaining("max_records_per_batch must be a whole number above 0, not 0");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE MATERIALIZED VIEW b.t AS SELECT * FROM STREAM read_files("
                        + "'/x', format => 'json')"))
        .hasMessageContaining("only a streaming table keeps track of");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_files("
                        + "'/x', format => 'xml')"))
        .hasMessageContaining("format must be one of airbyte, csv, json, parquet, text, not 'xml'");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_kafka("
                        + "topic => other_column)"))
        .hasMessageContaining("the value of topic must be a string, a number, TRUE or FALSE");
  }
}

package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PipelineLoader merges the declaration of an AUTO CDC target into its flow, across files. */
class TestAutoCdcLoading {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private PipelineSource load() throws IOException {
    write("pipeline.yaml", "name: cdc\nnamespace: silver\n");
    return PipelineLoader.load(dir, Map.of());
  }

  @Test
  void mergesADeclarationInAnotherFileIntoItsFlow() throws IOException {
    write(
        "a/declare.sql",
        "CREATE OR REFRESH STREAMING TABLE customers (\n"
            + "  CONSTRAINT id_set EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW\n"
            + ") COMMENT 'current customers' TBLPROPERTIES ('format-version' = '2');\n");
    write(
        "b/flow.sql",
        "-- the change log\n"
            + "CREATE FLOW customers_cdc AS AUTO CDC INTO silver.customers\n"
            + "FROM STREAM read_kafka(bootstrap_servers => 'k:9092', topic => 'cdc')\n"
            + "KEYS (id) SEQUENCE BY _sequence;\n");
    PipelineSource source = load();
    assertThat(source.statements()).hasSize(1);
    assertThat(source.declarations()).hasSize(1);
    assertThat(source.files().get(0).statements()).isEmpty();
    DatasetStatement statement = source.statements().get(0);
    assertThat(statement.file()).isEqualTo("b/flow.sql");
    assertThat(statement.nameParts()).containsExactly("customers");
    assertThat(statement.position()).isEqualTo(new SourcePosition("a/declare.sql", 1, 35));
    assertThat(statement.expectations()).extracting(Expectation::name).containsExactly("id_set");
    assertThat(statement.expectations().get(0).position())
        .isEqualTo(new SourcePosition("a/declare.sql", 2, 3));
    assertThat(statement.autoCdc().orElseThrow().position())
        .isEqualTo(new SourcePosition("b/flow.sql", 2, 30));
    String engine = statement.engineSql();
    assertThat(engine.lines().findFirst().orElseThrow())
        .isEqualTo(
            "CREATE STREAMING TABLE customers COMMENT 'current customers' TBLPROPERTIES"
                + " ('format-version' = '2') AS SELECT * FROM");
    SourceCall kafka = statement.sources().get(0);
    assertThat(kafka.position()).isEqualTo(new SourcePosition("b/flow.sql", 3, 6));
    assertThat(statement.positionAt(kafka.start())).isEqualTo(kafka.position());
    assertThat(engine.substring(kafka.nameOffset())).startsWith("__src1 ");
    assertThat(engine.strip().replaceAll("\\s+", " ")).endsWith("AS SELECT * FROM __src1");
  }

  @Test
  void aFlowWithoutADeclarationCreatesItsTarget() throws IOException {
    write("flow.sql", "APPLY CHANGES INTO t FROM STREAM(bronze.c) KEYS (id) SEQUENCE BY ts");
    DatasetStatement statement = load().statements().get(0);
    assertThat(statement.position()).isEqualTo(new SourcePosition("flow.sql", 1, 20));
    assertThat(statement.engineSql()).startsWith("CREATE STREAMING TABLE t AS SELECT * FROM\n");
    assertThat(statement.expectations()).isEmpty();
  }

  @Test
  void aDeclarationNeedsAFlow() throws IOException {
    write("x.sql", "\nCREATE STREAMING TABLE silver.x COMMENT 'x';");
    assertThatThrownBy(this::load)
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith(
            "x.sql:2:24: silver.x is declared but no AUTO CDC flow writes into it; add CREATE FLOW"
                + " ... AS AUTO CDC INTO silver.x ");
  }

  @Test
  void aTargetTakesOneFlow() throws IOException {
    write("one.sql", "AUTO CDC INTO x FROM STREAM(bronze.a) KEYS (id) SEQUENCE BY ts;");
    write(
        "two.sql",
        "\nCREATE FLOW f AS AUTO CDC INTO silver.x FROM STREAM(bronze.b) KEYS (id) SEQUENCE BY"
            + " ts;");
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "two.sql:2:18: a second AUTO CDC flow writes into silver.x; the first is at"
                + " one.sql:1:1");
  }

  @Test
  void aFlowCannotWriteIntoATableAQueryDefines() throws IOException {
    write("mv.sql", "CREATE MATERIALIZED VIEW silver.x AS SELECT 1 id");
    write("flow.sql", "AUTO CDC INTO x FROM STREAM(bronze.a) KEYS (id) SEQUENCE BY ts");
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "flow.sql:1:1: this AUTO CDC flow writes into silver.x, which CREATE MATERIALIZED VIEW"
                + " ... AS at mv.sql:1:26 defines too");
  }

  @Test
  void aDeclarationCannotNameATableAQueryDefines() throws IOException {
    write(
        "a.sql",
        "CREATE STREAMING TABLE x;\nCREATE STREAMING TABLE silver.x AS SELECT * FROM"
            + " STREAM(bronze.a);");
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "a.sql:1:24: silver.x is declared here and also defined by CREATE STREAMING TABLE ..."
                + " AS at a.sql:2:24");
  }

  @Test
  void aTargetIsDeclaredOnce() throws IOException {
    write(
        "a.sql",
        "CREATE STREAMING TABLE x;\nCREATE STREAMING TABLE x COMMENT 'again';\n"
            + "AUTO CDC INTO x FROM STREAM(bronze.a) KEYS (id) SEQUENCE BY ts");
    assertThatThrownBy(this::load)
        .hasMessageStartingWith(
            "a.sql:2:24: silver.x is declared twice; the first declaration is at a.sql:1:24");
  }
}

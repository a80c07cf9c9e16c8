package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineException;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.SourcePosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AUTO CDC targets through Spark's parser (no SparkContext): inputs, spans, located errors. */
class TestSparkAutoCdcParsing {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private CompiledPipeline compile(String... existing) throws IOException {
    write("pipeline.yaml", "name: t\nnamespace: silver\n");
    return new SparkPipelineParser()
        .compile(PipelineLoader.load(dir, Map.of()), Set.of(existing)::contains);
  }

  @Test
  void readsTheSourceOfAFlowAndTheClausesOfItsDeclaration() throws IOException {
    write(
        "a.sql",
        "CREATE OR REFRESH STREAMING TABLE customers (CONSTRAINT c EXPECT (id > 0))\n"
            + "COMMENT 'current customers' PARTITIONED BY (region)"
            + " TBLPROPERTIES ('write.merge.mode' = 'merge-on-read');");
    write(
        "b.sql",
        "CREATE MATERIALIZED VIEW gold.g AS SELECT count(*) n FROM silver.customers;\n"
            + "CREATE FLOW customers_cdc AS AUTO CDC INTO silver.customers\n"
            + "  FROM STREAM(bronze.changes)\n"
            + "  KEYS (id) APPLY AS DELETE WHEN _op = 'd' SEQUENCE BY _sequence\n"
            + "  COLUMNS * EXCEPT (_op, _sequence) STORED AS SCD TYPE 2;");
    CompiledPipeline pipeline = compile("bronze.changes");
    Dataset customers = pipeline.graph().dataset("silver.customers").orElseThrow();
    assertThat(customers.statement().autoCdc()).isPresent();
    assertThat(customers.inputs())
        .singleElement()
        .satisfies(
            input -> {
              assertThat(input.name()).isEqualTo("bronze.changes");
              assertThat(input.streaming()).isTrue();
              assertThat(input.position()).isEqualTo(new SourcePosition("b.sql", 3, 8));
            });
    assertThat(pipeline.graph().downstream("silver.customers")).containsExactly("gold.g");
    assertThat(io.lagoa.pipeline.GraphRenderer.text(pipeline.graph()))
        .contains("└── silver.customers  (streaming table, auto cdc (scd 2) on id, 1 expectation)");
    DatasetPlan plan = pipeline.plan(customers);
    String engine = plan.statement().engineSql();
    assertThat(engine.substring(plan.queryOffset())).startsWith("SELECT * FROM\n");
    assertThat(plan.comment()).hasValue("current customers");
    assertThat(plan.partitioning()).containsExactly("region");
    assertThat(plan.properties()).containsEntry("write.merge.mode", "merge-on-read");
    assertThat(plan.streams()).singleElement();
    DatasetPlan.StreamRead stream = plan.streams().get(0);
    assertThat(engine.substring(stream.start(), stream.end())).isEqualTo("STREAM(bronze.changes)");
  }

  @Test
  void aSourceFunctionOrAQueryIsTheSource() throws IOException {
    write(
        "k.sql",
        "AUTO CDC INTO silver.k FROM STREAM read_kafka(bootstrap_servers => 'k:9092', topic =>"
            + " 'cdc')\nKEYS (id) SEQUENCE BY ts;\n"
            + "APPLY CHANGES INTO silver.q\nFROM (SELECT *, lower(email) AS email_key"
            + " FROM STREAM(bronze.users) u JOIN bronze.regions r USING (region_id))\n"
            + "KEYS (id) SEQUENCE BY (ts_ms, lsn);");
    CompiledPipeline pipeline = compile("bronze.users", "bronze.regions");
    Dataset kafka = pipeline.graph().dataset("silver.k").orElseThrow();
    assertThat(kafka.inputs())
        .singleElement()
        .satisfies(
            input -> {
              assertThat(input.name()).isEqualTo("kafka:cdc");
              assertThat(input.kind()).isEqualTo(Input.Kind.SOURCE);
              assertThat(input.position()).isEqualTo(new SourcePosition("k.sql", 1, 29));
            });
    Dataset query = pipeline.graph().dataset("silver.q").orElseThrow();
    assertThat(query.inputs())
        .extracting(Input::name, Input::streaming)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bronze.users", true),
            org.assertj.core.groups.Tuple.tuple("bronze.regions", false));
    assertThat(query.inputs().get(1).position()).isEqualTo(new SourcePosition("k.sql", 4, 76));
  }

  @Test
  void aSnapshotFlowReadsWithoutStream() throws IOException {
    write(
        "s.sql",
        "CREATE FLOW snap AS AUTO CDC FROM SNAPSHOT INTO silver.s FROM bronze.export KEYS (id)"
            + " STORED AS SCD TYPE 2;");
    Dataset snapshot = compile("bronze.export").graph().dataset("silver.s").orElseThrow();
    assertThat(snapshot.inputs()).extracting(Input::streaming).containsExactly(false);
    assertThat(io.lagoa.pipeline.GraphRenderer.mermaid(compile("bronze.export").graph()))
        .contains("streaming table, auto cdc from snapshot (scd 2) on id");
  }

  @Test
  void reportsSyntaxErrorsInTheSourceAtTheirPlaceInTheFile() throws IOException {
    write(
        "p.sql",
        "\nAUTO CDC INTO silver.t\n   FROM (SELECT * FROM STREAM(bronze.c) WHERE a = )\n"
            + "KEYS (id) SEQUENCE BY ts");
    assertThatThrownBy(() -> compile("bronze.c"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("p.sql:3:51: [PARSE_SYNTAX_ERROR] Syntax error at or near ')'");
  }

  @Test
  void reportsBadExpressionsOfTheClausesAtTheirPlace() throws IOException {
    write(
        "p.sql",
        "AUTO CDC INTO silver.t FROM STREAM(bronze.c) KEYS (id)\n"
            + "APPLY AS DELETE WHEN _op = = 'd'\n"
            + "SEQUENCE BY struct(ts, lsn +)\n"
            + "APPLY AS TRUNCATE WHEN _op IN ('t'");
    assertThatThrownBy(() -> compile("bronze.c"))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e ->
                assertThat(e.problems())
                    .satisfiesExactly(
                        problem ->
                            assertThat(problem)
                                .startsWith("p.sql:3:29: in SEQUENCE BY: [PARSE_SYNTAX_ERROR]"),
                        problem ->
                            assertThat(problem)
                                .startsWith(
                                    "p.sql:2:28: in APPLY AS DELETE WHEN: [PARSE_SYNTAX_ERROR]"),
                        problem ->
                            assertThat(problem)
                                .startsWith("p.sql:4:31: in APPLY AS TRUNCATE WHEN:")));
  }

  @Test
  void reportsErrorsInTheDeclarationAtTheDeclaration() throws IOException {
    write("d.sql", "CREATE STREAMING TABLE silver.t\n  COMMENT 42;");
    write("f.sql", "AUTO CDC INTO silver.t FROM STREAM(bronze.c) KEYS (id) SEQUENCE BY ts");
    assertThatThrownBy(() -> compile("bronze.c"))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("d.sql:2:11: [PARSE_SYNTAX_ERROR] Syntax error at or near '42'"));
    write("d.sql", "CREATE STREAMING TABLE silver.t USING parquet;");
    assertThatThrownBy(() -> compile("bronze.c"))
        .hasMessageStartingWith(
            "d.sql:1:24: pipeline tables are Iceberg tables; remove USING parquet");
  }
}

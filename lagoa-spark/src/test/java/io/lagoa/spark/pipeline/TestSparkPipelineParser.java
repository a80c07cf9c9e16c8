package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.SourcePosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's parser without a SparkContext: inputs, partitioning, positions of errors. */
class TestSparkPipelineParser {
  @TempDir Path dir;

  private CompiledPipeline compile(String sql, String... existing) throws IOException {
    Files.writeString(dir.resolve("pipeline.yaml"), "name: t\nnamespace: silver\n");
    Files.writeString(dir.resolve("p.sql"), sql);
    return new SparkPipelineParser()
        .compile(PipelineLoader.load(dir, Map.of()), Set.of(existing)::contains);
  }

  @Test
  void findsInputsInJoinsSubqueriesAndCtesButNotCteNames() throws IOException {
    CompiledPipeline pipeline =
        compile(
            "CREATE TEMPORARY VIEW v AS SELECT * FROM bronze.a;\n"
                + "CREATE MATERIALIZED VIEW gold.g PARTITIONED BY (days(ts), id) AS\n"
                + "WITH recent AS (SELECT * FROM bronze.b WHERE id IN (SELECT id FROM bronze.c))\n"
                + "SELECT * FROM recent JOIN v USING (id)\n"
                + "WHERE EXISTS (SELECT 1 FROM bronze.d)",
            "bronze.a",
            "bronze.b",
            "bronze.c",
            "bronze.d");
    Dataset gold = pipeline.graph().dataset("gold.g").orElseThrow();
    assertThat(gold.inputs())
        .extracting(Input::name)
        .containsExactlyInAnyOrder("bronze.b", "bronze.c", "v", "bronze.d");
    Input b =
        gold.inputs().stream().filter(i -> i.name().equals("bronze.b")).findFirst().orElseThrow();
    assertThat(b.position()).isEqualTo(new SourcePosition("p.sql", 3, 31));
    DatasetPlan plan = pipeline.plan(gold);
    assertThat(plan.partitioning()).containsExactly("days(ts)", "id");
    assertThat(plan.statement().engineSql().substring(plan.queryOffset()))
        .startsWith("WITH recent");
  }

  @Test
  void findsStreamReadsAndTheirSpans() throws IOException {
    CompiledPipeline pipeline =
        compile(
            "CREATE STREAMING TABLE s KEYS (id) AS SELECT * FROM STREAM(bronze.e) x JOIN bronze.dim USING (id)",
            "bronze.e",
            "bronze.dim");
    DatasetPlan plan = pipeline.plan(pipeline.graph().dataset("silver.s").orElseThrow());
    assertThat(plan.streams()).hasSize(1);
    DatasetPlan.StreamRead stream = plan.streams().get(0);
    assertThat(plan.statement().engineSql().substring(stream.start(), stream.end()))
        .isEqualTo("STREAM(bronze.e)");
  }

  @Test
  void reportsSparkSyntaxErrorsAtTheirPlaceInTheFile() {
    assertThatThrownBy(
            () ->
                compile(
                    "\n\nCREATE MATERIALIZED VIEW a (\n"
                        + "  CONSTRAINT c EXPECT (x > 0) ON VIOLATION DROP ROW\n) AS\nSELECT x, FROM bronze.t",
                    "bronze.t"))
        .hasMessageStartingWith("p.sql:6:22: [PARSE_SYNTAX_ERROR] Syntax error at or near '.'");
    assertThatThrownBy(() -> compile("CREATE MATERIALIZED VIEW a USING parquet AS SELECT 1"))
        .hasMessageContaining("pipeline tables are Iceberg tables; remove USING parquet");
  }
}

package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPipelineLoader {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void readsSpecFilesAndVariables() throws IOException {
    write("pipeline.yaml", "name: shop\nnamespace: Silver\nexpectation-policy: drop\n"
        + "variables:\n  src: bronze\n  days: 7\n");
    write("b/second.sql", "CREATE MATERIALIZED VIEW gold.g AS SELECT * FROM silver.s;");
    write("a/first.sql", "-- ${not_a_variable}\nCREATE MATERIALIZED VIEW s AS\n"
        + "SELECT *, '${pipeline.name}' p FROM ${src}.raw WHERE d > ${days} AND f = json.`${pipeline.dir}/x`;\n");
    write(".hidden/x.sql", "not sql");
    PipelineSource source = PipelineLoader.load(dir, Map.of("days", "30"));
    assertThat(source.spec().name()).isEqualTo("shop");
    assertThat(source.spec().namespace()).hasValue("silver");
    assertThat(source.spec().expectationPolicy()).isEqualTo(ExpectationPolicy.DROP);
    assertThat(source.files()).extracting(PipelineFile::path).containsExactly("a/first.sql", "b/second.sql");
    DatasetStatement first = source.statements().get(0);
    assertThat(first.statement().sql())
        .contains("'shop' p FROM bronze.raw WHERE d > 30")
        .contains(dir.toAbsolutePath().toString().replace('\\', '/') + "/x`");
    assertThat(first.position()).isEqualTo(new SourcePosition("a/first.sql", 2, 26));
  }

  @Test
  void reportsEveryProblemWithItsPlace() throws IOException {
    write("pipeline.yaml", "name: p\n");
    write("one.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT ${nope};\nDROP TABLE x;\n");
    write("two.sql", "\nCREATE VIEW v AS SELECT 1;\n");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.problems())
                .satisfiesExactly(
                    p -> assertThat(p).startsWith("one.sql:1:40: unknown variable ${nope}"),
                    p -> assertThat(p).startsWith("two.sql:2:8: CREATE VIEW is not a pipeline definition")));
  }

  @Test
  void reportsSpecErrorsWithLineAndColumn() throws IOException {
    write("pipeline.yaml", "name: p\nexpectation-policy: explode\n");
    write("x.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT 1");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessage("pipeline.yaml:2:21: expectation-policy must be warn, drop, quarantine or fail, not 'explode'");
    write("pipeline.yaml", "name: p\nnamspace: x\n");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessageStartingWith("pipeline.yaml:2:1: unknown key 'namspace'");
    Files.delete(dir.resolve("pipeline.yaml"));
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of())).hasMessageContaining("has no pipeline.yaml");
  }
}

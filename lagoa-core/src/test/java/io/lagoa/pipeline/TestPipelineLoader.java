package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TestPipelineLoader {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void readsSpecFilesAndVariables() throws IOException {
    write(
        "pipeline.yaml",
        "name: shop\nnamespace: Silver\nexpectation-policy: drop\n"
            + "variables:\n  src: bronze\n  days: 7\n");
    write("b/second.sql", "CREATE MATERIALIZED VIEW gold.g AS SELECT * FROM silver.s;");
    write(
        "a/first.sql",
        "-- ${not_a_variable}\nCREATE MATERIALIZED VIEW s AS\n"
            + "SELECT *, '${pipeline.name}' p FROM ${src}.raw WHERE d > ${days} AND f = json.`${pipeline.dir}/x`;\n");
    write(".hidden/x.sql", "not sql");
    PipelineSource source = PipelineLoader.load(dir, Map.of("days", "30"));
    assertThat(source.spec().name()).isEqualTo("shop");
    assertThat(source.spec().namespace()).hasValue("silver");
    assertThat(source.spec().expectationPolicy()).isEqualTo(ExpectationPolicy.DROP);
    assertThat(source.files())
        .extracting(PipelineFile::path)
        .containsExactly("a/first.sql", "b/second.sql");
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
            e -> {
              assertThat(e.problems())
                  .satisfiesExactly(
                      p ->
                          assertThat(p)
                              .startsWith("one.sql:1:40: unknown variable ${nope}")
                              .contains("set it for the run")
                              .doesNotContain("--var"),
                      p ->
                          assertThat(p)
                              .startsWith("two.sql:2:8: CREATE VIEW is not a pipeline definition"));
              assertThat(e.remedy()).contains(io.lagoa.error.Remedy.SET_VARIABLE);
            });
  }

  @Test
  void reportsSpecErrorsWithLineAndColumn() throws IOException {
    write("pipeline.yaml", "name: p\nexpectation-policy: explode\n");
    write("x.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT 1");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessage(
            "pipeline.yaml:2:21: expectation-policy must be warn, drop, quarantine or fail, not 'explode'");
    write("pipeline.yaml", "name: p\nnamspace: x\n");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessageStartingWith("pipeline.yaml:2:1: unknown key 'namspace'");
    Files.delete(dir.resolve("pipeline.yaml"));
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessageContaining("has no pipeline.yaml");
  }

  /** A pipeline.yaml of the wrong shape and the one error it gives. */
  static Stream<Arguments> malformedSpecs() {
    String single = " must be a single value ";
    return Stream.of(
        spec(
            "list as a key",
            "? [a, b]\n: 1\n",
            "pipeline.yaml:1:3: a key must be a plain name such as name, not a list"),
        spec(
            "mapping as a key",
            "{a: 1}: x\n",
            "pipeline.yaml:1:1: a key must be a plain name such as name, not a mapping"),
        spec(
            "empty key",
            "? \n: x\n",
            "pipeline.yaml:1:2: a key must be a plain name such as name, not empty"),
        spec(
            "name is a list",
            "name: [a, b]\n",
            "pipeline.yaml:1:7: name" + single + "(the pipeline's name), not a list"),
        spec(
            "name is a mapping",
            "name:\n  first: a\n",
            "pipeline.yaml:2:3: name" + single + "(the pipeline's name), not a mapping"),
        spec(
            "name is missing its value",
            "name:\nnamespace: x\n",
            "pipeline.yaml:1:6: name" + single + "(the pipeline's name), not empty"),
        spec(
            "name is blank",
            "name: ''\n",
            "pipeline.yaml:1:7: name must not be empty (the pipeline's name)"),
        spec(
            "namespace is a list",
            "namespace:\n  - silver\n",
            "pipeline.yaml:2:3: namespace" + single + "(a namespace such as silver), not a list"),
        spec(
            "namespace is a mapping",
            "namespace: {silver: 1}\n",
            "pipeline.yaml:1:12: namespace"
                + single
                + "(a namespace such as silver), not a mapping"),
        spec(
            "expectation-policy is a list",
            "expectation-policy: [warn]\n",
            "pipeline.yaml:1:21: expectation-policy"
                + single
                + "(warn, drop, quarantine or fail), not a list"),
        spec(
            "expectation-policy is unknown",
            "expectation-policy: explode\n",
            "pipeline.yaml:1:21: expectation-policy must be warn, drop, quarantine or fail,"
                + " not 'explode'"),
        spec(
            "trigger-interval is a mapping",
            "trigger-interval: {seconds: 1}\n",
            "pipeline.yaml:1:19: trigger-interval"
                + single
                + "(a duration such as 500ms, 1s, 5m or 1h), not a mapping"),
        spec(
            "trigger-interval is not a duration",
            "trigger-interval: soon\n",
            "pipeline.yaml:1:19: trigger-interval must be a duration above zero such as 500ms,"
                + " 1s, 5m or 1h, not 'soon'"),
        spec(
            "compact-every is a list",
            "compact-every: [1, 2]\n",
            "pipeline.yaml:1:16: compact-every" + single + "(a number of runs), not a list"),
        spec(
            "compact-every is negative",
            "compact-every: -1\n",
            "pipeline.yaml:1:16: compact-every must be a number of runs (0 to never compact),"
                + " not '-1'"),
        spec(
            "variables is a list",
            "variables: [a, b]\n",
            "pipeline.yaml:1:12: variables must be a mapping of names to values, not a list"),
        spec(
            "variables is a value",
            "variables: src\n",
            "pipeline.yaml:1:12: variables must be a mapping of names to values, not 'src'"),
        spec(
            "variable name is a list",
            "variables:\n  ? [src]\n  : x\n",
            "pipeline.yaml:2:5: a variable name must be a plain name, not a list"),
        spec(
            "variable value is a list",
            "variables:\n  src: [a, b]\n",
            "pipeline.yaml:2:8: variables.src" + single + "(its value), not a list"),
        spec(
            "variable value is a mapping",
            "variables:\n  src:\n    dir: a\n",
            "pipeline.yaml:3:5: variables.src" + single + "(its value), not a mapping"),
        spec(
            "variable value is missing",
            "variables:\n  src:\n",
            "pipeline.yaml:2:7: variables.src" + single + "(its value), not empty"),
        spec(
            "duplicate key",
            "name: a\nnamespace: x\nname: b\n",
            "pipeline.yaml:3:1: duplicate key 'name' (first at pipeline.yaml:1:1);"
                + " keep one of them"),
        spec(
            "duplicate variable",
            "variables:\n  a: 1\n  a: 2\n",
            "pipeline.yaml:3:3: duplicate key 'a' (first at pipeline.yaml:2:3); keep one of them"),
        spec(
            "misspelled key",
            "namspace: x\n",
            "pipeline.yaml:1:1: unknown key 'namspace' (did you mean 'namespace'?)"),
        spec(
            "top level is a list",
            "- name: a\n- namespace: b\n",
            "pipeline.yaml:1:1: the top level must be a mapping of keys to values"
                + " (name: ..., namespace: ...), not a list"),
        spec(
            "top level is a value",
            "# a comment\njust text\n",
            "pipeline.yaml:2:1: the top level must be a mapping of keys to values"
                + " (name: ..., namespace: ...), not 'just text'"),
        spec(
            "unclosed list",
            "name: [a, b\nnamespace: x\n",
            "pipeline.yaml:2:10: invalid YAML: expected ',' or ']', but got :"),
        spec(
            "bad indentation",
            "name: a\n  namespace: x\n",
            "pipeline.yaml:2:12: invalid YAML: mapping values are not allowed here"),
        spec(
            "two documents",
            "name: a\n---\nname: b\n",
            "pipeline.yaml:2:1: invalid YAML: expected a single document in the stream but found"
                + " another document"),
        spec(
            "not UTF-8",
            "name: caf\u00e9\n",
            "pipeline.yaml:1:10: the file is not valid UTF-8: byte 0xE9 ('\u00e9' in"
                + " Windows-1252/Latin-1) is not UTF-8 text; save the file as UTF-8"));
  }

  private static Arguments spec(String shape, String yaml, String message) {
    return Arguments.of(Named.of(shape, yaml), message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedSpecs")
  void everyMalformedSpecGivesOneLocatedError(String yaml, String message) throws IOException {
    Files.write(
        dir.resolve("pipeline.yaml"),
        yaml.getBytes(
            message.contains("not valid UTF-8")
                ? java.nio.charset.StandardCharsets.ISO_8859_1
                : java.nio.charset.StandardCharsets.UTF_8));
    write("x.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT 1");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> {
              assertThat(e.problems()).hasSize(1);
              assertThat(e.code()).isEqualTo(io.lagoa.error.ErrorCode.PIPELINE_INVALID);
            })
        .hasMessageStartingWith(message);
  }

  @Test
  void anEmptySpecMeansTheDefaults() throws IOException {
    write("x.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT 1");
    for (String empty : List.of("", "\n\n", "# only a comment\n", "---\n", "\uFEFF")) {
      write("pipeline.yaml", empty);
      PipelineSpec spec = PipelineLoader.load(dir, Map.of()).spec();
      assertThat(spec.name()).as(empty).isEqualTo(dir.getFileName().toString());
      assertThat(spec.namespace()).isEmpty();
      assertThat(spec.expectationPolicy()).isEqualTo(ExpectationPolicy.WARN);
    }
  }

  @Test
  void aSqlFileThatIsNotUtf8IsNamedWithTheFirstBadByte() throws IOException {
    write("pipeline.yaml", "name: p\n");
    write("a.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT 1");
    // Latin-1, as an editor on Windows saves it: é is the single byte 0xE9.
    Files.write(
        dir.resolve("b.sql"),
        "-- vendas\nCREATE MATERIALIZED VIEW a.c AS SELECT 'pão', 'café'"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.problems()).hasSize(1))
        .hasMessage(
            "b.sql:2:42: the file is not valid UTF-8: byte 0xE3 ('ã' in Windows-1252/Latin-1) is"
                + " not UTF-8 text; save the file as UTF-8 (your editor's \"save with encoding\","
                + " or iconv -f windows-1252 -t utf-8)");
  }

  @Test
  void aPipelineWithNothingToRunIsAnError() throws IOException {
    write("pipeline.yaml", "name: p\n");
    write("a.sql", "");
    write("silver/b.sql", "-- CREATE MATERIALIZED VIEW a.b AS SELECT 1;\n/* later */\n;\n");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.code()).isEqualTo(io.lagoa.error.ErrorCode.PIPELINE_INVALID))
        .hasMessage(
            dir.toAbsolutePath().normalize()
                + ": nothing to run: the pipeline's .sql files hold"
                + " no statements, only comments or nothing (read a.sql, silver/b.sql); put"
                + " CREATE MATERIALIZED VIEW ... or CREATE STREAMING TABLE ... statements in them");

    write("a.sql", "CREATE TEMPORARY VIEW v AS SELECT 1;\nCREATE TEMPORARY VIEW w AS SELECT 2;");
    assertThatThrownBy(() -> PipelineLoader.load(dir, Map.of()))
        .hasMessageContaining(
            ": nothing to run: the pipeline defines only temporary views (v, w in a.sql,"
                + " silver/b.sql), which are never stored");

    write("silver/b.sql", "CREATE MATERIALIZED VIEW a.b AS SELECT * FROM v");
    assertThat(PipelineLoader.load(dir, Map.of()).statements()).hasSize(3);
  }
}

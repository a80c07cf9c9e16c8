package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/** lagoa.yaml of the wrong shape: one error at the place, saying what was expected and found. */
class TestConfigFileShapes {
  @TempDir Path dir;

  static Stream<Arguments> malformedFiles() {
    return Stream.of(
        file(
            "list as a key",
            "? [a, b]\n: 1\n",
            "lagoa.yaml:1:3: keys must be plain names, not a list"),
        file(
            "mapping as a key",
            "{a: 1}: x\n",
            "lagoa.yaml:1:1: keys must be plain names, not a mapping"),
        file(
            "list as a value",
            "warehouse: [a, b]\n",
            "lagoa.yaml:1:12: 'warehouse' must be a single value (a string), not a list"),
        file(
            "mapping as a value",
            "spark:\n  master:\n    local: 2\n",
            "lagoa.yaml:3:5: 'spark.master' must be a single value (a string), not a mapping"),
        file(
            "list as a section",
            "catalog: [sqlite]\n",
            "lagoa.yaml:1:10: 'catalog' must be a section of keys, not a list"),
        file(
            "value as a section",
            "spark: local\n",
            "lagoa.yaml:1:8: 'spark' must be a section of keys, not 'local'"),
        file(
            "list as a map",
            "spark:\n  conf: [a]\n",
            "lagoa.yaml:2:9: 'spark.conf' must be a mapping of keys to values, not a list"),
        file(
            "list as a map key",
            "spark:\n  conf:\n    ? [a]\n    : b\n",
            "lagoa.yaml:3:7: entries under 'spark.conf' must be 'name: value' pairs of single"
                + " values, not a list"),
        file(
            "mapping as a map value",
            "spark:\n  conf:\n    a:\n      b: c\n",
            "lagoa.yaml:4:7: entries under 'spark.conf' must be 'name: value' pairs of single"
                + " values, not a mapping"),
        file(
            "top level is a list",
            "- warehouse: a\n",
            "lagoa.yaml:1:1: the top level must be a mapping of keys to values, not a list"),
        file(
            "top level is a value",
            "warehouse\n",
            "lagoa.yaml:1:1: the top level must be a mapping of keys to values,"
                + " not 'warehouse'"),
        file(
            "unclosed list",
            "warehouse: [a\nspark: x\n",
            "lagoa.yaml:2:6: invalid YAML: expected ',' or ']', but got :"),
        file(
            "two documents",
            "warehouse: a\n---\nwarehouse: b\n",
            "lagoa.yaml:2:1: invalid YAML: expected a single document in the stream but found"
                + " another document"),
        file(
            "not UTF-8",
            "warehouse: /data/caf\u00e9\n",
            "lagoa.yaml:1:21: the file is not valid UTF-8: byte 0xE9 ('\u00e9' in"
                + " Windows-1252/Latin-1) is not UTF-8 text; save the file as UTF-8"));
  }

  private static Arguments file(String shape, String yaml, String message) {
    return Arguments.of(Named.of(shape, yaml), message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFiles")
  void everyMalformedFileGivesOneLocatedError(String yaml, String message) throws IOException {
    Files.write(
        dir.resolve("lagoa.yaml"),
        yaml.getBytes(
            message.contains("not valid UTF-8")
                ? StandardCharsets.ISO_8859_1
                : StandardCharsets.UTF_8));
    assertThatThrownBy(() -> new ConfigLoader(Map.of(), dir).load(null))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
        .hasMessageStartingWith(message);
  }

  @Test
  void emptyDocumentsMeanTheDefaults() throws IOException {
    for (String empty : List.of("", "# nothing yet\n", "---\n", "\uFEFF")) {
      Files.writeString(dir.resolve("lagoa.yaml"), empty);
      LagoaConfig config = new ConfigLoader(Map.of(), dir).load(null);
      assertThat(config.catalog().type()).as(empty).isEqualTo(CatalogType.SQLITE);
      assertThat(config.source()).isPresent();
    }
  }
}

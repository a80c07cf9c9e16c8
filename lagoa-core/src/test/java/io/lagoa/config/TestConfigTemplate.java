package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestConfigTemplate {
  private static final Pattern COMMENTED_KEY = Pattern.compile("^(\\s*)# ([a-z][a-z-]*):(.*)$");

  @TempDir Path dir;

  private LagoaConfig loadText(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("lagoa.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env, dir).load(file);
  }

  @Test
  void documentsEveryDeclaredKeyWithItsVariable() {
    String template = ConfigTemplate.render();
    for (ConfigKey key : ConfigKeys.all()) {
      String leaf = key.name().substring(key.name().lastIndexOf('.') + 1);
      assertThat(template)
          .as(key.name())
          .containsPattern("(?m)^\\s*# " + Pattern.quote(leaf) + ":");
      if (!key.isMap()) {
        assertThat(template).contains("# Environment: " + key.envName());
      }
      assertThat(template).contains(ConfigTemplate.wrap(key.doc(), 60).get(0));
    }
    assertThat(ConfigTemplate.exampleKeys())
        .allSatisfy(name -> assertThat(ConfigKeys.byName(name)).isNotNull());
    assertThat(template.lines())
        .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
  }

  @Test
  void theReferenceDocumentationListsEveryKeyAndVariable() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (ConfigKey key : ConfigKeys.all()) {
      assertThat(docs).as(key.name()).contains("| `" + key.name() + "` |");
      if (!key.isMap()) {
        assertThat(docs).as(key.envName()).contains("`" + key.envName() + "`");
      }
    }
  }

  @Test
  void asWrittenItLoadsAsTheDefaults() throws IOException {
    LagoaConfig fromTemplate = loadText(ConfigTemplate.render(), Map.of());
    LagoaConfig defaults = new ConfigLoader(Map.of(), dir).load(null);
    assertThat(fromTemplate.warehouse()).isEqualTo(defaults.warehouse());
    assertThat(fromTemplate.catalog()).isEqualTo(defaults.catalog());
    assertThat(fromTemplate.spark()).isEqualTo(defaults.spark());
  }

  @Test
  void uncommentingTheDefaultsChangesNothing() throws IOException {
    StringBuilder yaml = new StringBuilder();
    for (String line : ConfigTemplate.render().split("\n")) {
      Matcher matcher = COMMENTED_KEY.matcher(line);
      if (matcher.matches() && isDefaultLine(matcher)) {
        yaml.append(matcher.group(1)).append(matcher.group(2)).append(':').append(matcher.group(3));
      } else {
        yaml.append(line);
      }
      yaml.append('\n');
    }
    assertThat(yaml.toString())
        .contains("\nwarehouse: ./lagoa-warehouse\n")
        .contains("\n  type: sqlite\n");
    LagoaConfig uncommented = loadText(yaml.toString(), Map.of());
    LagoaConfig defaults = new ConfigLoader(Map.of(), dir).load(null);
    assertThat(uncommented.warehouse()).isEqualTo(defaults.warehouse());
    assertThat(uncommented.catalog()).isEqualTo(defaults.catalog());
    assertThat(uncommented.spark()).isEqualTo(defaults.spark());
  }

  private static boolean isDefaultLine(Matcher matcher) {
    String indent = matcher.group(1);
    String leaf = matcher.group(2);
    String value = matcher.group(3).trim();
    return ConfigKeys.all().stream()
        .anyMatch(
            key ->
                key.defaultValue() != null
                    && key.name().endsWith(leaf)
                    && key.name().split("\\.").length == indent.length() / 2 + 1
                    && key.defaultValue().equals(value));
  }

  @Test
  void theCatalogExamplesLoad() throws IOException {
    Path password = dir.resolve("pg-password");
    Files.writeString(password, "pw");
    List<String> blocks = examples(ConfigTemplate.render());
    assertThat(blocks).hasSize(2);

    LagoaConfig postgres =
        loadText(
            blocks.get(0).replace("/run/secrets/lagoa-db-password", password.toString()), Map.of());
    assertThat(postgres.catalog().type()).isEqualTo(CatalogType.POSTGRES);
    assertThat(postgres.catalog().password()).contains(new Secret("pw"));

    LagoaConfig rest = loadText(blocks.get(1), Map.of("LAGOA_REST_CREDENTIAL", "id:secret"));
    assertThat(rest.catalog().type()).isEqualTo(CatalogType.REST);
    assertThat(rest.catalog().credential()).contains(new Secret("id:secret"));
  }

  /** The commented "catalog:" blocks after the examples line, uncommented. */
  private static List<String> examples(String template) {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    boolean inExamples = false;
    for (String line : template.split("\n")) {
      inExamples |= line.startsWith("# Examples.");
      if (!inExamples) {
        continue;
      }
      if (line.equals("# catalog:")) {
        current = new StringBuilder();
        blocks.add(null);
      }
      if (current != null
          && line.startsWith("# ")
          && (line.startsWith("#   ") || line.equals("# catalog:"))) {
        current.append(line.substring(2)).append('\n');
        blocks.set(blocks.size() - 1, current.toString());
      } else if (current != null) {
        current = null;
      }
    }
    return blocks;
  }
}

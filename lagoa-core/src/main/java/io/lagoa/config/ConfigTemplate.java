package io.lagoa.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A commented lagoa.yaml with every declared key, its documentation, environment variable and
 * default, generated from {@link ConfigKeys} so the file {@code lagoa init} writes can never miss
 * or misspell a key. Keys are commented out: the file loads as the built-in defaults until the user
 * uncomments a line.
 */
public final class ConfigTemplate {
  private static final int WIDTH = 100;

  /** Sample values for keys without a default, shown instead of an empty value. */
  private static final Map<String, List<String>> EXAMPLES =
      Map.of(
          "catalog.uri", List.of("jdbc:sqlite:./lagoa-warehouse/catalog.db"),
          "catalog.user", List.of("lagoa"),
          "catalog.password", List.of("${env:LAGOA_DB_PASSWORD}"),
          "catalog.password-file", List.of("/run/secrets/lagoa-db-password"),
          "catalog.token", List.of("${env:LAGOA_REST_TOKEN}"),
          "catalog.token-file", List.of("/run/secrets/lagoa-rest-token"),
          "catalog.credential", List.of("${env:LAGOA_REST_CREDENTIAL}"),
          "catalog.credential-file", List.of("/run/secrets/lagoa-rest-credential"),
          "catalog.properties", List.of("io-impl: org.apache.iceberg.hadoop.HadoopFileIO"),
          "spark.conf", List.of("spark.sql.adaptive.enabled: \"true\"", "spark.driver.memory: 4g"));

  /** Complete catalog sections, commented out, for the catalogs other than the embedded one. */
  static final String CATALOG_EXAMPLES =
      """
      # ---------------------------------------------------------------------------------------------
      # Examples. Replace the catalog section above with one of these.
      #
      # A PostgreSQL catalog, shared by a team (the password from a mounted secret file):
      # catalog:
      #   type: postgres
      #   uri: jdbc:postgresql://localhost:5432/lagoa
      #   user: lagoa
      #   password-file: /run/secrets/lagoa-db-password
      #
      # An Iceberg REST catalog (the OAuth2 client credential from the environment):
      # catalog:
      #   type: rest
      #   uri: https://catalog.example.com/api/catalog
      #   credential: ${env:LAGOA_REST_CREDENTIAL}
      """;

  private ConfigTemplate() {}

  /** The whole file. */
  public static String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        """
        # Lagoa configuration.
        #
        # Every key is optional: a commented-out line shows the default (or an example), and the
        # file as written means "all defaults". Remove the '#' in front of a key to set it.
        # Each key can also be set by the environment variable named above it, which wins over
        # this file; any value may refer to the environment as ${env:NAME}. Relative paths are
        # relative to the folder of this file.
        #
        # 'lagoa config' prints what is in effect and where each value came from.
        # Reference: docs/configuration.md

        """);
    Section root = tree();
    renderSection(root, "", out);
    out.append('\n').append(CATALOG_EXAMPLES);
    return out.toString();
  }

  /** The keys every example and sample value names, so a test can check they all exist. */
  static List<String> exampleKeys() {
    return List.copyOf(EXAMPLES.keySet());
  }

  private static void renderSection(Section section, String indent, StringBuilder out) {
    boolean first = true;
    for (Map.Entry<String, Object> child : section.children.entrySet()) {
      if (!first) {
        out.append('\n');
      }
      first = false;
      if (child.getValue() instanceof ConfigKey key) {
        renderKey(key, child.getKey(), indent, out);
      } else {
        out.append(indent).append(child.getKey()).append(":\n");
        renderSection((Section) child.getValue(), indent + "  ", out);
      }
    }
  }

  private static void renderKey(ConfigKey key, String leaf, String indent, StringBuilder out) {
    String type =
        key.type() instanceof ValueType.Text || key.isMap()
            ? ""
            : " " + capitalize(key.type().describe()) + ".";
    String secret = key.secret() ? " Secret: never printed." : "";
    for (String line : wrap(key.doc() + type + secret, WIDTH - indent.length() - 2)) {
      out.append(indent).append("# ").append(line).append('\n');
    }
    out.append(indent).append("# Environment: ").append(envText(key)).append('\n');
    List<String> examples = EXAMPLES.get(key.name());
    if (key.isMap()) {
      out.append(indent).append("# ").append(leaf).append(":\n");
      for (String example : examples == null ? List.of("name: value") : examples) {
        out.append(indent).append("#   ").append(example).append('\n');
      }
    } else if (key.defaultValue() != null) {
      out.append(indent)
          .append("# ")
          .append(leaf)
          .append(": ")
          .append(key.defaultValue())
          .append('\n');
    } else {
      String example = examples == null ? "" : " " + examples.get(0);
      out.append(indent).append("# ").append(leaf).append(":").append(example).append('\n');
    }
  }

  private static String envText(ConfigKey key) {
    return key.isMap() ? "none (a mapping is set in this file only)" : key.envName();
  }

  private static String capitalize(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" +")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  /** Keys as nested sections, in declaration order, each secret's -file right after it. */
  private static Section tree() {
    Section root = new Section();
    for (ConfigKey key : ConfigLoader.displayOrder()) {
      String[] parts = key.name().split("\\.");
      Section section = root;
      for (int i = 0; i < parts.length - 1; i++) {
        section = (Section) section.children.computeIfAbsent(parts[i], name -> new Section());
      }
      section.children.put(parts[parts.length - 1], key);
    }
    return root;
  }

  /** Children are keys or nested sections. */
  private static final class Section {
    final Map<String, Object> children = new LinkedHashMap<>();
  }
}

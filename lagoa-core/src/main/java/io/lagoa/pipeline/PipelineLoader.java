package io.lagoa.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import io.lagoa.text.EditDistance;
import io.lagoa.text.Utf8Files;
import io.lagoa.text.YamlNodes;
import io.lagoa.vault.HashStandard;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a pipeline folder: {@code pipeline.yaml} and every {@code .sql} file below it (sorted by
 * path), substitutes {@code ${variables}}, splits the files into statements and reads each
 * statement's head. Collects every problem before failing, each with its file:line:col.
 */
public final class PipelineLoader {
  public static final String SPEC_FILE = "pipeline.yaml";
  private static final List<String> KEYS =
      List.of(
          "name",
          "namespace",
          "expectation-policy",
          "variables",
          "trigger-interval",
          "compact-every",
          "hash-standard");

  private PipelineLoader() {}

  /**
   * Loads the pipeline in a folder.
   *
   * @param overrides variables given on the command line; they win over pipeline.yaml's
   */
  public static PipelineSource load(Path folder, Map<String, String> overrides) {
    Path dir = folder.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read the pipeline "
              + folder
              + ": it is not a folder (a pipeline is a folder"
              + " with pipeline.yaml and .sql files)");
    }
    PipelineSpec spec = readSpec(dir, overrides);
    List<String> problems = new ArrayList<>();
    Remedy remedy = null; // an unknown variable's
    List<ParsedFile> parsedFiles = new ArrayList<>();
    for (Path path : sqlFiles(dir)) {
      String relative = dir.relativize(path).toString().replace('\\', '/');
      String text;
      try {
        text = Utf8Files.read(path);
      } catch (Utf8Files.NotUtf8Exception e) {
        problems.add(relative + ":" + e.line() + ":" + e.column() + ": " + e.problem());
        continue;
      } catch (IOException e) {
        problems.add(relative + ": cannot read the file: " + e.getMessage());
        continue;
      }
      String substituted;
      try {
        substituted = Variables.substitute(relative, text, spec.variables());
      } catch (PipelineException e) {
        problems.addAll(e.problems());
        remedy = e.remedy().orElse(remedy);
        continue;
      }
      List<ParsedStatement> statements = new ArrayList<>();
      for (Statement statement : StatementSplitter.splitAll(substituted)) {
        try {
          statements.add(
              DatasetStatementParser.read(relative, statement, spec.expectationPolicy()));
        } catch (PipelineException e) {
          problems.addAll(e.problems());
        }
      }
      parsedFiles.add(new ParsedFile(relative, substituted, statements));
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(problems, remedy);
    }
    List<PipelineFile> files = mergeFlows(spec, parsedFiles, problems);
    if (!problems.isEmpty()) {
      throw new PipelineException(problems, remedy);
    }
    if (files.isEmpty()) {
      throw PipelineException.at(
          dir.toString(),
          "the pipeline has no .sql files; put CREATE MATERIALIZED VIEW ..."
              + " statements in files such as silver/users.sql");
    }
    requireSomethingToRun(dir, files);
    return new PipelineSource(spec, files);
  }

  /** A file's statements as parsed, before AUTO CDC flows are merged with their declarations. */
  private record ParsedFile(String path, String text, List<ParsedStatement> statements) {}

  /**
   * Gives each AUTO CDC flow its target's declaration (COMMENT, TBLPROPERTIES, expectations), in
   * any file; checks that every declared target has exactly one flow and that no flow writes into a
   * table another statement defines.
   */
  private static List<PipelineFile> mergeFlows(
      PipelineSpec spec, List<ParsedFile> parsedFiles, List<String> problems) {
    Map<String, ParsedStatement.Declaration> declarations = new LinkedHashMap<>();
    Map<String, DatasetStatement> flows = new LinkedHashMap<>();
    Map<String, DatasetStatement> definitions = new LinkedHashMap<>();
    List<ParsedStatement.Vault> vault = new ArrayList<>();
    for (ParsedFile file : parsedFiles) {
      for (ParsedStatement parsed : file.statements()) {
        DatasetStatement statement = parsed.dataset();
        if (parsed instanceof ParsedStatement.Vault part) {
          vault.add(part);
          if (part.vault() instanceof VaultStatement.Declaration) {
            definitions.putIfAbsent(tableName(spec, statement), statement);
          }
          continue;
        }
        String name = tableName(spec, statement);
        if (parsed instanceof ParsedStatement.Declaration declaration) {
          ParsedStatement.Declaration earlier = declarations.putIfAbsent(name, declaration);
          if (earlier != null) {
            problems.add(
                statement.position()
                    + ": "
                    + name
                    + " is declared twice; the first declaration is at "
                    + earlier.dataset().position()
                    + "; keep one");
          }
        } else if (statement.autoCdc().isPresent()) {
          DatasetStatement earlier = flows.putIfAbsent(name, statement);
          if (earlier != null) {
            problems.add(
                statement.autoCdc().get().position()
                    + ": a second AUTO CDC flow writes into "
                    + name
                    + "; the first is at "
                    + earlier.autoCdc().get().position()
                    + "; a table takes one flow: combine the sources in one query, e.g. FROM"
                    + " (SELECT * FROM STREAM(a) UNION ALL SELECT * FROM STREAM(b))");
          }
        } else if (statement.kind().isTable()) {
          definitions.putIfAbsent(name, statement);
        }
      }
    }
    for (Map.Entry<String, ParsedStatement.Declaration> entry : declarations.entrySet()) {
      DatasetStatement declared = entry.getValue().dataset();
      DatasetStatement defined = definitions.get(entry.getKey());
      if (defined != null) {
        problems.add(
            declared.position()
                + ": "
                + entry.getKey()
                + " is declared here and also defined by CREATE "
                + defined.kind().description().toUpperCase(Locale.ROOT)
                + " ... AS at "
                + defined.position()
                + "; a declaration without a query is for the target of an AUTO CDC flow:"
                + " remove one of them");
      } else if (!flows.containsKey(entry.getKey())) {
        problems.add(
            declared.position()
                + ": "
                + entry.getKey()
                + " is declared but no AUTO CDC flow writes into it; add CREATE FLOW ... AS AUTO"
                + " CDC INTO "
                + entry.getKey()
                + " FROM STREAM(...) KEYS (...) SEQUENCE BY ..., or give it a query: CREATE"
                + " STREAMING TABLE "
                + String.join(".", declared.nameParts())
                + " AS SELECT ...");
      }
    }
    for (Map.Entry<String, DatasetStatement> entry : flows.entrySet()) {
      DatasetStatement defined = definitions.get(entry.getKey());
      if (defined != null) {
        problems.add(
            entry.getValue().autoCdc().get().position()
                + ": this AUTO CDC flow writes into "
                + entry.getKey()
                + ", which CREATE "
                + defined.kind().description().toUpperCase(Locale.ROOT)
                + " ... AS at "
                + defined.position()
                + " defines too; a table has one definition: remove the query there (declare it"
                + " as CREATE STREAMING TABLE "
                + String.join(".", defined.nameParts())
                + ";) or write the flow into another table");
      }
    }
    Map<String, DatasetStatement> vaultTables = VaultAssembler.assemble(spec, vault, problems);
    List<PipelineFile> files = new ArrayList<>();
    for (ParsedFile file : parsedFiles) {
      List<DatasetStatement> statements = new ArrayList<>();
      List<ParsedStatement.Declaration> declared = new ArrayList<>();
      for (ParsedStatement parsed : file.statements()) {
        if (parsed instanceof ParsedStatement.Declaration declaration) {
          declared.add(declaration);
          continue;
        }
        if (parsed instanceof ParsedStatement.Vault part) {
          DatasetStatement table = vaultTables.get(tableName(spec, part.dataset()));
          if (part.vault() instanceof VaultStatement.Declaration && table != null) {
            statements.add(table);
          }
          continue;
        }
        DatasetStatement statement = parsed.dataset();
        ParsedStatement.Declaration declaration =
            statement.autoCdc().isPresent() ? declarations.get(tableName(spec, statement)) : null;
        statements.add(
            declaration == null ? statement : AutoCdcParser.merge(statement, declaration));
      }
      files.add(new PipelineFile(file.path(), file.text(), statements, declared));
    }
    return files;
  }

  /** The dataset's name as the graph knows it, e.g. silver.customers. */
  private static String tableName(PipelineSpec spec, DatasetStatement statement) {
    List<String> parts = statement.nameParts().stream().map(Dataset::normalize).toList();
    return PipelineGraph.tableName(spec, parts).orElse(String.join(".", parts));
  }

  /**
   * A pipeline whose files hold no statements, or only temporary views, would "succeed" without
   * writing anything; that is almost always a file saved empty or a statement commented out.
   */
  private static void requireSomethingToRun(Path dir, List<PipelineFile> files) {
    String read = listed(files.stream().map(PipelineFile::path).toList());
    List<DatasetStatement> statements =
        files.stream().flatMap(file -> file.statements().stream()).toList();
    if (statements.isEmpty()) {
      throw PipelineException.at(
          dir.toString(),
          "nothing to run: the pipeline's .sql files hold no statements, only comments or"
              + " nothing (read "
              + read
              + "); put CREATE MATERIALIZED VIEW"
              + " ... or CREATE STREAMING TABLE ... statements in them");
    }
    if (statements.stream().noneMatch(statement -> statement.kind().isTable())) {
      throw PipelineException.at(
          dir.toString(),
          "nothing to run: the pipeline defines only temporary views ("
              + listed(statements.stream().map(s -> String.join(".", s.nameParts())).toList())
              + " in "
              + read
              + "), which are never stored; add a"
              + " CREATE MATERIALIZED VIEW ... or CREATE STREAMING TABLE ... that reads them");
    }
  }

  private static String listed(List<String> names) {
    int shown = 10;
    return names.size() <= shown
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, shown)) + " and " + (names.size() - shown) + " more";
  }

  private static List<Path> sqlFiles(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(path -> path.getFileName().toString().endsWith(".sql"))
          .filter(path -> !isHidden(dir.relativize(path)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot list the files of the pipeline " + dir + ": " + e.getMessage(),
          e);
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static PipelineSpec readSpec(Path dir, Map<String, String> overrides) {
    Path file = dir.resolve(SPEC_FILE);
    String name = dir.getFileName() == null ? "pipeline" : dir.getFileName().toString();
    Optional<String> namespace = Optional.empty();
    ExpectationPolicy policy = ExpectationPolicy.WARN;
    Map<String, String> variables = new LinkedHashMap<>();
    java.time.Duration triggerInterval = PipelineSpec.DEFAULT_TRIGGER_INTERVAL;
    int compactEvery = PipelineSpec.DEFAULT_COMPACT_EVERY;
    HashStandard hashStandard = HashStandard.DEFAULT;
    if (!Files.isRegularFile(file)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read the pipeline "
              + dir
              + ": it has no "
              + SPEC_FILE
              + " (it needs at least"
              + " 'name: <pipeline name>')");
    }
    Node root = compose(file);
    if (YamlNodes.isNull(root)) {
      root = null; // "---" and nothing else
    }
    if (root != null) {
      if (!(root instanceof MappingNode mapping)) {
        throw PipelineException.at(
            where(root.getStartMark()),
            "the top level must be a mapping of keys to values (name: ..., namespace: ...), not "
                + YamlNodes.describe(root));
      }
      Map<String, Mark> seen = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        String key = key(tuple.getKeyNode(), "a key must be a plain name such as name", seen);
        Node value = tuple.getValueNode();
        switch (key) {
          case "name" -> name = name(key, value, "the pipeline's name");
          case "namespace" ->
              namespace =
                  Optional.of(
                      name(key, value, "a namespace such as silver").toLowerCase(Locale.ROOT));
          case "expectation-policy" -> {
            String text = scalar(key, value, "warn, drop, quarantine or fail");
            policy =
                ExpectationPolicy.fromName(text)
                    .orElseThrow(
                        () ->
                            PipelineException.at(
                                where(value.getStartMark()),
                                "expectation-policy must be warn, drop, quarantine or fail, not '"
                                    + text
                                    + "'"));
          }
          case "trigger-interval" -> triggerInterval = duration(key, value);
          case "hash-standard" -> {
            String text = scalar(key, value, "a hash standard's name, e.g. lagoa-dv-v1");
            try {
              hashStandard = HashStandard.named(text.strip());
            } catch (LagoaException e) {
              throw PipelineException.at(where(value.getStartMark()), e.getMessage());
            }
          }
          case "compact-every" -> {
            String text = scalar(key, value, "a number of runs");
            try {
              compactEvery = Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
              compactEvery = -1;
            }
            if (compactEvery < 0) {
              throw PipelineException.at(
                  where(value.getStartMark()),
                  "compact-every must be a"
                      + " number of runs (0 to never compact), not '"
                      + text
                      + "'");
            }
          }
          case "variables" -> {
            if (YamlNodes.isNull(value)) {
              break;
            }
            if (!(value instanceof MappingNode variablesNode)) {
              throw PipelineException.at(
                  where(value.getStartMark()),
                  "variables must be a mapping of names to values, not "
                      + YamlNodes.describe(value));
            }
            Map<String, Mark> seenVariables = new LinkedHashMap<>();
            for (NodeTuple variable : variablesNode.getValue()) {
              String variableName =
                  key(variable.getKeyNode(), "a variable name must be a plain name", seenVariables);
              variables.put(
                  variableName,
                  scalar("variables." + variableName, variable.getValueNode(), "its value"));
            }
          }
          default ->
              throw PipelineException.at(
                  where(tuple.getKeyNode().getStartMark()),
                  "unknown key '"
                      + key
                      + "'"
                      + EditDistance.closest(key, KEYS)
                          .map(best -> " (did you mean '" + best + "'?)")
                          .orElse(" (known keys: " + String.join(", ", KEYS) + ")"));
        }
      }
    }
    variables.putAll(overrides);
    variables.put("pipeline.name", name);
    variables.put("pipeline.dir", dir.toString().replace('\\', '/'));
    return new PipelineSpec(
        name, dir, namespace, variables, policy, triggerInterval, compactEvery, hashStandard);
  }

  /** {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}. */
  private static java.time.Duration duration(String key, Node value) {
    String text = scalar(key, value, "a duration such as 500ms, 1s, 5m or 1h").strip();
    java.util.regex.Matcher matcher =
        java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h)").matcher(text);
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      throw PipelineException.at(
          where(value.getStartMark()),
          key
              + " must be a duration above"
              + " zero such as 500ms, 1s, 5m or 1h, not '"
              + text
              + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> java.time.Duration.ofMillis(amount);
      case "s" -> java.time.Duration.ofSeconds(amount);
      case "m" -> java.time.Duration.ofMinutes(amount);
      default -> java.time.Duration.ofHours(amount);
    };
  }

  /**
   * Parses pipeline.yaml into nodes, so every later error can name its line and column. A file that
   * is empty or only comments gives null: all defaults.
   */
  private static Node compose(Path file) {
    String text;
    try {
      text = Utf8Files.read(file);
    } catch (Utf8Files.NotUtf8Exception e) {
      throw PipelineException.at(SPEC_FILE + ":" + e.line() + ":" + e.column(), e.problem());
    } catch (IOException e) {
      throw PipelineException.at(SPEC_FILE, "cannot read the file: " + e.getMessage());
    }
    try {
      return new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw PipelineException.at(where(mark), "invalid YAML: " + YamlNodes.problem(e));
    } catch (YAMLException e) {
      throw PipelineException.at(SPEC_FILE, "invalid YAML: " + e.getMessage());
    }
  }

  /** A mapping key: a plain name, once. */
  private static String key(Node node, String expected, Map<String, Mark> seen) {
    if (!(node instanceof ScalarNode scalar) || YamlNodes.isNull(scalar)) {
      throw PipelineException.at(
          where(node.getStartMark()), expected + ", not " + YamlNodes.describe(node));
    }
    String key = scalar.getValue();
    Mark first = seen.putIfAbsent(key, node.getStartMark());
    if (first != null) {
      throw PipelineException.at(
          where(node.getStartMark()),
          "duplicate key '" + key + "' (first at " + where(first) + "); keep one of them");
    }
    return key;
  }

  private static String scalar(String key, Node value, String expected) {
    if (!(value instanceof ScalarNode scalar) || YamlNodes.isNull(scalar)) {
      throw PipelineException.at(
          where(value.getStartMark()),
          key + " must be a single value (" + expected + "), not " + YamlNodes.describe(value));
    }
    return scalar.getValue();
  }

  private static String name(String key, Node value, String expected) {
    String text = scalar(key, value, expected);
    if (text.isBlank()) {
      throw PipelineException.at(
          where(value.getStartMark()), key + " must not be empty (" + expected + ")");
    }
    return text;
  }

  private static String where(Mark mark) {
    return mark == null
        ? SPEC_FILE
        : SPEC_FILE + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
  }
}

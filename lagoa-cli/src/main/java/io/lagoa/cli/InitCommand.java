package io.lagoa.cli;

import io.lagoa.config.ConfigLoader;
import io.lagoa.config.ConfigTemplate;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "init",
    description = {
      "Start a Lagoa project: writes a commented lagoa.yaml (every setting, with its default)",
      "and an example bronze/silver/gold pipeline with its data, ready to run.",
      "Never overwrites a file unless --force is given."
    },
    mixinStandardHelpOptions = true)
final class InitCommand implements Callable<Integer> {
  /** What each file is, for the summary; resources live under io/lagoa/cli/init/. */
  private static final Map<String, String> FILES = files();

  /** What to run next, from the project folder; the example's README.md shows the same. */
  static final List<String> NEXT =
      List.of(
          "lagoa pipeline run pipelines/example",
          "lagoa sql \"SELECT * FROM gold.daily_revenue ORDER BY order_date\"",
          "lagoa shell");

  private final Cli cli;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "The project folder, created if needed (default: the current folder).")
  String dir;

  @Option(names = "--force", description = "Overwrite files that already exist.")
  boolean force;

  InitCommand(Cli cli) {
    this.cli = cli;
  }

  private static Map<String, String> files() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(ConfigLoader.FILE_NAME, "configuration: every key documented, all defaults for now");
    files.put(
        "pipelines/example/pipeline.yaml",
        "an example pipeline: landing data -> bronze -> silver -> gold");
    files.put("pipelines/example/bronze.sql", "");
    files.put("pipelines/example/silver.sql", "");
    files.put("pipelines/example/gold.sql", "");
    files.put("pipelines/example/data/orders.jsonl", "its sample data");
    files.put("pipelines/example/README.md", "what the example does and how to run it");
    return files;
  }

  @Override
  public Integer call() {
    Path target = cli.resolve(dir == null ? "." : dir);
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot initialize a project in " + target + ": it is a file, not a folder");
    }
    List<String> existing = new ArrayList<>();
    for (String name : FILES.keySet()) {
      if (Files.exists(target.resolve(name))) {
        existing.add(name);
      }
    }
    if (!existing.isEmpty() && !force) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot initialize a project in "
              + target
              + ": these files already exist: "
              + String.join(", ", existing)
              + ". Nothing was written. Move them away, or run again with --force to overwrite"
              + " them.");
    }
    for (String name : FILES.keySet()) {
      write(target.resolve(name), content(name));
    }
    report(target, existing);
    return 0;
  }

  private static String content(String name) {
    if (name.equals(ConfigLoader.FILE_NAME)) {
      return ConfigTemplate.render();
    }
    String resource = "init/" + name;
    try (InputStream in = InitCommand.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource io/lagoa/cli/" + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + resource, e);
    }
  }

  private void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      if (force) {
        Files.writeString(file, content, StandardCharsets.UTF_8);
      } else {
        // CREATE_NEW: a file that appeared since the check above is still never overwritten.
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      }
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot write " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private void report(Path target, List<String> overwritten) {
    cli.out().println("Created a Lagoa project in " + target + ":");
    for (Map.Entry<String, String> file : FILES.entrySet()) {
      String note = file.getValue().isEmpty() ? "" : "  " + file.getValue();
      String replaced = overwritten.contains(file.getKey()) ? " (overwritten)" : "";
      cli.out()
          .println(String.format("  %-37s%s%s", file.getKey(), replaced, note).stripTrailing());
    }
    cli.out().println();
    cli.out().println("Next:");
    if (!target.equals(cli.workingDir())) {
      cli.out().println("  cd " + displayPath(target));
    }
    for (String command : NEXT) {
      cli.out().println("  " + command);
    }
    cli.out().flush();
  }

  private String displayPath(Path target) {
    return target.startsWith(cli.workingDir())
        ? cli.workingDir().relativize(target).toString()
        : target.toString();
  }
}

package io.lagoa.cli;

import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.ConfigValue;
import io.lagoa.config.EffectiveConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "config",
    description = {
      "Print the configuration in effect: every key, its value and where the value came from",
      "(default, file:line:column, or an environment variable). Secrets show as ******.",
      "Same as 'lagoa config show'."
    },
    mixinStandardHelpOptions = true,
    subcommands = ConfigCommand.Show.class)
final class ConfigCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin OutputOptions output;

  ConfigCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    return show(cli, output);
  }

  @Command(
      name = "show",
      description = "Print the configuration in effect and where each value came from.",
      mixinStandardHelpOptions = true)
  static final class Show implements Callable<Integer> {
    private final Cli cli;

    @Mixin OutputOptions output;

    Show(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      return show(cli, output);
    }
  }

  static int show(Cli cli, OutputOptions output) {
    EffectiveConfig explained = cli.explainConfig();
    cli.err()
        .println(
            explained
                .config()
                .source()
                .map(file -> "Configuration file: " + file + " (environment variables override it)")
                .orElse(
                    "No configuration file (no --config, no "
                        + ConfigLoader.CONFIG_ENV
                        + ", no ./"
                        + ConfigLoader.FILE_NAME
                        + "): built-in defaults and environment variables"));
    for (String ignored : explained.ignoredEnvironment()) {
      cli.err().println("warning: not a configuration variable, ignored: " + ignored);
    }
    List<String> columns = List.of("key", "value", "origin");
    List<List<Object>> rows = new ArrayList<>();
    for (ConfigValue value : explained.values()) {
      rows.add(Arrays.asList(value.name(), value.value(), value.origin()));
    }
    if (output.format() == OutputFormat.TABLE) {
      printTable(columns, rows, cli.out());
    } else {
      cli.printer().print(columns, rows, output.format(), cli.out());
    }
    return 0;
  }

  /**
   * Like the result tables, but never cuts a value: the whole warehouse path or URI is the point.
   */
  static void printTable(List<String> columns, List<List<Object>> rows, PrintWriter out) {
    int[] widths = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      widths[i] = columns.get(i).length();
      for (List<Object> row : rows) {
        widths[i] = Math.max(widths[i], text(row.get(i)).length());
      }
    }
    StringBuilder header = new StringBuilder();
    StringBuilder separator = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      header.append(i == 0 ? "" : " | ").append(pad(columns.get(i), widths[i]));
      separator.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
    }
    out.println(header.toString().stripTrailing());
    out.println(separator);
    for (List<Object> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns.size(); i++) {
        line.append(i == 0 ? "" : " | ").append(pad(text(row.get(i)), widths[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  private static String text(Object value) {
    return value == null ? "(not set)" : value.toString();
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }
}

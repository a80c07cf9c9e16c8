package io.lagoa.cli.output;

import picocli.CommandLine.Option;

/** The {@code --format} and {@code --json} options every command that prints results shares. */
public final class OutputOptions {
  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
  OutputFormat format;

  @Option(names = "--json", description = "Same as --format json.")
  boolean json;

  public OutputFormat format() {
    if (json) {
      return OutputFormat.JSON;
    }
    return format == null ? OutputFormat.TABLE : format;
  }
}

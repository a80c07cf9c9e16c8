package io.lagoa.cli;

import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.shell.Shell;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "shell",
    description = {
      "Interactive Spark SQL on the lakehouse. Statements end with ';' and may span lines;",
      "results print as tables with timings; errors point at the line and column and the",
      "shell goes on. Ctrl-C cancels the running statement, Ctrl-D or 'exit' leaves."
    },
    mixinStandardHelpOptions = true)
final class ShellCommand implements Callable<Integer> {
  static final String HISTORY_ENV = "LAGOA_HISTORY_FILE";

  private final Cli cli;

  @Mixin OutputOptions output;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Print at most N rows of each result (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Option(
      names = "--history-file",
      paramLabel = "FILE",
      description =
          "Keep the input history here (default: $" + HISTORY_ENV + ", else ~/.lagoa_history).")
  Path historyFile;

  @Option(names = "--no-history", description = "Keep no history of this session.")
  boolean noHistory;

  ShellCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (maxRows < 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "--max-rows must be 0 or more, but is " + maxRows);
    }
    // dumb(true): with piped input there is no terminal to drive; read it plainly, no warning.
    try (Terminal terminal =
        TerminalBuilder.builder().name("lagoa").system(true).dumb(true).build()) {
      new Shell(cli, terminal, history(), output.format(), maxRows).run();
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot open the terminal for the shell: " + e.getMessage(), e);
    }
    return 0;
  }

  private Optional<Path> history() {
    if (noHistory) {
      return Optional.empty();
    }
    if (historyFile != null) {
      return Optional.of(cli.resolve(historyFile.toString()));
    }
    String fromEnv = cli.env().get(HISTORY_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(cli.resolve(fromEnv));
    }
    return Optional.of(Path.of(System.getProperty("user.home"), ".lagoa_history"));
  }
}

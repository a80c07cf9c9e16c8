package io.lagoa.cli;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.ErrorType;
import io.lagoa.error.LagoaException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code lagoa} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int exitCode = run(args, System.getenv(), Path.of(""), out, err);
    System.exit(exitCode);
  }

  /** Runs one command line; what tests call, with their own environment and streams. */
  public static int run(
      String[] args, Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err) {
    try (Cli cli = new Cli(env, workingDir, out, err)) {
      LagoaCommand root = new LagoaCommand(cli);
      CommandLine commandLine = new CommandLine(root, new CommandFactory(cli));
      commandLine.setOut(out);
      commandLine.setErr(err);
      commandLine.setCaseInsensitiveEnumValuesAllowed(true);
      commandLine.setExecutionExceptionHandler(
          (exception, line, parseResult) -> report(exception, root.verbose(), err));
      commandLine.setParameterExceptionHandler(
          (exception, arguments) -> {
            err.println("error: " + exception.getMessage());
            CommandLine failed = exception.getCommandLine();
            err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
            return ErrorCode.INVALID_ARGUMENT.exitCode();
          });
      return commandLine.execute(args);
    }
  }

  static int report(Exception exception, boolean verbose, PrintWriter err) {
    if (exception instanceof LagoaException lagoa) {
      err.println("error: " + lagoa.getMessage());
      if (lagoa.code().type() == ErrorType.INTERNAL || verbose) {
        exception.printStackTrace(err);
      }
      err.flush();
      return lagoa.code().exitCode();
    }
    err.println("internal error: " + exception);
    if (verbose) {
      exception.printStackTrace(err);
    } else {
      err.println("This is a bug in Lagoa. Run again with --verbose for the stack trace and report it.");
    }
    err.flush();
    return ErrorCode.INTERNAL_ERROR.exitCode();
  }
}

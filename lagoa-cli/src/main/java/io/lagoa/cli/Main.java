package io.lagoa.cli;

import io.lagoa.config.Secrets;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.ErrorType;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import java.io.PrintWriter;
import java.io.StringWriter;
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
          (exception, line, parseResult) -> report(exception, root.verbose(), err, cli.secrets()));
      commandLine.setParameterExceptionHandler(
          (exception, arguments) -> {
            err.println("error: " + cli.secrets().mask(exception.getMessage()));
            CommandLine failed = exception.getCommandLine();
            err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
            return ErrorCode.INVALID_ARGUMENT.exitCode();
          });
      return commandLine.execute(args);
    }
  }

  /**
   * Prints an error: one line, and the stack trace with --verbose or for a bug. Everything printed
   * goes through {@code secrets} first, the last line of defence for a message (a driver's, say)
   * that quotes a configured secret.
   */
  static int report(Exception exception, boolean verbose, PrintWriter err, Secrets secrets) {
    if (exception instanceof LagoaException lagoa) {
      err.println("error: " + secrets.mask(lagoa.getMessage()));
      lagoa.remedy().map(Main::remedy).ifPresent(err::println);
      if (lagoa.code().type() == ErrorType.INTERNAL || verbose) {
        printStackTrace(exception, err, secrets);
      }
      err.flush();
      return lagoa.code().exitCode();
    }
    err.println("internal error: " + secrets.mask(exception.toString()));
    if (verbose) {
      printStackTrace(exception, err, secrets);
    } else {
      err.println(
          "This is a bug in Lagoa. Run again with --verbose for the stack trace and report it.");
    }
    err.flush();
    return ErrorCode.INTERNAL_ERROR.exitCode();
  }

  /** A remedy in the CLI's terms: the flag to run again with. */
  static String remedy(Remedy remedy) {
    return switch (remedy) {
      case FULL_REFRESH ->
          "Run again with --full-refresh to recompute the table from all its" + " source data.";
      case SET_VARIABLE -> "Set a variable for this run with --var NAME=VALUE.";
      case REPLACE_TABLE -> "Run again with --force to replace it, or restore it with --as NAME.";
      case OVERRIDE_REPLICA -> "Run again with --force if that is what you mean.";
    };
  }

  /** The causes' messages in a stack trace are drivers' own, and may quote a URL's password. */
  private static void printStackTrace(Exception exception, PrintWriter err, Secrets secrets) {
    StringWriter trace = new StringWriter();
    exception.printStackTrace(new PrintWriter(trace));
    err.print(secrets.mask(trace.toString()));
  }
}

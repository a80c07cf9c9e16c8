package io.lagoa.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code lagoa admin}, {@code lagoa table}, ...): run
 * without one, it prints its usage and exits 0.
 */
abstract class CommandGroup implements Callable<Integer> {
  private final Cli cli;

  @Spec CommandLine.Model.CommandSpec spec;

  CommandGroup(Cli cli) {
    this.cli = cli;
  }

  @Override
  public final Integer call() {
    spec.commandLine().usage(cli.out());
    return 0;
  }
}

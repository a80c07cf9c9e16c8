package io.lagoa.cli;

import picocli.CommandLine;

/**
 * Hands every command that asks for it (a constructor taking {@link Cli}) this invocation's Cli.
 */
final class CommandFactory implements CommandLine.IFactory {
  private final Cli cli;

  CommandFactory(Cli cli) {
    this.cli = cli;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    try {
      return type.getDeclaredConstructor(Cli.class).newInstance(cli);
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(type);
    }
  }
}

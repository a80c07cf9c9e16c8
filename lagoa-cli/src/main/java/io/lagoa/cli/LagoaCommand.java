package io.lagoa.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "lagoa",
    mixinStandardHelpOptions = true,
    versionProvider = LagoaCommand.Version.class,
    description = "The lakehouse in one application: Apache Iceberg tables, Spark SQL, pipelines.",
    subcommands = {
      SqlCommand.class,
      ShellCommand.class,
      InitCommand.class,
      ConfigCommand.class,
      TablesCommand.class,
      TableCommand.class,
      ChangesCommand.class,
      MetricsCommand.class,
      MaintainCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      ReplicateCommand.class,
      FailoverCommand.class,
      DemoCommand.class,
      PipelineCommand.class,
      IdentityCommand.class,
      ProduceCommand.class,
      DevCommand.class,
      BenchCommand.class,
      ServerCommand.class,
      AdminCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LagoaCommand implements Callable<Integer> {
  private final Cli cli;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "Configuration file (default: $LAGOA_CONFIG, else ./lagoa.yaml, else built-in defaults).")
  void config(Path file) {
    cli.configFile(file);
  }

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  public LagoaCommand(Cli cli) {
    this.cli = cli;
  }

  public Cli cli() {
    return cli;
  }

  boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(cli.out());
    return 0;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LagoaCommand.class.getPackage().getImplementationVersion();
      return new String[] {"lagoa " + (version == null ? "development build" : version)};
    }
  }
}

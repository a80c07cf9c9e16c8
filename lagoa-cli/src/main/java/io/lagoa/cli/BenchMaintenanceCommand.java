package io.lagoa.cli;

import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.bench.maintenance.MaintenanceBenchOptions;
import io.lagoa.bench.maintenance.MaintenanceBenchReport;
import io.lagoa.bench.maintenance.MaintenanceBenchResults;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Kind;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.bench.MaintenanceBenchService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintenance",
    description = {
      "Feed two streaming tables the same commits side by side for --duration, one left alone and",
      "one kept by a maintenance pass every --maintain-every; every --sample-every, print their",
      "data files, delete files, manifests, snapshots, metadata size and bench query times next",
      "to a freshly compacted copy of the same data. See docs/maintenance.md."
    },
    mixinStandardHelpOptions = true)
final class BenchMaintenanceCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description = "How long the tables are fed, samples included (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--sample-every",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description = "A sample every this long, and one at the end (default: ${DEFAULT-VALUE}).")
  Duration sampleEvery;

  @Option(
      names = "--commit-every",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "One commit to each table every this long (default: ${DEFAULT-VALUE}).")
  Duration commitEvery;

  @Option(
      names = "--maintain-every",
      paramLabel = "DURATION",
      defaultValue = "1m",
      converter = DurationConverter.class,
      description =
          "A maintenance pass of the maintained table every this long (default:"
              + " ${DEFAULT-VALUE}).")
  Duration maintainEvery;

  @Option(
      names = "--rows-per-commit",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Rows appended to each table by a commit (default: ${DEFAULT-VALUE}).")
  int rowsPerCommit;

  @Option(
      names = "--snapshot-retention",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "The maintained table's lagoa.maintenance.snapshot-retention (default:"
              + " ${DEFAULT-VALUE}).")
  Duration snapshotRetention;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      defaultValue = "bench_maintenance",
      description =
          "Namespace of the bench's tables, replaced at the start (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Mixin OutputOptions output;

  BenchMaintenanceCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    MaintenanceBenchOptions options = options();
    BenchCommands.startSpark(cli);
    PrintWriter err = cli.err();
    MaintenanceBenchResults results;
    try {
      results = MaintenanceBenchService.run(cli.lakehouse(), options, new Progress(err));
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          BenchCommands.lowerFirst(e.getMessage()) + ". Use another namespace with --namespace.");
    }
    print(results);
    boolean match =
        results.samples().stream().allMatch(MaintenanceBenchResults.Sample::resultsMatch);
    return match ? 0 : 1;
  }

  /** The options, or an argument error naming the flag and the bad value. */
  MaintenanceBenchOptions options() {
    try {
      return new MaintenanceBenchOptions(
          duration,
          sampleEvery,
          commitEvery,
          maintainEvery,
          rowsPerCommit,
          snapshotRetention,
          namespace);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, BenchCommands.lowerFirst(e.getMessage()));
    }
  }

  private void print(MaintenanceBenchResults results) {
    OutputFormat format = output.format();
    PrintWriter out = cli.out();
    if (format == OutputFormat.JSON) {
      out.println(MaintenanceBenchReport.json(results));
      out.flush();
      return;
    }
    boolean human = format == OutputFormat.TABLE;
    cli.printer()
        .print(
            MaintenanceBenchReport.SAMPLE_COLUMNS,
            MaintenanceBenchReport.sampleRows(results.samples(), human),
            format,
            out);
    if (human) {
      out.println();
      MaintenanceBenchReport.summary(results).forEach(out::println);
      out.println(BenchCommands.loadLine(results.environment()));
    }
    out.flush();
  }

  /** Progress on standard error: the feed every 30 seconds, each pass and each sample. */
  static final class Progress implements MaintenanceBenchListener {
    private static final long FEED_LINE_NANOS = 30_000_000_000L;
    private final PrintWriter err;
    private long lastFeedLine;

    Progress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void stepStarted(String description) {
      err.println(description + "...");
      err.flush();
    }

    @Override
    public synchronized void stepFinished(String description, long nanos) {
      err.println("  " + description + ": " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public synchronized void committed(long commits, long elapsedNanos) {
      if (elapsedNanos - lastFeedLine >= FEED_LINE_NANOS) {
        lastFeedLine = elapsedNanos;
        err.println(
            String.format(
                Locale.ROOT,
                "[%s] %,d commits to each table",
                MaintenanceBenchReport.minutes(elapsedNanos),
                commits));
        err.flush();
      }
    }

    @Override
    public synchronized void passFinished(MaintenanceBenchResults.Pass pass) {
      err.println(
          String.format(
              Locale.ROOT,
              "[%s] maintenance pass %d: %.1f s%s",
              MaintenanceBenchReport.minutes(pass.elapsedNanos()),
              pass.number(),
              pass.nanos() / 1e9,
              pass.error().map(why -> ", FAILED: " + why).orElse("")));
      pass.actions().forEach(action -> err.println("    " + action));
      err.flush();
    }

    @Override
    public synchronized void sampleFinished(MaintenanceBenchResults.Sample sample) {
      err.println(
          String.format(
              Locale.ROOT,
              "[%s] sample %d after %,d commits:",
              MaintenanceBenchReport.minutes(sample.elapsedNanos()),
              sample.number(),
              sample.commits()));
      for (MaintenanceBenchResults.TableFigures table : sample.tables()) {
        err.println(
            String.format(
                Locale.ROOT,
                "    %-15s %,d rows, %d data files, %d delete files, %d manifests, %d snapshots,"
                    + " queries %.0f ms%s",
                table.kind().label(),
                table.rows(),
                table.dataFiles(),
                table.deleteFiles(),
                table.manifests(),
                table.snapshots(),
                table.totalQueryMillis(),
                table.kind() == Kind.COMPACTED
                    ? ""
                    : String.format(Locale.ROOT, " (%.2fx)", sample.ratio(table.kind()))));
      }
      if (!sample.resultsMatch()) {
        err.println("    MISMATCH: the three tables answered a query differently");
      }
      err.flush();
    }
  }
}

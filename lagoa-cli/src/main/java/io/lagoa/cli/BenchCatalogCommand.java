package io.lagoa.cli;

import io.lagoa.bench.catalog.CatalogBench;
import io.lagoa.bench.catalog.CatalogBenchListener;
import io.lagoa.bench.catalog.CatalogBenchOptions;
import io.lagoa.bench.catalog.CatalogBenchReport;
import io.lagoa.bench.catalog.CatalogBenchResults;
import io.lagoa.bench.catalog.CatalogOperation;
import io.lagoa.bench.catalog.CatalogRunResult;
import io.lagoa.bench.catalog.CatalogTarget;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "catalog",
    description = {
      "Measure the catalog server: loadTable and commit throughput and p50/p99/p99.9 latency",
      "with 1, 8 and 32 concurrent clients, each one of Iceberg's own REST clients, next to the",
      "same operations on the catalog called directly (no HTTP). Without --uri a server is started",
      "in this process on the configured catalog. See docs/bench.md."
    },
    mixinStandardHelpOptions = true)
final class BenchCatalogCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--uri",
      paramLabel = "URI",
      description =
          "A running Lagoa server (e.g. http://host:8181); default: one started in this process"
              + " on the configured catalog.")
  String uri;

  @Option(
      names = "--clients",
      paramLabel = "N,N",
      defaultValue = "1,8,32",
      description = "Concurrent clients, one run per number (default: ${DEFAULT-VALUE}).")
  String clients;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "20",
      description = "How long each run is measured (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup",
      paramLabel = "S",
      defaultValue = "3",
      description = "Unmeasured seconds before each run (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--tables",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Tables to load and commit to, plus one shared hot table (default: ${DEFAULT-VALUE}).")
  int tables;

  @Option(
      names = "--operations",
      split = ",",
      paramLabel = "OP",
      description = "load-table, commit, hot-commit (default: all three).")
  List<String> operations = new ArrayList<>();

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      defaultValue = "lagoa_bench_catalog",
      description =
          "Where the bench's tables go; they are dropped at the end (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--no-reference",
      description = "Skip the direct reference (the same operations with no HTTP).")
  boolean noReference;

  @Mixin OutputOptions output;

  BenchCatalogCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    CatalogBenchOptions options = options();
    CatalogBenchResults results;
    try (Progress progress = new Progress(cli.err(), System.console() != null)) {
      results = CatalogBench.run(cli.config(), options, progress);
    } catch (IllegalArgumentException e) {
      throw invalid(
          "cannot run the catalog bench: "
              + BenchCommands.lowerFirst(e.getMessage())
              + ". Use another namespace with --namespace.");
    } catch (IllegalStateException e) {
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot run the catalog bench: " + e.getMessage(), e);
    }
    print(results);
    return 0;
  }

  /** The options, or an argument error naming the flag and the bad value. */
  CatalogBenchOptions options() {
    if (seconds < 1) {
      throw invalid("cannot measure for --seconds " + seconds + ": give 1 or more");
    }
    if (warmup < 0) {
      throw invalid("cannot warm up for --warmup " + warmup + ": give 0 or more");
    }
    if (tables < 1 || tables > CatalogBenchOptions.MAX_TABLES) {
      throw invalid(
          "cannot use --tables " + tables + ": choose 1 to " + CatalogBenchOptions.MAX_TABLES);
    }
    List<Integer> counts;
    List<CatalogOperation> chosen = new ArrayList<>();
    try {
      counts = CatalogBenchOptions.parseClients(clients);
      for (String operation : operations) {
        chosen.add(CatalogOperation.parse(operation));
      }
    } catch (IllegalArgumentException e) {
      throw invalid(BenchCommands.lowerFirst(e.getMessage()));
    }
    if (chosen.isEmpty()) {
      chosen.addAll(List.of(CatalogOperation.values()));
    }
    return new CatalogBenchOptions(
        Optional.ofNullable(uri).map(BenchCatalogCommand::serverUri),
        counts,
        Duration.ofSeconds(seconds),
        Duration.ofSeconds(warmup),
        tables,
        chosen,
        !noReference,
        namespace);
  }

  private static URI serverUri(String text) {
    try {
      URI parsed = new URI(text);
      if (("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme()))
          && parsed.getHost() != null) {
        return parsed;
      }
    } catch (URISyntaxException e) {
      // worded below
    }
    throw invalid(
        "cannot use --uri " + text + ": give the server's http(s) address, e.g. http://host:8181");
  }

  private void print(CatalogBenchResults results) {
    OutputFormat format = output.format();
    PrintWriter out = cli.out();
    if (format == OutputFormat.JSON) {
      out.println(CatalogBenchReport.json(results));
      out.flush();
      return;
    }
    boolean human = format == OutputFormat.TABLE;
    cli.printer()
        .print(
            CatalogBenchReport.COLUMNS,
            CatalogBenchReport.rows(results.runs(), human),
            format,
            out);
    if (human) {
      List<String> aim = CatalogBenchReport.aim(results.runs());
      if (!aim.isEmpty()) {
        out.println();
        aim.forEach(out::println);
      }
      out.println();
      out.println(BenchCommands.loadLine(results.environment()));
      for (CatalogRunResult run : results.runs()) {
        run.firstError()
            .ifPresent(
                error ->
                    out.println(
                        "First error of "
                            + run.operation().label()
                            + " "
                            + run.target().label()
                            + " with "
                            + run.clients()
                            + " clients: "
                            + error));
      }
    }
    out.flush();
  }

  private static LagoaException invalid(String message) {
    return new LagoaException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Progress on standard error: a line per run, and on a terminal a live count while it runs. */
  static final class Progress implements CatalogBenchListener, AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal;
    private String label = "";
    private boolean drawn;

    Progress(PrintWriter err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    @Override
    public void serverReady(String description) {
      err.println("Server: " + description);
      err.flush();
    }

    @Override
    public void prepared(int tables, long nanos) {
      err.println(tables + " tables ready in " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public void runStarting(
        int index, int total, CatalogTarget target, CatalogOperation operation, int clients) {
      label =
          String.format(
              Locale.ROOT,
              "[%d/%d] %-10s %-6s %3d client%s",
              index,
              total,
              operation.label(),
              target.label(),
              clients,
              clients == 1 ? " " : "s");
    }

    @Override
    public void progress(double elapsedSeconds, double totalSeconds, long operations, long errors) {
      if (!terminal) {
        return;
      }
      String state =
          elapsedSeconds < 0
              ? "warming up"
              : String.format(
                  Locale.ROOT,
                  "%.0f of %.0f s, %,d ops (%,.0f/s)%s",
                  Math.min(elapsedSeconds, totalSeconds),
                  totalSeconds,
                  operations,
                  operations / Math.max(elapsedSeconds, 1e-3),
                  errors == 0 ? "" : String.format(Locale.ROOT, ", %,d errors", errors));
      err.print("\r\u001b[2K" + label + ": " + state);
      err.flush();
      drawn = true;
    }

    @Override
    public void runFinished(int index, int total, CatalogRunResult run) {
      erase();
      err.println(
          label
              + String.format(
                  Locale.ROOT,
                  ": %,.0f ops/s, p50 %s ms, p99 %s ms, p99.9 %s ms%s%s",
                  run.operationsPerSecond(),
                  CatalogBenchReport.millisText(run.p50Millis()),
                  CatalogBenchReport.millisText(run.p99Millis()),
                  CatalogBenchReport.millisText(run.p999Millis()),
                  run.conflicts() == 0
                      ? ""
                      : String.format(Locale.ROOT, ", %,d conflicts", run.conflicts()),
                  run.errors() == 0
                      ? ""
                      : String.format(Locale.ROOT, ", %,d errors", run.errors())));
      err.flush();
    }

    private void erase() {
      if (drawn) {
        err.print("\r\u001b[2K");
        drawn = false;
      }
    }

    @Override
    public void close() {
      erase();
      err.flush();
    }
  }
}

package io.lagoa.cli;

import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.GraphRenderer;
import io.lagoa.pipeline.PipelineGraph;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.SelectionException;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import io.lagoa.service.PipelineService;
import io.lagoa.spark.pipeline.ContinuousRunner;
import io.lagoa.spark.pipeline.FlowResult;
import io.lagoa.spark.pipeline.FlowStatus;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.PipelineStatus;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "pipeline",
    description = {
      "Declarative medallion pipelines: a folder with pipeline.yaml and .sql files of",
      "CREATE MATERIALIZED VIEW / STREAMING TABLE / TEMPORARY VIEW statements (see docs/pipelines.md)."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      PipelineCommand.Validate.class,
      PipelineCommand.Graph.class,
      PipelineCommand.Run.class,
      PipelineCommand.Status.class
    })
final class PipelineCommand extends CommandGroup {
  PipelineCommand(Cli cli) {
    super(cli);
  }

  /** The folder argument and --var, shared by every subcommand. */
  static final class Folder {
    @Parameters(index = "0", paramLabel = "DIR", description = "The pipeline's folder.")
    Path folder;

    @Option(
        names = "--var",
        paramLabel = "NAME=VALUE",
        description = "Set a ${NAME} variable of the SQL files (overrides pipeline.yaml).")
    Map<String, String> variables = new LinkedHashMap<>();

    PipelineSource load(Cli cli) {
      return PipelineLoader.load(cli.resolve(folder.toString()), variables);
    }
  }

  @Command(
      name = "validate",
      description = "Check the pipeline without running it: syntax, names, inputs, cycles.",
      mixinStandardHelpOptions = true)
  static final class Validate implements Callable<Integer> {
    private final Cli cli;
    @Mixin Folder folder;

    Validate(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PipelineService.Validation valid =
          new PipelineService(cli.lakehouse()).validate(folder.load(cli));
      long tables = valid.tables();
      long views = valid.temporaryViews();
      long rules = valid.expectations();
      cli.out()
          .println(
              "pipeline "
                  + valid.pipeline()
                  + " is valid: "
                  + tables
                  + (tables == 1 ? " table, " : " tables, ")
                  + views
                  + (views == 1 ? " temporary view, " : " temporary views, ")
                  + rules
                  + (rules == 1 ? " expectation, " : " expectations, ")
                  + valid.externalInputs()
                  + " external inputs");
      return 0;
    }
  }

  @Command(
      name = "status",
      description = "How far each streaming table is behind its sources: lag, last commit, rows/s.",
      mixinStandardHelpOptions = true)
  static final class Status implements Callable<Integer> {
    private final Cli cli;
    @Mixin Folder folder;
    @Mixin OutputOptions output;

    Status(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PipelineService.Status status = new PipelineService(cli.lakehouse()).status(folder.load(cli));
      List<PipelineStatus.SourceStatus> statuses = status.sources();
      if (statuses.isEmpty()) {
        cli.err().println("pipeline " + status.pipeline() + " has no streaming tables");
      }
      status.runner().ifPresent(cli.err()::println);
      List<ResultColumn> columns =
          List.of(
              new ResultColumn("table", "string"),
              new ResultColumn("source", "string"),
              new ResultColumn("lag", "bigint"),
              new ResultColumn("rows_per_s", "double"),
              new ResultColumn("last_commit", "timestamp"),
              new ResultColumn("position", "string"),
              new ResultColumn("note", "string"));
      List<List<Object>> rows = new ArrayList<>();
      for (PipelineStatus.SourceStatus source : statuses) {
        List<Object> row = new ArrayList<>();
        row.add(source.table());
        row.add(source.source());
        row.add(source.lag().orElse(null));
        row.add(source.rowsPerSecond().map(rate -> Math.round(rate * 10) / 10.0).orElse(null));
        row.add(source.lastCommit().orElse(null));
        row.add(source.position());
        row.add(source.note().orElse(null));
        rows.add(row);
      }
      cli.printer().print(new QueryResult(columns, rows, false), output.format(), cli.out());
      return 0;
    }
  }

  enum GraphFormat {
    text,
    dot,
    mermaid
  }

  @Command(
      name = "graph",
      description = "Show what each dataset reads: a text tree, Graphviz dot or Mermaid.",
      mixinStandardHelpOptions = true)
  static final class Graph implements Callable<Integer> {
    private final Cli cli;
    @Mixin Folder folder;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        defaultValue = "text",
        description = "text, dot or mermaid (default: ${DEFAULT-VALUE}).")
    GraphFormat format;

    Graph(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PipelineGraph graph = new PipelineService(cli.lakehouse()).graph(folder.load(cli));
      String text =
          switch (format) {
            case text -> GraphRenderer.text(graph);
            case dot -> GraphRenderer.dot(graph);
            case mermaid -> GraphRenderer.mermaid(graph);
          };
      cli.out().print(text);
      return 0;
    }
  }

  @Command(
      name = "run",
      description = {
        "Run the pipeline: every table in dependency order, independent ones side by side.",
        "A run is all or nothing: if a flow fails, every table is put back as it was."
      },
      mixinStandardHelpOptions = true)
  static final class Run implements Callable<Integer> {
    private final Cli cli;
    @Mixin Folder folder;
    @Mixin OutputOptions output;

    @Option(
        names = {"-s", "--select"},
        paramLabel = "SELECTOR",
        description =
            "Run only these: NAME, NAME+ (and downstream), +NAME (and upstream);"
                + " repeat or separate with commas.")
    List<String> select = new ArrayList<>();

    @Option(
        names = "--full-refresh",
        description = "Recompute streaming tables from all their source data.")
    boolean fullRefresh;

    @Option(
        names = "--dry-run",
        description =
            "Check every flow's query and expectations against the catalog; write nothing.")
    boolean dryRun;

    @Option(
        names = "--parallelism",
        paramLabel = "N",
        defaultValue = "2",
        description = "Independent flows run at once (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
        names = "--continuous",
        description =
            "Keep running: a micro-batch every trigger-interval (pipeline.yaml, default"
                + " 1s) until Ctrl-C or SIGTERM, which let the running batch commit first.")
    boolean continuous;

    @Option(
        names = "--once",
        description = "Run micro-batches until every source is caught up, then stop.")
    boolean once;

    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        arity = "0..1",
        fallbackValue = "PT24H",
        converter = DurationConverter.class,
        description =
            "When another runner holds the pipeline, wait for it to end (at most"
                + " DURATION, e.g. 10m; default without a value: 24h) instead of exiting with 3.")
    Duration wait = Duration.ZERO;

    @Option(
        names = "--force",
        description =
            "Take the pipeline's lease even though another runner holds it: only for"
                + " a holder that is gone (a crashed machine) and whose lease has not expired yet.")
    boolean force;

    Run(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (parallelism < 1) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT, "--parallelism must be at least 1, but is " + parallelism);
      }
      if (continuous && once) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "--continuous and --once cannot be used together: --once stops when caught up");
      }
      if ((continuous || once) && dryRun) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "--dry-run checks the pipeline once; leave out --" + (once ? "once" : "continuous"));
      }
      PipelineSource source = folder.load(cli);
      PipelineService pipelines = new PipelineService(cli.lakehouse());
      PipelineService.LeaseOptions lease = new PipelineService.LeaseOptions(force, wait);
      RunResult result;
      try {
        if (continuous || once) {
          return new StreamingRun(cli, output)
              .run(
                  pipelines,
                  source,
                  new RunOptions(select, fullRefresh, false, parallelism, true, true),
                  continuous ? ContinuousRunner.Mode.CONTINUOUS : ContinuousRunner.Mode.ONCE,
                  lease,
                  new Events(cli));
        }
        result =
            pipelines.run(
                source,
                new RunOptions(select, fullRefresh, dryRun, parallelism),
                lease,
                new Events(cli),
                new Progress(cli));
      } catch (SelectionException e) {
        throw new LagoaException(e.code(), e.message("--select"), e); // the selection is --select
      }
      cli.printer().print(summary(result), output.format(), cli.out());
      Duration took = Duration.between(result.startedAt(), result.endedAt());
      result
          .historyError()
          .ifPresent(
              error ->
                  cli.err()
                      .println(
                          "warning: the run could not be recorded in lagoa_system: "
                              + cli.secrets().mask(error)));
      Optional<LagoaException> failure = PipelineService.failure(result, dryRun);
      if (failure.isPresent()) {
        throw failure.get();
      }
      cli.err()
          .println(
              (dryRun ? "dry run of " : "pipeline ")
                  + result.pipeline()
                  + (dryRun ? " checked, nothing written" : " succeeded")
                  + " in "
                  + Values.seconds(took.toNanos())
                  + (dryRun ? "" : " (run id " + result.runId() + ")"));
      return 0;
    }

    static QueryResult summary(RunResult result) {
      List<ResultColumn> columns =
          List.of(
              new ResultColumn("flow", "string"), new ResultColumn("kind", "string"),
              new ResultColumn("action", "string"), new ResultColumn("status", "string"),
              new ResultColumn("rows_read", "bigint"), new ResultColumn("rows_written", "bigint"),
              new ResultColumn("dropped", "bigint"), new ResultColumn("quarantined", "bigint"),
              new ResultColumn("seconds", "double"), new ResultColumn("note", "string"));
      List<List<Object>> rows = new ArrayList<>();
      for (FlowResult flow : result.flows()) {
        List<Object> row = new ArrayList<>();
        row.add(flow.flow());
        row.add(flow.kind().description());
        row.add(flow.action());
        row.add(flow.status().label());
        row.add(flow.rowsRead());
        row.add(flow.rowsWritten());
        row.add(flow.rowsDropped());
        row.add(flow.rowsQuarantined());
        row.add(
            Math.round(Duration.between(flow.startedAt(), flow.endedAt()).toMillis() / 100.0)
                / 10.0);
        row.add(
            flow.error()
                .or(flow::note)
                .map(error -> error.lines().findFirst().orElse(""))
                .orElse(null));
        rows.add(row);
      }
      return new QueryResult(columns, rows, false);
    }
  }

  /**
   * Lease, recovery and lineage lines on stderr; the flag-specific wording (--force) is the CLI's.
   */
  static final class Events implements PipelineService.RunEvents {
    private final Cli cli;

    Events(Cli cli) {
      this.cli = cli;
    }

    @Override
    public void waiting(String message) {
      cli.err().println(message);
      cli.err().flush();
    }

    @Override
    public void leaseTakenOver(String pipeline, PipelineLeases.Holder from) {
      cli.err()
          .println(
              "warning: took over the lease of pipeline "
                  + pipeline
                  + " from "
                  + from
                  + " (--force); if that runner is still alive, its commits will be refused");
    }

    @Override
    public void recovered(String message) {
      cli.err().println(message);
    }

    @Override
    public void streamStarted(String pipeline, ContinuousRunner.Mode mode, Duration interval) {
      if (mode == ContinuousRunner.Mode.CONTINUOUS) {
        cli.err()
            .println(
                "running "
                    + pipeline
                    + " continuously, a batch every "
                    + Values.seconds(interval.toNanos())
                    + "; Ctrl-C stops after the running batch commits");
      }
    }

    @Override
    public void lineageEvent(String event) {
      synchronized (cli) {
        cli.err().println(event);
      }
    }

    @Override
    public void lineageWarning(String warning) {
      synchronized (cli) {
        cli.err().println("warning: " + cli.secrets().mask(warning));
        cli.err().flush();
      }
    }
  }

  /** One line per flow on stderr when it starts and when it ends. */
  static final class Progress implements PipelineListener {
    private final Cli cli;
    private final AtomicInteger started = new AtomicInteger();
    private int total;

    Progress(Cli cli) {
      this.cli = cli;
    }

    @Override
    public void runStarted(String runId, int flows) {
      total = flows;
    }

    @Override
    public void flowStarted(Dataset dataset, String action) {
      synchronized (cli) {
        cli.err()
            .println(
                "["
                    + started.incrementAndGet()
                    + "/"
                    + total
                    + "] "
                    + dataset.name()
                    + ": "
                    + action
                    + " "
                    + dataset.kind().description()
                    + "...");
        cli.err().flush();
      }
    }

    @Override
    public void flowFinished(FlowResult result) {
      String seconds =
          Values.seconds(Duration.between(result.startedAt(), result.endedAt()).toNanos());
      StringBuilder line =
          new StringBuilder("      ")
              .append(result.flow())
              .append(": ")
              .append(result.status().label());
      if (result.status() == FlowStatus.SUCCEEDED) {
        line.append(", ").append(result.rowsWritten()).append(" rows written");
        if (result.rowsDropped() > 0) {
          line.append(", ").append(result.rowsDropped()).append(" dropped");
        }
        if (result.rowsQuarantined() > 0) {
          line.append(", ").append(result.rowsQuarantined()).append(" quarantined");
        }
        result.expectations().stream()
            .filter(rule -> rule.rowsFailed() > 0)
            .forEach(
                rule ->
                    line.append("; ")
                        .append(rule.rule())
                        .append(" (")
                        .append(rule.policy().configName())
                        .append(") failed ")
                        .append(rule.rowsFailed())
                        .append(" rows"));
      }
      if (result.kind() != DatasetKind.TEMPORARY_VIEW && result.status() != FlowStatus.PLANNED) {
        line.append(" (").append(seconds).append(')');
      }
      result.note().ifPresent(note -> line.append("\n        ").append(note));
      result
          .error()
          .ifPresent(error -> line.append("\n        ").append(error.replace("\n", "\n        ")));
      synchronized (cli) {
        cli.err().println(line);
        cli.err().flush();
      }
    }

    @Override
    public void restored(String message) {
      synchronized (cli) {
        cli.err().println("      " + message);
      }
    }

    @Override
    public void replanned(Dataset dataset, String reason) {
      synchronized (cli) {
        cli.err().println("      " + dataset.name() + ": " + reason + "; planning it again");
      }
    }
  }
}

package io.lagoa.cli;

import io.lagoa.bench.cdc.CdcBenchListener;
import io.lagoa.bench.cdc.CdcBenchOptions;
import io.lagoa.bench.cdc.CdcBenchReport;
import io.lagoa.bench.cdc.CdcBenchResults;
import io.lagoa.bench.cdc.CdcVerification;
import io.lagoa.bench.cdc.CdcWriteMode;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.ProgressDisplay;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.bench.CdcBenchService;
import io.lagoa.spark.SparkSql;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "cdc",
    description = {
      "Measure changes applied per second by an AUTO CDC flow: a bronze change table of --rows",
      "inserts, a pipeline that builds <namespace>.t from it, then --batches batches of updates,",
      "deletes and new keys, each appended to bronze and applied by one pipeline run in this",
      "process; with a plain MERGE INTO of each batch as the reference, and the full-scan read",
      "time of the table (--read-every, --compact). See docs/bench.md."
    },
    mixinStandardHelpOptions = true)
final class BenchCdcCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "10000000",
      description = "Initial inserts, one per key (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--batches",
      paramLabel = "N",
      defaultValue = "10",
      description = "Batches of changes, one pipeline run each (default: ${DEFAULT-VALUE}).")
  int batches;

  @Option(
      names = "--update-fraction",
      paramLabel = "F",
      defaultValue = "0.01",
      description = "Share of the keys updated per batch (default: ${DEFAULT-VALUE}).")
  double updateFraction;

  @Option(
      names = "--delete-fraction",
      paramLabel = "F",
      defaultValue = "0.001",
      description = "Share of the keys deleted per batch (default: ${DEFAULT-VALUE}).")
  double deleteFraction;

  @Option(
      names = "--insert-fraction",
      paramLabel = "F",
      defaultValue = "0.001",
      description = "New keys per batch, as a share of --rows (default: ${DEFAULT-VALUE}).")
  double insertFraction;

  @Option(
      names = "--scd",
      paramLabel = "1|2",
      defaultValue = "1",
      description = "STORED AS SCD TYPE 1 or 2 (default: ${DEFAULT-VALUE}).")
  int scd;

  @Option(
      names = "--write-mode",
      paramLabel = "MODE",
      defaultValue = "copy-on-write",
      description =
          "copy-on-write or merge-on-read: the target's write.merge/update/delete.mode"
              + " (default: ${DEFAULT-VALUE}).")
  String writeMode;

  @Option(
      names = "--read-every",
      paramLabel = "K",
      defaultValue = "0",
      description =
          "Time a full scan of the table every K batches; 0: after the last only (default:"
              + " ${DEFAULT-VALUE}).")
  int readEvery;

  @Option(
      names = "--compact",
      description =
          "After the last batch, compact the table (rewrite_data_files,"
              + " rewrite_position_delete_files) and time the read again.")
  boolean compact;

  @Option(
      names = "--no-reference",
      description = "Skip the plain MERGE INTO reference (SCD type 1 only anyway).")
  boolean noReference;

  @Option(
      names = "--verify",
      description =
          "At the end, check the table against the changes in bronze (a full comparison; costs"
              + " time at large sizes).")
  boolean verify;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      defaultValue = "bench_cdc",
      description =
          "Namespace of the target; bronze goes to <NAME>_bronze. Tables are replaced at the start"
              + " (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Same seed, same changes (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin OutputOptions output;

  BenchCdcCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    CdcBenchOptions options = options();
    SparkSql sql = BenchCommands.startSpark(cli);
    PrintWriter err = cli.err();
    Path folder = BenchCommands.pipelineFolder("lagoa-bench-cdc");
    CdcBenchResults results;
    CdcVerification verification = null;
    try (Progress progress = new Progress(cli)) {
      CdcBenchService.Outcome outcome = CdcBenchService.run(sql, folder, options, progress, verify);
      results = outcome.results();
      verification = outcome.verification().orElse(null);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          BenchCommands.lowerFirst(e.getMessage()) + ". Use another namespace with --namespace.");
    } catch (IllegalStateException e) {
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot run the CDC bench: " + e.getMessage(), e);
    } finally {
      BenchCommands.delete(folder);
    }
    print(results);
    if (verification != null) {
      err.println(
          verification.matches()
              ? String.format(
                  Locale.ROOT,
                  "Verified: the table holds the %,d rows the changes imply.",
                  verification.expectedRows())
              : "Verification FAILED: " + verification);
      err.flush();
      if (!verification.matches()) {
        return 1;
      }
    }
    return 0;
  }

  /** The options, or an argument error naming the flag and the bad value. */
  CdcBenchOptions options() {
    try {
      return new CdcBenchOptions(
          rows,
          batches,
          updateFraction,
          deleteFraction,
          insertFraction,
          scd,
          CdcWriteMode.parse(writeMode),
          readEvery,
          compact,
          !noReference,
          namespace,
          seed);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, BenchCommands.lowerFirst(e.getMessage()));
    }
  }

  private void print(CdcBenchResults results) {
    OutputFormat format = output.format();
    PrintWriter out = cli.out();
    if (format == OutputFormat.JSON) {
      out.println(CdcBenchReport.json(results));
      out.flush();
      return;
    }
    boolean human = format == OutputFormat.TABLE;
    cli.printer()
        .print(
            CdcBenchReport.BATCH_COLUMNS,
            CdcBenchReport.batchRows(results.batches(), human),
            format,
            out);
    out.println();
    cli.printer()
        .print(
            CdcBenchReport.READ_COLUMNS,
            CdcBenchReport.readRows(results.reads(), human),
            format,
            out);
    if (human) {
      out.println();
      CdcBenchReport.summary(results).forEach(out::println);
      out.println(BenchCommands.loadLine(results.environment()));
    }
    out.flush();
  }

  /** Progress on standard error: a line per step and batch, a task bar on a terminal. */
  static final class Progress implements CdcBenchListener, AutoCloseable {
    private final Cli cli;
    private final PrintWriter err;
    private ProgressDisplay.Handle display = () -> {};

    Progress(Cli cli) {
      this.cli = cli;
      this.err = cli.err();
    }

    @Override
    public void stepStarted(String description) {
      err.println(description + "...");
      err.flush();
      display = ProgressDisplay.start(description, cli.sql().progress());
    }

    @Override
    public void stepFinished(String description, long nanos) {
      display.close();
      err.println("  " + description + ": " + Values.seconds(nanos));
      err.flush();
    }

    @Override
    public void batchStarted(int number, int total) {
      display = ProgressDisplay.start("batch " + number + "/" + total, cli.sql().progress());
    }

    @Override
    public void batchFinished(CdcBenchResults.Batch batch, int total) {
      display.close();
      err.println(
          String.format(
              Locale.ROOT,
              "[%d/%d] %,d changes (%,d updates, %,d deletes, %,d inserts): run %.2f s, %,.0f"
                  + " changes/s%s; %d data files, %d delete files",
              batch.number(),
              total,
              batch.changes(),
              batch.updates(),
              batch.deletes(),
              batch.inserts(),
              batch.runNanos() / 1e9,
              batch.changesPerSecond(),
              batch.referenceNanos().isPresent()
                  ? String.format(
                      Locale.ROOT,
                      "; MERGE INTO %.2f s, %,.0f changes/s",
                      batch.referenceNanos().getAsLong() / 1e9,
                      batch.referenceChangesPerSecond())
                  : "",
              batch.dataFiles(),
              batch.deleteFiles()));
      err.flush();
    }

    @Override
    public void readFinished(CdcBenchResults.Read read) {
      err.println(
          String.format(
              Locale.ROOT,
              "read after batch %d%s: %.2f s, %,d rows, %d data files, %d delete files",
              read.afterBatch(),
              read.compacted() ? " (compacted)" : "",
              read.nanos() / 1e9,
              read.rows(),
              read.dataFiles(),
              read.deleteFiles()));
      err.flush();
    }

    @Override
    public void close() {
      display.close();
      err.flush();
    }
  }
}

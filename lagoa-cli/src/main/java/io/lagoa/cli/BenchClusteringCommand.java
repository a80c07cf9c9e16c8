package io.lagoa.cli;

import io.lagoa.bench.clustering.ClusteringBenchOptions;
import io.lagoa.bench.clustering.ClusteringBenchReport;
import io.lagoa.bench.clustering.ClusteringBenchResults;
import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.bench.ClusteringBenchService;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "clustering",
    description = {
      "Measure the data skipping of lagoa.maintenance.cluster-by: two tables get the same rows in",
      "--commits small appends; one clusters by (a, b). Selective filters on a, on b and on both",
      "are timed with the files their scans read, before and after one maintenance pass of each",
      "(z-order against bin-packing). See docs/maintenance.md."
    },
    mixinStandardHelpOptions = true)
final class BenchClusteringCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "2000000",
      description = "Rows of each table (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--commits",
      paramLabel = "N",
      defaultValue = "50",
      description = "Appends before compaction, one file each (default: ${DEFAULT-VALUE}).")
  int commits;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      defaultValue = "bench_clustering",
      description =
          "Namespace of the bench's tables, replaced at the start (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Mixin OutputOptions output;

  BenchClusteringCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    ClusteringBenchOptions options;
    try {
      options = new ClusteringBenchOptions(rows, commits, namespace);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, BenchCommands.lowerFirst(e.getMessage()));
    }
    BenchCommands.startSpark(cli);
    PrintWriter err = cli.err();
    ClusteringBenchResults results;
    try {
      results =
          ClusteringBenchService.run(
              cli.lakehouse(),
              options,
              new MaintenanceBenchListener() {
                @Override
                public void stepStarted(String description) {
                  err.println(description + "...");
                  err.flush();
                }

                @Override
                public void stepFinished(String description, long nanos) {
                  err.println("  " + description + ": " + Values.seconds(nanos));
                  err.flush();
                }
              });
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          BenchCommands.lowerFirst(e.getMessage()) + ". Use another namespace with --namespace.");
    }
    OutputFormat format = output.format();
    PrintWriter out = cli.out();
    if (format == OutputFormat.JSON) {
      out.println(ClusteringBenchReport.json(results));
    } else {
      boolean human = format == OutputFormat.TABLE;
      cli.printer()
          .print(
              ClusteringBenchReport.COLUMNS,
              ClusteringBenchReport.rows(results, human),
              format,
              out);
      if (human) {
        out.println();
        ClusteringBenchReport.summary(results).forEach(out::println);
      }
    }
    out.flush();
    return results.resultsMatch() ? 0 : 1;
  }
}

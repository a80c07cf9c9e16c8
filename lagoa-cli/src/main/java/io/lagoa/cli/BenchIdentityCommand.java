package io.lagoa.cli;

import io.lagoa.bench.identity.IdentityBenchResults;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.bench.IdentityBenchService;
import io.lagoa.spark.SparkSql;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "identity",
    description = {
      "Measure identity unification: --records generated CRM, Facebook Ads and Google Ads leads",
      "of known persons (messy names, e-mails, phones, CPFs, family phones, junk values) land in",
      "<namespace>.leads; a pipeline with CREATE IDENTITY GRAPH builds the graph from most of them",
      "and resolves the rest (--increment) in a second run. Prints pairwise precision, recall, F1,",
      "persons found exactly and the run times, beside the matching engine alone in memory. See",
      "docs/identity.md."
    },
    mixinStandardHelpOptions = true)
final class BenchIdentityCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Leads to generate (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(
      names = "--increment",
      paramLabel = "F",
      defaultValue = "0.01",
      description = "Share of the leads resolved by the second run (default: ${DEFAULT-VALUE}).")
  double increment;

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      defaultValue = "bench_identity",
      description =
          "Namespace of the bench's tables, replaced at the start (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Same seed, same leads (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--match",
      paramLabel = "RULES",
      description =
          "The graph's rules, as written in CREATE IDENTITY GRAPH between its name and AS"
              + " (default: examples/leads' rules, \"${DEFAULT-VALUE}\").")
  String match = IdentityBenchService.DEFAULT_MATCH;

  @Mixin OutputOptions output;

  BenchIdentityCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    try {
      IdentityBenchService.checkRules(match);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + " (--match)");
    }
    SparkSql sql = BenchCommands.startSpark(cli);
    PrintWriter err = cli.err();
    Path folder = BenchCommands.pipelineFolder("lagoa-bench-identity");
    IdentityBenchResults results;
    long start = System.nanoTime();
    try {
      results =
          IdentityBenchService.run(
              sql,
              folder,
              records,
              seed,
              increment,
              namespace,
              match,
              step -> {
                err.println("  " + Values.seconds(System.nanoTime() - start) + "  " + step);
                err.flush();
              });
    } catch (IllegalArgumentException e) {
      // the rules were checked above, before Spark started
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          e.getMessage().replace("Cannot bench identity: ", "")
              + (e.getMessage().contains("increment") ? " (--increment)" : " (--records)"));
    } catch (IllegalStateException e) {
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot run the identity bench: " + e.getMessage(), e);
    } finally {
      BenchCommands.delete(folder);
    }
    if (output.format() == OutputFormat.JSON) {
      JsonDocument.print(results, cli.out());
      return 0;
    }
    List<List<Object>> rows = new ArrayList<>();
    rows.add(row("records", String.format(Locale.ROOT, "%,d", results.records())));
    rows.add(row("persons (true / found)", results.truePersons() + " / " + results.foundPersons()));
    rows.add(row("pairwise precision", String.format(Locale.ROOT, "%.4f", results.precision())));
    rows.add(row("pairwise recall", String.format(Locale.ROOT, "%.4f", results.recall())));
    rows.add(
        row(
            "pairwise recall reachable by keys",
            String.format(Locale.ROOT, "%.4f", results.keyCeiling())));
    rows.add(row("pairwise F1", String.format(Locale.ROOT, "%.4f", results.f1())));
    rows.add(
        row("persons found exactly", String.format(Locale.ROOT, "%.4f", results.exactPersons())));
    rows.add(
        row(
            "first run (" + (results.records() - results.incrementRecords()) + " records)",
            Values.seconds(results.firstRunNanos())));
    rows.add(
        row(
            "incremental run (" + results.incrementRecords() + " records)",
            Values.seconds(results.incrementNanos())));
    rows.add(row("reference: engine alone, all records", Values.seconds(results.engineNanos())));
    cli.printer().print(List.of("measure", "value"), rows, output.format(), cli.out());
    err.println("first run: " + results.firstSummary());
    err.println("incremental run: " + results.incrementSummary());
    err.println("true pairs missed, by reason:");
    results
        .missedPairs()
        .forEach(
            (reason, pairs) ->
                err.println(String.format(Locale.ROOT, "  %,10d  %s", pairs, reason)));
    err.flush();
    return 0;
  }

  private static List<Object> row(String measure, Object value) {
    return Arrays.asList(measure, value);
  }
}

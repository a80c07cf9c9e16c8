package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.MaintenancePlan;
import io.lagoa.maintenance.MaintenanceResult;
import io.lagoa.maintenance.PlannedAction;
import io.lagoa.maintenance.TableMetrics;
import io.lagoa.service.MaintenanceService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lagoa maintain}: the actions a table's health calls for, planned and run. */
@Command(
    name = "maintain",
    description = {
      "Keep a table (or every table) healthy: compact small files (bin-pack, or sorted /",
      "z-ordered), rewrite position-delete files and manifests, expire old snapshots, remove",
      "orphan files and old logs of ingested files, each only when the table's health calls for",
      "it, with the reason printed. The policy is set per table with lagoa.maintenance.*",
      "properties (see docs/maintenance.md). Stream positions of pipelines are kept. Metrics",
      "before and after are recorded in lagoa_system.table_metrics."
    },
    mixinStandardHelpOptions = true)
final class MaintainCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(arity = "0..1", paramLabel = "TABLE", description = "The table, e.g. silver.orders.")
  String table;

  @Option(names = "--all", description = "Every table of the catalog.")
  boolean all;

  @Option(
      names = "--dry-run",
      description = "Print the plan, with the reason for each action, and change nothing.")
  boolean dryRun;

  @Mixin OutputOptions output;

  MaintainCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Optional<TableIdentifier> one = MetricsCommand.selection(table, all, "lagoa maintain");
    MaintenanceService service = new MaintenanceService(cli.lakehouse());
    List<TableIdentifier> tables = service.tables(one);
    List<MaintenanceResult> results =
        service.maintain(
            tables,
            dryRun,
            line -> {
              if (output.format() == OutputFormat.TABLE) {
                cli.err().println(line);
                cli.err().flush();
              }
            });
    if (output.format() == OutputFormat.JSON) {
      List<Map<String, Object>> objects = new ArrayList<>();
      results.forEach(result -> objects.add(json(result)));
      JsonDocument.print(objects, cli.out());
    } else {
      PrintWriter out = cli.out();
      for (MaintenanceResult result : results) {
        printText(result, out);
      }
      if (dryRun) {
        out.println("Dry run: nothing was changed.");
      }
      out.flush();
    }
    long failed = results.stream().filter(MaintenanceResult::failed).count();
    if (failed > 0) {
      cli.err()
          .println(
              "error: maintenance of "
                  + failed
                  + (failed == 1 ? " table" : " tables")
                  + " failed; what failed changed nothing");
      return 1;
    }
    return 0;
  }

  private void printText(MaintenanceResult result, PrintWriter out) {
    out.println(result.table());
    if (result.error().isPresent()) {
      out.println("  not maintained: " + result.error().get());
      out.println();
      return;
    }
    MaintenancePlan plan = result.plan().orElseThrow();
    out.println("  before  " + facts(plan.before()));
    int width = 0;
    for (PlannedAction action : plan.actions()) {
      width = Math.max(width, action.action().label().length());
    }
    for (PlannedAction action : plan.actions()) {
      String label = action.action().label();
      out.println(
          "  "
              + label
              + " ".repeat(width - label.length())
              + "  "
              + status(action)
              + "  "
              + action.reason());
      for (ActionOutcome outcome : result.outcomes()) {
        if (outcome.planned().action() == action.action()) {
          out.println(
              "  "
                  + " ".repeat(width + 2)
                  + (outcome.error().isPresent()
                      ? "FAILED: " + outcome.error().get()
                      : "-> "
                          + outcome.result()
                          + " in "
                          + Values.seconds(outcome.took().toNanos())));
        }
      }
    }
    result.after().ifPresent(after -> out.println("  after   " + facts(after)));
    out.println();
  }

  /** run, skip or would run, padded so the reasons line up. */
  private String status(PlannedAction action) {
    String status = action.run() ? (dryRun ? "would run" : "run") : "skip";
    int width = dryRun ? "would run".length() : "skip".length();
    return status + " ".repeat(width - status.length());
  }

  private static String facts(TableMetrics m) {
    return m.rows()
        + " rows, "
        + m.dataFiles()
        + " data files ("
        + m.smallFiles()
        + " small, "
        + Values.bytes(m.dataBytes())
        + "), "
        + m.deleteFiles()
        + " delete files, "
        + m.dataManifests()
        + " manifests, "
        + m.snapshots()
        + " snapshots";
  }

  private Map<String, Object> json(MaintenanceResult result) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("table", result.table());
    object.put("dry_run", dryRun);
    object.put("error", result.error().orElse(null));
    object.put(
        "before", result.plan().map(plan -> MetricsCommand.json(plan.before())).orElse(null));
    List<Map<String, Object>> actions = new ArrayList<>();
    for (PlannedAction action : result.plan().map(MaintenancePlan::actions).orElse(List.of())) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("action", action.action().id());
      entry.put("run", action.run());
      entry.put("reason", action.reason());
      if (action.run() && action.action() == io.lagoa.maintenance.MaintenanceAction.COMPACT_DATA) {
        entry.put("strategy", action.strategy().id());
        entry.put("columns", action.columns());
        entry.put("apply_deletes", action.applyDeletes());
      }
      for (ActionOutcome outcome : result.outcomes()) {
        if (outcome.planned().action() == action.action()) {
          entry.put("result", outcome.error().isPresent() ? null : outcome.result());
          entry.put("error", outcome.error().orElse(null));
          entry.put("seconds", outcome.took().toMillis() / 1000.0);
        }
      }
      actions.add(entry);
    }
    object.put("actions", actions);
    object.put("after", result.after().map(MetricsCommand::json).orElse(null));
    return object;
  }

  /** An age the way people read it: 45s, 12m, 3h 5m, 2d 4h. */
  static String duration(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 86_400) {
      return seconds / 3600 + "h " + (seconds % 3600) / 60 + "m";
    }
    return seconds / 86_400 + "d " + (seconds % 86_400) / 3600 + "h";
  }
}

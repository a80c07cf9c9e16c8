package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.maintenance.MetricsOccasion;
import io.lagoa.maintenance.MetricsSample;
import io.lagoa.maintenance.TableMetrics;
import io.lagoa.service.MaintenanceService;
import io.lagoa.table.TableNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

/** {@code lagoa metrics}: table health from metadata, and its recorded history. */
@Command(
    name = "metrics",
    description = {
      "Health of a table or of every table: rows, size, data files (average size, small ones),",
      "partitions, snapshots, delete files, manifests, the oldest snapshot's and last commit's",
      "age, bytes added in the last 24 hours. Reads metadata only (no Spark) unless --record",
      "appends the figures to lagoa_system.table_metrics. 'lagoa metrics history TABLE' shows",
      "what was recorded (by --record and by every lagoa maintain)."
    },
    mixinStandardHelpOptions = true,
    subcommands = {MetricsCommand.History.class})
final class MetricsCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(arity = "0..1", paramLabel = "TABLE", description = "The table, e.g. silver.orders.")
  String table;

  @Option(names = "--all", description = "Every table of the catalog.")
  boolean all;

  @Option(
      names = "--record",
      description = "Also append the figures to lagoa_system.table_metrics (starts Spark).")
  boolean record;

  @Mixin OutputOptions output;

  MetricsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Optional<TableIdentifier> one = selection(table, all, "lagoa metrics");
    MaintenanceService service = new MaintenanceService(cli.lakehouse());
    List<TableMetrics> metrics = service.metrics(service.tables(one));
    if (record) {
      service.record(metrics, MetricsOccasion.COLLECT);
    }
    print(metrics);
    if (record) {
      cli.err()
          .println(
              "Recorded "
                  + metrics.size()
                  + (metrics.size() == 1 ? " table" : " tables")
                  + " in lagoa_system.table_metrics");
    }
    return 0;
  }

  /** TABLE or --all, exactly one of them. */
  static Optional<TableIdentifier> selection(String table, boolean all, String command) {
    if (table != null && all) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          command + ": name a table or --all, not both (got " + table + " and --all)");
    }
    if (table == null && !all) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          command + ": name a table (e.g. " + command + " silver.orders) or give --all");
    }
    return table == null ? Optional.empty() : Optional.of(TableNames.parse(table));
  }

  private void print(List<TableMetrics> metrics) {
    OutputFormat format = output.format();
    if (format == OutputFormat.JSON) {
      List<Map<String, Object>> objects = new ArrayList<>();
      metrics.forEach(m -> objects.add(json(m)));
      JsonDocument.print(
          table != null && objects.size() == 1 ? objects.get(0) : objects, cli.out());
      return;
    }
    boolean human = format == OutputFormat.TABLE;
    cli.printer().print(columns(human, false), rows(metrics, List.of(), human), format, cli.out());
    if (metrics.isEmpty()) {
      cli.err().println("No tables yet");
    }
  }

  static List<String> columns(boolean human, boolean history) {
    List<String> columns = new ArrayList<>();
    if (history) {
      columns.addAll(List.of("collected_at", "occasion"));
    } else {
      columns.add("table");
    }
    columns.addAll(
        List.of(
            "rows",
            human ? "size" : "data_bytes",
            "files",
            human ? "avg_file" : "avg_file_bytes",
            "small_files",
            "partitions",
            "snapshots",
            "position_deletes",
            "equality_deletes",
            "manifests",
            human ? "oldest_snapshot" : "oldest_snapshot_age_seconds",
            human ? "last_commit" : "last_commit_age_seconds",
            human ? "added_24h" : "bytes_added_last_day"));
    return columns;
  }

  /** One row per metrics; with occasions (history), the time and occasion first. */
  static List<List<Object>> rows(
      List<TableMetrics> metrics, List<MetricsOccasion> occasions, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < metrics.size(); i++) {
      TableMetrics m = metrics.get(i);
      List<Object> row = new ArrayList<>();
      if (occasions.isEmpty()) {
        row.add(m.table());
      } else {
        row.add(m.collectedAt());
        row.add(occasions.get(i).id());
      }
      row.addAll(
          Arrays.asList(
              m.rows(),
              human ? Values.bytes(m.dataBytes()) : m.dataBytes(),
              m.dataFiles(),
              human ? Values.bytes(m.averageFileBytes()) : m.averageFileBytes(),
              m.smallFiles(),
              m.partitions(),
              m.snapshots(),
              m.positionDeleteFiles(),
              m.equalityDeleteFiles(),
              m.dataManifests(),
              age(m.oldestSnapshotAge(), human),
              age(m.lastCommitAge(), human),
              human ? Values.bytes(m.bytesAddedLastDay()) : m.bytesAddedLastDay()));
      rows.add(row);
    }
    return rows;
  }

  private static Object age(Optional<Duration> age, boolean human) {
    if (age.isEmpty()) {
      return human ? "" : null;
    }
    return human ? MaintainCommand.duration(age.get()) : age.get().toSeconds();
  }

  static Map<String, Object> json(TableMetrics m) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("table", m.table());
    object.put("collected_at", m.collectedAt());
    object.put("snapshot_id", m.snapshotId().isPresent() ? m.snapshotId().getAsLong() : null);
    object.put("rows", m.rows());
    object.put("data_bytes", m.dataBytes());
    object.put("data_files", m.dataFiles());
    object.put("avg_file_bytes", m.averageFileBytes());
    object.put("small_files", m.smallFiles());
    object.put("small_file_size_bytes", m.smallFileSizeBytes());
    object.put("partitions", m.partitions());
    object.put("snapshots", m.snapshots());
    object.put("position_delete_files", m.positionDeleteFiles());
    object.put("equality_delete_files", m.equalityDeleteFiles());
    object.put("data_manifests", m.dataManifests());
    object.put("delete_manifests", m.deleteManifests());
    object.put("metadata_bytes", m.metadataBytes());
    object.put(
        "oldest_snapshot_age_seconds", m.oldestSnapshotAge().map(Duration::toSeconds).orElse(null));
    object.put("last_commit_age_seconds", m.lastCommitAge().map(Duration::toSeconds).orElse(null));
    object.put("bytes_added_last_day", m.bytesAddedLastDay());
    return object;
  }

  @Command(
      name = "history",
      description = {
        "The recorded metrics of a table, oldest first: one row per 'lagoa metrics --record'",
        "and two per 'lagoa maintain' that did something (before and after). Starts Spark."
      },
      mixinStandardHelpOptions = true)
  static final class History implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TABLE", description = "The table, e.g. silver.orders.")
    String table;

    @Mixin OutputOptions output;

    History(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      List<MetricsSample> samples =
          new MaintenanceService(cli.lakehouse()).history(TableNames.parse(table));
      if (output.format() == OutputFormat.JSON) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (MetricsSample sample : samples) {
          Map<String, Object> object = json(sample.metrics());
          object.put("occasion", sample.occasion().id());
          objects.add(object);
        }
        JsonDocument.print(objects, cli.out());
      } else {
        boolean human = output.format() == OutputFormat.TABLE;
        List<TableMetrics> metrics = samples.stream().map(MetricsSample::metrics).toList();
        List<MetricsOccasion> occasions = samples.stream().map(MetricsSample::occasion).toList();
        cli.printer()
            .print(
                columns(human, true), rows(metrics, occasions, human), output.format(), cli.out());
      }
      if (samples.isEmpty()) {
        cli.err()
            .println(
                "Nothing recorded for "
                    + table
                    + " yet: lagoa metrics "
                    + table
                    + " --record or lagoa maintain "
                    + table
                    + " records its metrics");
      }
      return 0;
    }
  }
}

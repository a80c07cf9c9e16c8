package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.service.TableService;
import io.lagoa.table.ColumnInfo;
import io.lagoa.table.PointInTime;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.SnapshotStatus;
import io.lagoa.table.TableDescription;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lagoa table show|history|rollback}: one table's metadata, read without Spark. */
@Command(
    name = "table",
    description =
        "Inspect one table, set its properties, or roll it back to an earlier snapshot (no Spark"
            + " needed).",
    mixinStandardHelpOptions = true,
    subcommands = {
      TableCommand.Show.class,
      TableCommand.History.class,
      TableCommand.Rollback.class,
      TableCommand.SetProperties.class
    })
final class TableCommand extends CommandGroup {
  TableCommand(Cli cli) {
    super(cli);
  }

  @Command(
      name = "show",
      description = {
        "Schema, identifier columns, partitioning, sort order, properties, location, format",
        "version, current snapshot and size of a table. --format csv prints the schema only;",
        "--json prints everything as one object."
      },
      mixinStandardHelpOptions = true)
  static final class Show implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TABLE", description = "The table, e.g. silver.customers.")
    String table;

    @Mixin OutputOptions output;

    Show(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      TableDescription description =
          new TableService(cli.lakehouse()).describe(TableNames.parse(table));
      switch (output.format()) {
        case JSON -> JsonDocument.print(json(description), cli.out());
        case CSV ->
            cli.printer()
                .print(
                    schemaColumns(), schemaRows(description, false), OutputFormat.CSV, cli.out());
        case TABLE -> printText(description, cli.out(), ZoneId.systemDefault());
      }
      return 0;
    }

    private static List<String> schemaColumns() {
      return List.of("field_id", "name", "type", "required", "doc");
    }

    private static List<List<Object>> schemaRows(TableDescription description, boolean human) {
      List<List<Object>> rows = new ArrayList<>();
      for (ColumnInfo column : description.columns()) {
        rows.add(
            Arrays.asList(
                column.fieldId(),
                column.name(),
                column.type(),
                human ? (column.required() ? "yes" : "no") : column.required(),
                column.doc() == null ? (human ? "" : null) : column.doc()));
      }
      return rows;
    }

    private static void printText(TableDescription description, PrintWriter out, ZoneId zone) {
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put("Table", description.name());
      facts.put("Location", description.location());
      facts.put("Format", "Iceberg v" + description.formatVersion());
      facts.put(
          "Current snapshot",
          description
              .currentSnapshot()
              .map(
                  snapshot ->
                      snapshot.snapshotId()
                          + " ("
                          + snapshot.operation()
                          + ", "
                          + Values.toText(snapshot.committedAt(), zone)
                          + ")")
              .orElse("none (nothing written yet)"));
      facts.put("Snapshots", Integer.toString(description.snapshotCount()));
      facts.put(
          "Last updated",
          description.lastUpdated().map(time -> Values.toText(time, zone)).orElse(""));
      facts.put("Rows", Long.toString(description.rows()));
      facts.put("Data files", Long.toString(description.dataFiles()));
      facts.put("Delete files", Long.toString(description.deleteFiles()));
      facts.put(
          "Size",
          Values.bytes(description.totalBytes()) + " (" + description.totalBytes() + " bytes)");
      printFacts(facts, out);

      out.println();
      out.println("Schema");
      List<List<Object>> rows = schemaRows(description, true);
      List<String> header = List.of("id", "name", "type", "required", "doc");
      printAligned(header, rows, out);

      out.println();
      Map<String, String> layout = new LinkedHashMap<>();
      layout.put(
          "Identifier columns",
          description.identifierColumns().isEmpty()
              ? "none"
              : String.join(", ", description.identifierColumns()));
      layout.put("Partitioned by", description.partitionSpec());
      layout.put("Sort order", description.sortOrder());
      printFacts(layout, out);

      out.println();
      out.println("Properties");
      if (description.properties().isEmpty()) {
        out.println("  none");
      } else {
        List<List<Object>> properties = new ArrayList<>();
        description.properties().forEach((key, value) -> properties.add(List.of(key, value)));
        printAligned(null, properties, out);
      }
      out.flush();
    }

    private static Map<String, Object> json(TableDescription description) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("table", description.name());
      object.put("location", description.location());
      object.put("format_version", description.formatVersion());
      List<Map<String, Object>> columns = new ArrayList<>();
      for (ColumnInfo column : description.columns()) {
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("field_id", column.fieldId());
        field.put("name", column.name());
        field.put("type", column.type());
        field.put("required", column.required());
        field.put("doc", column.doc());
        columns.add(field);
      }
      object.put("columns", columns);
      object.put("identifier_columns", description.identifierColumns());
      object.put("partition_spec", description.partitionSpec());
      object.put("sort_order", description.sortOrder());
      object.put("properties", description.properties());
      object.put(
          "current_snapshot", description.currentSnapshot().map(Show::snapshot).orElse(null));
      object.put("snapshots", description.snapshotCount());
      object.put("rows", description.rows());
      object.put("data_files", description.dataFiles());
      object.put("delete_files", description.deleteFiles());
      object.put("size_bytes", description.totalBytes());
      object.put("last_updated", description.lastUpdated().orElse(null));
      return object;
    }

    private static Map<String, Object> snapshot(SnapshotEntry snapshot) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("snapshot_id", snapshot.snapshotId());
      object.put(
          "parent_id", snapshot.parentId().isPresent() ? snapshot.parentId().getAsLong() : null);
      object.put("committed_at", snapshot.committedAt());
      object.put("operation", snapshot.operation());
      object.put("summary", new TreeMap<>(snapshot.summary()));
      return object;
    }
  }

  @Command(
      name = "history",
      description = {
        "The snapshots of a table, newest first: what each commit did and how many rows it left.",
        "status marks the current snapshot and the ones no longer in its history: 'rolled back'",
        "(left behind by a rollback) or 'replaced' (the table was replaced after them, as a",
        "pipeline does with every materialized view); csv and json also have the booleans",
        "current and in_current_lineage, and status 'ancestor' for the current snapshot's history."
      },
      mixinStandardHelpOptions = true)
  static final class History implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TABLE", description = "The table, e.g. silver.customers.")
    String table;

    @Mixin OutputOptions output;

    History(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      List<SnapshotEntry> history =
          new TableService(cli.lakehouse()).history(TableNames.parse(table));
      boolean human = output.format() == OutputFormat.TABLE;
      List<String> columns =
          new ArrayList<>(
              List.of(
                  "snapshot_id",
                  "parent_id",
                  "committed_at",
                  "operation",
                  "added_records",
                  "deleted_records",
                  "total_records"));
      if (human) {
        columns.add("status");
      } else {
        columns.addAll(List.of("current", "in_current_lineage", "status"));
      }
      List<List<Object>> rows = new ArrayList<>();
      for (SnapshotEntry snapshot : history) {
        List<Object> row =
            new ArrayList<>(
                Arrays.asList(
                    snapshot.snapshotId(),
                    snapshot.parentId().isPresent()
                        ? (Object) snapshot.parentId().getAsLong()
                        : (human ? "" : null),
                    snapshot.committedAt(),
                    snapshot.operation(),
                    snapshot.addedRecords(),
                    snapshot.deletedRecords(),
                    snapshot.totalRecords()));
        if (human) {
          row.add(snapshot.status() == SnapshotStatus.ANCESTOR ? "" : snapshot.status().label());
        } else {
          row.add(snapshot.current());
          row.add(snapshot.inCurrentLineage());
          row.add(snapshot.status().label());
        }
        rows.add(row);
      }
      cli.printer().print(columns, rows, output.format(), cli.out());
      if (history.isEmpty()) {
        cli.err().println(table + " has no snapshots yet: nothing has been written to it");
      }
      return 0;
    }
  }

  @Command(
      name = "rollback",
      description = {
        "Make an earlier state of a table current again. The data of later snapshots is kept,",
        "so a rollback can be undone with --to <the snapshot that was current before>.",
        "A time picks the snapshot that was current at that time."
      },
      mixinStandardHelpOptions = true)
  static final class Rollback implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TABLE", description = "The table, e.g. silver.customers.")
    String table;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "SNAPSHOT|TIME",
        description = {
          "A snapshot id (see lagoa table history), or a time: 2026-11-25T10:15:30Z,",
          "'2026-11-25 10:15:30' (local time) or 2026-11-25 (local midnight)."
        })
    String to;

    @Mixin OutputOptions output;

    Rollback(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      PointInTime target = PointInTime.parse(to, "--to", ZoneId.systemDefault());
      TableInspector.RollbackResult result =
          new TableService(cli.lakehouse()).rollback(TableNames.parse(table), target);
      SnapshotEntry from = result.from();
      SnapshotEntry after = result.to();
      String undo = "lagoa table rollback " + result.table() + " --to " + from.snapshotId();
      switch (output.format()) {
        case JSON -> {
          Map<String, Object> object = new LinkedHashMap<>();
          object.put("table", result.table());
          object.put("changed", result.changed());
          object.put("from_snapshot_id", from.snapshotId());
          object.put("from_committed_at", from.committedAt());
          object.put("rows_before", from.totalRecords());
          object.put("to_snapshot_id", after.snapshotId());
          object.put("to_committed_at", after.committedAt());
          object.put("rows_after", after.totalRecords());
          object.put("undo", result.changed() ? undo : null);
          JsonDocument.print(object, cli.out());
        }
        case CSV ->
            cli.printer()
                .print(
                    List.of(
                        "table",
                        "changed",
                        "from_snapshot_id",
                        "to_snapshot_id",
                        "rows_before",
                        "rows_after"),
                    List.of(
                        List.of(
                            result.table(),
                            result.changed(),
                            from.snapshotId(),
                            after.snapshotId(),
                            from.totalRecords(),
                            after.totalRecords())),
                    OutputFormat.CSV,
                    cli.out());
        case TABLE -> {
          ZoneId zone = ZoneId.systemDefault();
          PrintWriter out = cli.out();
          if (result.changed()) {
            out.println("Rolled back " + result.table());
            out.println("  from snapshot " + describe(from, zone));
            out.println("  to   snapshot " + describe(after, zone));
          } else {
            out.println(
                result.table()
                    + " is already at snapshot "
                    + describe(after, zone)
                    + "; nothing changed");
          }
          out.flush();
        }
      }
      if (result.changed()) {
        cli.err().println("Undo with: " + undo);
      }
      return 0;
    }

    private static String describe(SnapshotEntry snapshot, ZoneId zone) {
      long rows = snapshot.totalRecords();
      return snapshot.snapshotId()
          + " (committed "
          + Values.toText(snapshot.committedAt(), zone)
          + ", "
          + rows
          + (rows == 1 ? " row)" : " rows)");
    }
  }

  @Command(
      name = "set",
      description = {
        "Set table properties, e.g. the maintenance policy:",
        "  lagoa table set silver.orders lagoa.maintenance.snapshot-retention=2d",
        "lagoa.maintenance.* values are checked first (docs/maintenance.md lists them); a wrong",
        "one changes nothing. ALTER TABLE ... SET TBLPROPERTIES does the same in SQL."
      },
      mixinStandardHelpOptions = true)
  static final class SetProperties implements Callable<Integer> {
    private final Cli cli;

    @Parameters(index = "0", paramLabel = "TABLE", description = "The table, e.g. silver.orders.")
    String table;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "KEY=VALUE",
        description = "The properties to set.")
    List<String> assignments;

    SetProperties(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Map<String, String> values = new LinkedHashMap<>();
      for (String assignment : assignments) {
        int equals = assignment.indexOf('=');
        if (equals <= 0) {
          throw new io.lagoa.error.LagoaException(
              io.lagoa.error.ErrorCode.INVALID_ARGUMENT,
              "lagoa table set: expected KEY=VALUE, e.g."
                  + " lagoa.maintenance.snapshot-retention=2d, but got '"
                  + assignment
                  + "'");
        }
        values.put(
            assignment.substring(0, equals).strip(), assignment.substring(equals + 1).strip());
      }
      Map<String, String> properties =
          new io.lagoa.service.MaintenanceService(cli.lakehouse())
              .setProperties(TableNames.parse(table), values);
      PrintWriter out = cli.out();
      values.keySet().forEach(key -> out.println(key + " = " + properties.get(key)));
      out.flush();
      return 0;
    }
  }

  /** {@code key value} lines, keys padded to one width. */
  private static void printFacts(Map<String, String> facts, PrintWriter out) {
    int width = facts.keySet().stream().mapToInt(String::length).max().orElse(0);
    facts.forEach(
        (key, value) ->
            out.println((key + " ".repeat(width - key.length()) + "  " + value).stripTrailing()));
  }

  /** Indented, aligned columns with an optional header, for sections of {@code table show}. */
  private static void printAligned(List<String> header, List<List<Object>> rows, PrintWriter out) {
    int count = header != null ? header.size() : rows.isEmpty() ? 0 : rows.get(0).size();
    int[] widths = new int[count];
    List<List<String>> lines = new ArrayList<>();
    if (header != null) {
      lines.add(header);
    }
    for (List<Object> row : rows) {
      List<String> cells = new ArrayList<>();
      for (Object value : row) {
        cells.add(value == null ? "" : String.valueOf(value));
      }
      lines.add(cells);
    }
    for (List<String> line : lines) {
      for (int i = 0; i < count; i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    for (List<String> line : lines) {
      StringBuilder text = new StringBuilder("  ");
      for (int i = 0; i < count; i++) {
        String cell = line.get(i);
        text.append(i == 0 ? "" : "  ").append(cell).append(" ".repeat(widths[i] - cell.length()));
      }
      out.println(text.toString().stripTrailing());
    }
  }
}

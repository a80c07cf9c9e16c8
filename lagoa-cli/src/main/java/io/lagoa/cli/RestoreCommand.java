package io.lagoa.cli;

import io.lagoa.backup.PlannedRestore;
import io.lagoa.backup.RestoreRequest;
import io.lagoa.backup.RestoredTable;
import io.lagoa.backup.Restorer;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.BackupService;
import io.lagoa.table.PointInTime;
import io.lagoa.table.TableNames;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
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

/** {@code lagoa restore}: tables back from a backup, or to a point in time. */
@Command(
    name = "restore",
    description = {
      "Restore one table or every table from a backup location into the catalog: from the",
      "newest backup (or --backup), under its own name or --as a new one (files copied to the",
      "new table's location, paths rewritten), or to the latest state at or before --at, from",
      "the backups and the live table's retained snapshots. A table that exists is replaced",
      "only with --force, in one commit; a failed restore leaves it as it was. See",
      "docs/backup.md."
    },
    mixinStandardHelpOptions = true)
final class RestoreCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin BackupCommand.From from;

  @Option(names = "--backup", paramLabel = "ID", description = "The backup (default: newest).")
  String backup;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Restore this table only (repeat for several). Default: every table.")
  List<String> tables;

  @Option(names = "--as", paramLabel = "NAME", description = "Restore the one table as NAME.")
  String as;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description = "Each table's latest state at or before TIME, e.g. 2026-12-01T10:15:00Z.")
  String at;

  @Option(names = "--force", description = "Replace tables that exist.")
  boolean force;

  @Option(names = "--dry-run", description = "Print what would be restored; change nothing.")
  boolean dryRun;

  @Mixin OutputOptions output;

  RestoreCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Optional<Instant> time = Optional.empty();
    if (at != null) {
      PointInTime point = PointInTime.parse(at, "--at", ZoneId.systemDefault());
      if (point.isSnapshot()) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "--at: expected a time such as 2026-11-25T10:15:30Z, but got the number '" + at + "'");
      }
      time = point.time();
    }
    Optional<TableIdentifier> newName = Optional.ofNullable(as).map(TableNames::parse);
    RestoreRequest request =
        new RestoreRequest(
            Optional.ofNullable(backup), BackupCommand.tables(tables), newName, time, force);
    String location = from.location(cli);
    BackupService service = new BackupService(cli.lakehouse());
    Restorer.Plan plan = service.planRestore(location, request);
    List<RestoredTable> restored = new ArrayList<>();
    long started = System.nanoTime();
    if (!dryRun) {
      try (BackupProgress progress =
          BackupProgress.on(cli.err(), cli.env(), output.format() == OutputFormat.JSON)) {
        restored = service.restore(location, plan, progress);
      }
    }
    long took = System.nanoTime() - started;
    if (output.format() == OutputFormat.JSON) {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (PlannedRestore planned : plan.tables()) {
        Map<String, Object> json = json(planned);
        json.put("dry_run", dryRun);
        for (RestoredTable done : restored) {
          if (done.plan().target().equals(planned.target())) {
            json.put("copied_files", done.copiedFiles());
            json.put("copied_bytes", done.copiedBytes());
            json.put("metadata_file", done.metadataFile());
          }
        }
        objects.add(json);
      }
      JsonDocument.print(objects, cli.out());
    } else {
      PrintWriter out = cli.out();
      for (PlannedRestore planned : plan.tables()) {
        out.println("  " + describe(planned));
      }
      if (dryRun) {
        out.println("Dry run: nothing was changed.");
      } else {
        long files = restored.stream().mapToLong(RestoredTable::copiedFiles).sum();
        long bytes = restored.stream().mapToLong(RestoredTable::copiedBytes).sum();
        out.println(
            "restored "
                + restored.size()
                + (restored.size() == 1 ? " table" : " tables")
                + ", copied "
                + files
                + " files ("
                + Values.bytes(bytes)
                + ") in "
                + Values.seconds(took));
      }
    }
    return 0;
  }

  private static String describe(PlannedRestore planned) {
    String source =
        planned.backupId().map(id -> "backup " + id).orElse("its own retained snapshot");
    String snapshot =
        planned.snapshotId() == null
            ? "no snapshot"
            : "snapshot "
                + planned.snapshotId()
                + " of "
                + Instant.ofEpochMilli(planned.snapshotTimestampMillis());
    return planned.table()
        + (planned.target().toString().equals(planned.table()) ? "" : " as " + planned.target())
        + " <- "
        + source
        + ", "
        + snapshot
        + (planned.replaces() ? " (replaces the live table)" : "")
        + (planned.relocated() ? " (to " + planned.targetLocation() + ")" : "");
  }

  private static Map<String, Object> json(PlannedRestore planned) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("table", planned.table());
    json.put("target", planned.target().toString());
    json.put("backup", planned.backupId().orElse(null));
    json.put("snapshot_id", planned.snapshotId());
    json.put(
        "snapshot_time",
        planned.snapshotTimestampMillis() == null
            ? null
            : Instant.ofEpochMilli(planned.snapshotTimestampMillis()).toString());
    json.put("replaces", planned.replaces());
    json.put("relocated", planned.relocated());
    json.put("location", planned.targetLocation());
    return json;
  }
}

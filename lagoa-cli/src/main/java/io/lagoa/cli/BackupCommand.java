package io.lagoa.cli;

import io.lagoa.backup.BackupManifest;
import io.lagoa.backup.BackupResult;
import io.lagoa.backup.RotationPlan;
import io.lagoa.backup.RotationPolicy;
import io.lagoa.backup.VerifyReport;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.service.BackupService;
import io.lagoa.table.TableNames;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lagoa backup create|list|verify|rotate}: incremental backups of the tables. */
@Command(
    name = "backup",
    description = {
      "Incremental backups of every table (lagoa_system's too) to a folder or an S3 location:",
      "each backup copies only the files earlier ones do not hold, and its manifest names every",
      "file with its size and CRC32C. Restore with lagoa restore. See docs/backup.md."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      BackupCommand.Create.class,
      BackupCommand.ListBackups.class,
      BackupCommand.Verify.class,
      BackupCommand.Rotate.class
    })
final class BackupCommand extends CommandGroup {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  BackupCommand(Cli cli) {
    super(cli);
  }

  /** A location as given: a URL (s3://, file:) as it is, a path against the current folder. */
  static String location(Cli cli, String value) {
    return SCHEME.matcher(value).matches() ? value : cli.resolve(value).toString();
  }

  /** The {@code --from} option of the commands that read backups: where they are. */
  static final class From {
    @Option(
        names = "--from",
        required = true,
        paramLabel = "LOCATION",
        description = "The backup location: a folder, or s3://bucket/prefix.")
    String value;

    String location(Cli cli) {
      return BackupCommand.location(cli, value);
    }
  }

  static List<TableIdentifier> tables(List<String> names) {
    List<TableIdentifier> tables = new ArrayList<>();
    if (names != null) {
      names.forEach(name -> tables.add(TableNames.parse(name)));
    }
    return tables;
  }

  @Command(
      name = "create",
      description = {
        "Back up every table, or those named, to a location. Only files no earlier backup in",
        "the location holds are copied. Each table's current state is pinned first, so",
        "backing up while pipelines commit is safe. Prints one line (--json: an object);",
        "exits 0 when the backup was written, 1 when it failed (then no backup is listed)."
      },
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    private final Cli cli;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "LOCATION",
        description = "Where backups go: a folder, or s3://bucket/prefix (storage.s3.* apply).")
    String to;

    @Option(
        names = "--table",
        paramLabel = "TABLE",
        description = "Back up this table only (repeat for several). Default: every table.")
    List<String> tables;

    @Mixin OutputOptions output;

    Create(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      String location = location(cli, to);
      BackupResult result;
      try (BackupProgress progress =
          BackupProgress.on(cli.err(), cli.env(), output.format() == OutputFormat.JSON)) {
        result = new BackupService(cli.lakehouse()).create(location, tables(tables), progress);
      }
      BackupManifest manifest = result.manifest();
      if (output.format() == OutputFormat.JSON) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", manifest.id());
        json.put("location", location);
        json.put("tables", manifest.tables().size());
        json.put("files", manifest.files());
        json.put("bytes", manifest.bytes());
        json.put("copied_files", manifest.copiedFiles());
        json.put("copied_bytes", manifest.copiedBytes());
        json.put("reused_files", result.reusedFiles());
        json.put("reused_bytes", result.reusedBytes());
        json.put("seconds", result.took().toMillis() / 1000.0);
        json.put("dropped_meanwhile", result.dropped());
        JsonDocument.print(json, cli.out());
      } else {
        cli.out()
            .println(
                "backup "
                    + manifest.id()
                    + ": "
                    + manifest.tables().size()
                    + (manifest.tables().size() == 1 ? " table, " : " tables, ")
                    + manifest.files()
                    + " files ("
                    + Values.bytes(manifest.bytes())
                    + "), copied "
                    + manifest.copiedFiles()
                    + " ("
                    + Values.bytes(manifest.copiedBytes())
                    + "), "
                    + result.reusedFiles()
                    + " already backed up, in "
                    + Values.seconds(result.took().toNanos())
                    + " -> "
                    + location
                    + (result.dropped().isEmpty()
                        ? ""
                        : "; dropped meanwhile: " + String.join(", ", result.dropped())));
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      description = "The backups in a location, oldest first.",
      mixinStandardHelpOptions = true)
  static final class ListBackups implements Callable<Integer> {
    private final Cli cli;

    @Mixin From from;

    @Mixin OutputOptions output;

    ListBackups(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      List<String> unreadable = new ArrayList<>();
      List<BackupManifest> backups =
          new BackupService(cli.lakehouse()).list(from.location(cli), unreadable);
      List<String> columns =
          List.of("id", "started", "seconds", "tables", "files", "bytes", "copied_bytes");
      List<List<Object>> rows = new ArrayList<>();
      boolean human = output.format() == OutputFormat.TABLE;
      for (BackupManifest backup : backups) {
        long seconds = Duration.between(backup.started(), backup.completed()).toSeconds();
        rows.add(
            List.<Object>of(
                backup.id(),
                human
                    ? Values.toText(backup.started(), ZoneId.systemDefault())
                    : backup.startedAt(),
                seconds,
                backup.tables().size(),
                backup.files(),
                human ? Values.bytes(backup.bytes()) : backup.bytes(),
                human ? Values.bytes(backup.copiedBytes()) : backup.copiedBytes()));
      }
      if (output.format() == OutputFormat.JSON) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (List<Object> row : rows) {
          Map<String, Object> object = new LinkedHashMap<>();
          for (int i = 0; i < columns.size(); i++) {
            object.put(columns.get(i), row.get(i));
          }
          objects.add(object);
        }
        JsonDocument.print(objects, cli.out());
      } else {
        cli.printer().print(columns, rows, output.format(), cli.out());
      }
      for (String problem : unreadable) {
        cli.err().println("warning: " + problem + "; it is not listed");
      }
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = {
        "Check a backup (the newest by default): every file is there with its size and",
        "CRC32C, and every table opens from the backup's copies and reads to the end. Names",
        "each damaged or missing file; exits 1 when anything is wrong."
      },
      mixinStandardHelpOptions = true)
  static final class Verify implements Callable<Integer> {
    private final Cli cli;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "The backup (default: newest).")
    String id;

    @Mixin From from;

    @Mixin OutputOptions output;

    Verify(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      VerifyReport report;
      try (BackupProgress progress =
          BackupProgress.on(cli.err(), cli.env(), output.format() == OutputFormat.JSON)) {
        report =
            new BackupService(cli.lakehouse())
                .verify(from.location(cli), Optional.ofNullable(id), progress);
      }
      if (output.format() == OutputFormat.JSON) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", report.backupId());
        json.put("ok", report.ok());
        json.put("files_checked", report.filesChecked());
        json.put("bytes_checked", report.bytesChecked());
        List<Map<String, Object>> tables = new ArrayList<>();
        for (VerifyReport.TableCheck check : report.tables()) {
          Map<String, Object> table = new LinkedHashMap<>();
          table.put("table", check.table());
          table.put("rows", check.error() == null ? check.rows() : null);
          table.put("error", check.error());
          tables.add(table);
        }
        json.put("tables", tables);
        json.put("problems", report.problems());
        JsonDocument.print(json, cli.out());
      } else {
        PrintWriter out = cli.out();
        for (VerifyReport.TableCheck check : report.tables()) {
          out.println(
              "  "
                  + check.table()
                  + "  "
                  + (check.error() == null
                      ? check.rows() + " rows read"
                      : "FAILED: " + check.error()));
        }
        for (String problem : report.problems()) {
          out.println("  problem: " + problem);
        }
        out.println(
            "backup "
                + report.backupId()
                + ": "
                + (report.ok() ? "ok" : report.problems().size() + " problems")
                + ", "
                + report.filesChecked()
                + " files ("
                + Values.bytes(report.bytesChecked())
                + ") checked, "
                + report.tables().size()
                + " tables read");
      }
      if (!report.ok()) {
        cli.err()
            .println("error: backup " + report.backupId() + " is damaged; see the problems above");
        return 1;
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      description = {
        "Remove the backups a policy does not keep, and the files only they need (a file a",
        "kept backup needs is never removed). The newest backup is always kept. Days and weeks",
        "are UTC; weeks are ISO weeks."
      },
      mixinStandardHelpOptions = true)
  static final class Rotate implements Callable<Integer> {
    private final Cli cli;

    @Mixin From from;

    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the newest N backups.")
    int last;

    @Option(
        names = "--keep-daily",
        paramLabel = "N",
        description = "Keep the newest backup of each of the last N days that have one.")
    int daily;

    @Option(
        names = "--keep-weekly",
        paramLabel = "N",
        description = "Keep the newest backup of each of the last N weeks that have one.")
    int weekly;

    @Option(
        names = "--keep-monthly",
        paramLabel = "N",
        description = "Keep the newest backup of each of the last N months that have one.")
    int monthly;

    @Option(names = "--dry-run", description = "Print what would be removed; remove nothing.")
    boolean dryRun;

    @Mixin OutputOptions output;

    Rotate(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      RotationPolicy policy = new RotationPolicy(last, daily, weekly, monthly);
      RotationPlan plan =
          new BackupService(cli.lakehouse()).rotate(from.location(cli), policy, !dryRun);
      if (output.format() == OutputFormat.JSON) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dry_run", dryRun);
        json.put("kept", plan.kept());
        json.put("removed", plan.removed());
        json.put("removed_files", plan.files().size());
        json.put("removed_bytes", plan.bytes());
        JsonDocument.print(json, cli.out());
      } else {
        PrintWriter out = cli.out();
        plan.kept().forEach((id, why) -> out.println("  keep    " + id + "  (" + why + ")"));
        plan.removed()
            .forEach(id -> out.println("  " + (dryRun ? "would remove " : "remove  ") + id));
        out.println(
            (dryRun ? "Dry run: would remove " : "Removed ")
                + plan.removed().size()
                + " backups and "
                + plan.files().size()
                + " files no kept backup needs ("
                + Values.bytes(plan.bytes())
                + "); kept "
                + plan.kept().size()
                + " backups.");
      }
      return 0;
    }
  }
}

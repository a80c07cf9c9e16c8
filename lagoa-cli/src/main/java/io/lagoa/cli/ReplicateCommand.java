package io.lagoa.cli;

import io.lagoa.backup.ReplicationResult;
import io.lagoa.backup.TableLag;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.LagoaException;
import io.lagoa.service.ReplicationService;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lagoa replicate [status]}: keep a replica warehouse in step with this one. */
@Command(
    name = "replicate",
    description = {
      "Keep a replica (a second warehouse in a local folder, with its own catalog) in step with",
      "this warehouse, incrementally: only the files of new snapshots are copied, then each table",
      "advances in the replica's catalog in one commit, so the replica is readable at any time.",
      "Prints each table's lag. Promote the replica with lagoa failover. See docs/backup.md."
    },
    mixinStandardHelpOptions = true,
    subcommands = {ReplicateCommand.Status.class})
final class ReplicateCommand implements Callable<Integer> {
  private final Cli cli;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--to",
      paramLabel = "LOCATION",
      description = "The replica: a folder outside the warehouse (created on first use).")
  String to;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Replicate this table only (repeat for several). Default: every table.")
  List<String> tables;

  @Option(
      names = "--continuous",
      description = "Replicate again and again until Ctrl-C or SIGTERM, one line per pass.")
  boolean continuous;

  @Option(
      names = "--every",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "With --continuous: how often a pass starts (default: 30s).")
  Duration every;

  @Option(
      names = "--force",
      description =
          "Replicate into a replica that was promoted by lagoa failover, or that follows another"
              + " warehouse (its tables' own commits are replaced).")
  boolean force;

  @Mixin OutputOptions output;

  ReplicateCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (to == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Missing required option: '--to=LOCATION'");
    }
    if (every != null && !continuous) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--every is for --continuous replication; add --continuous");
    }
    String location = BackupCommand.location(cli, to);
    ReplicationService service = new ReplicationService(cli.lakehouse());
    boolean json = output.format() == OutputFormat.JSON;
    if (!continuous) {
      ReplicationResult result;
      try (BackupProgress progress = BackupProgress.on(cli.err(), cli.env(), json)) {
        result = service.replicate(location, BackupCommand.tables(tables), force, progress);
      }
      if (json) {
        JsonDocument.print(json(result, location), cli.out());
      } else {
        printLags(result.tables(), cli, output);
        cli.out().println(summary(result, location));
      }
      return 0;
    }
    return continuously(service, location, json);
  }

  private int continuously(ReplicationService service, String location, boolean json)
      throws InterruptedException {
    Duration interval = every == null ? Duration.ofSeconds(30) : every;
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    // Ctrl-C and SIGTERM end the JVM through its shutdown hooks: finish the table being copied,
    // give the lease back and say so before the JVM goes
    Thread stopper =
        new Thread(
            () -> {
              stop.set(true);
              try {
                stopped.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "lagoa-replicate-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    PrintWriter out = cli.out();
    if (!json) {
      out.println(
          "Replicating to "
              + location
              + " every "
              + Values.seconds(interval.toNanos())
              + "; Ctrl-C stops after the table being copied.");
    }
    ReplicationService.PassListener listener =
        new ReplicationService.PassListener() {
          @Override
          public void passed(ReplicationResult result) {
            if (json) {
              Map<String, Object> line = json(result, location);
              line.put("at", Instant.now().toString());
              out.println(JsonDocument.compact(line));
            } else {
              out.println(Instant.now() + "  " + passLine(result));
            }
            out.flush();
          }

          @Override
          public void failed(LagoaException error) {
            cli.err().println(Instant.now() + "  pass failed: " + error.getMessage());
            cli.err().flush();
          }
        };
    try {
      service.replicateContinuously(
          location,
          BackupCommand.tables(tables),
          force,
          interval,
          listener,
          () -> stop.get() || Thread.currentThread().isInterrupted());
    } catch (InterruptedException e) {
      // what an in-process caller (a test) does to stop it
      Thread.currentThread().interrupt();
    } finally {
      if (!json) {
        out.println("Stopped; the replica's tables are at their last replicated state.");
        out.flush();
      }
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook waits for the line above
      }
    }
    return 0;
  }

  static String summary(ReplicationResult result, String location) {
    return "replicated "
        + result.tables().size()
        + (result.tables().size() == 1 ? " table" : " tables")
        + " ("
        + result.advanced()
        + " advanced): copied "
        + result.copiedFiles()
        + " files and rewrote "
        + result.rewrittenFiles()
        + " ("
        + Values.bytes(result.copiedBytes())
        + ") in "
        + Values.seconds(result.took().toNanos())
        + " -> "
        + location;
  }

  private static String passLine(ReplicationResult result) {
    TableLag worst = null;
    for (TableLag lag : result.tables()) {
      if (lag.secondsBehind() != null
          && (worst == null || lag.secondsBehind() > worst.secondsBehind())) {
        worst = lag;
      }
    }
    return result.advanced()
        + " of "
        + result.tables().size()
        + " tables advanced, "
        + (result.copiedFiles() + result.rewrittenFiles())
        + " files ("
        + Values.bytes(result.copiedBytes())
        + ") in "
        + Values.seconds(result.took().toNanos())
        + (worst == null
            ? ""
            : "; max lag " + lagText(worst.secondsBehind()) + " (" + worst.table() + ")");
  }

  static String lagText(Double seconds) {
    return seconds == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f s", seconds);
  }

  static Map<String, Object> json(ReplicationResult result, String location) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("location", location);
    json.put("tables", lags(result.tables()));
    json.put("advanced", result.advanced());
    json.put("copied_files", result.copiedFiles());
    json.put("rewritten_files", result.rewrittenFiles());
    json.put("bytes", result.copiedBytes());
    json.put("seconds", result.took().toMillis() / 1000.0);
    return json;
  }

  static List<Map<String, Object>> lags(List<TableLag> lags) {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (TableLag lag : lags) {
      Map<String, Object> table = new LinkedHashMap<>();
      table.put("table", lag.table());
      table.put("status", lag.status().name().toLowerCase(java.util.Locale.ROOT));
      table.put("primary_snapshot_id", lag.primarySnapshotId());
      table.put("primary_snapshot_at", time(lag.primarySnapshotMillis()));
      table.put("replica_snapshot_id", lag.replicaSnapshotId());
      table.put("replica_snapshot_at", time(lag.replicaSnapshotMillis()));
      table.put("replicated_at", lag.replicatedAt());
      table.put("seconds_behind", lag.secondsBehind());
      tables.add(table);
    }
    return tables;
  }

  private static String time(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  static void printLags(List<TableLag> lags, Cli cli, OutputOptions output) {
    List<String> columns =
        List.of("table", "status", "primary_snapshot_at", "replica_snapshot_at", "behind");
    List<List<Object>> rows = new ArrayList<>();
    ZoneId zone = ZoneId.systemDefault();
    for (TableLag lag : lags) {
      rows.add(
          List.<Object>of(
              lag.table(),
              lag.status().id(),
              lag.primarySnapshotMillis() == null
                  ? "-"
                  : Values.toText(Instant.ofEpochMilli(lag.primarySnapshotMillis()), zone),
              lag.replicaSnapshotMillis() == null
                  ? "-"
                  : Values.toText(Instant.ofEpochMilli(lag.replicaSnapshotMillis()), zone),
              lagText(lag.secondsBehind())));
    }
    cli.printer().print(columns, rows, output.format(), cli.out());
  }

  @Command(
      name = "status",
      description = {
        "Each table's lag behind this warehouse in a replica, without copying anything: the",
        "primary's and the replica's snapshot times and the seconds between them."
      },
      mixinStandardHelpOptions = true)
  static final class Status implements Callable<Integer> {
    private final Cli cli;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "LOCATION",
        description = "The replica's folder.")
    String to;

    @Option(
        names = "--table",
        paramLabel = "TABLE",
        description = "This table only (repeat for several). Default: every table.")
    List<String> tables;

    @Mixin OutputOptions output;

    Status(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      String location = BackupCommand.location(cli, to);
      ReplicationService service = new ReplicationService(cli.lakehouse());
      List<TableLag> lags = service.status(location, BackupCommand.tables(tables));
      if (output.format() == OutputFormat.JSON) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("location", location);
        json.put(
            "replicator_running",
            service.lease(location).map(lease -> lease.describe()).orElse(null));
        json.put("tables", lags(lags));
        JsonDocument.print(json, cli.out());
      } else {
        printLags(lags, cli, output);
        Double max = null;
        for (TableLag lag : lags) {
          if (lag.secondsBehind() != null && (max == null || lag.secondsBehind() > max)) {
            max = lag.secondsBehind();
          }
        }
        cli.out()
            .println(
                lags.size()
                    + (lags.size() == 1 ? " table" : " tables")
                    + " in "
                    + location
                    + ", max lag "
                    + lagText(max)
                    + service
                        .lease(location)
                        .map(lease -> "; a replicator is running (" + lease.describe() + ")")
                        .orElse("; no replicator is running"));
      }
      return 0;
    }
  }
}

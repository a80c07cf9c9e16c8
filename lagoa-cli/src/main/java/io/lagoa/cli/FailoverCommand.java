package io.lagoa.cli;

import io.lagoa.backup.TableLag;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.service.ReplicationService;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lagoa failover}: promote a replica to be the warehouse Lagoa reads and writes. */
@Command(
    name = "failover",
    description = {
      "Promote a replica made by lagoa replicate: check that no replicator is running into it",
      "and that every replicated table opens from its own catalog, then mark it promoted, so",
      "nothing replicates into it any more. Prints what to change to use it. The primary is not",
      "needed. See docs/backup.md."
    },
    mixinStandardHelpOptions = true)
final class FailoverCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "LOCATION",
      description = "The replica's folder.")
  String from;

  @Option(
      names = "--force",
      description = "Promote even while a replicator's lease says it may still be running.")
  boolean force;

  @Mixin OutputOptions output;

  FailoverCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    String location = BackupCommand.location(cli, from);
    ReplicationService.Failover failover =
        new ReplicationService(cli.lakehouse()).failover(location, force);
    if (output.format() == OutputFormat.JSON) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("location", failover.location().toString());
      json.put("promoted_at", failover.promotedAt());
      json.put("already_promoted", failover.alreadyPromoted());
      json.put("warehouse", failover.warehouse());
      json.put("catalog_uri", failover.catalogUri());
      json.put("tables", ReplicateCommand.lags(failover.tables()));
      json.put("not_replicated", failover.notReplicated());
      JsonDocument.print(json, cli.out());
      return 0;
    }
    PrintWriter out = cli.out();
    for (TableLag table : failover.tables()) {
      out.println(
          "  "
              + table.table()
              + "  snapshot "
              + table.replicaSnapshotId()
              + (table.replicaSnapshotMillis() == null
                  ? ""
                  : " of " + Instant.ofEpochMilli(table.replicaSnapshotMillis())));
    }
    for (String table : failover.notReplicated()) {
      out.println("  " + table + "  not in the replica (its first copy never completed)");
    }
    out.println(
        (failover.alreadyPromoted() ? "Already promoted at " : "Promoted at ")
            + failover.promotedAt()
            + ": "
            + failover.tables().size()
            + (failover.tables().size() == 1 ? " table" : " tables")
            + " in "
            + failover.location()
            + ", readable and writable.");
    out.println("To use it, point Lagoa at it: in lagoa.yaml");
    out.println("  warehouse: " + failover.location());
    out.println("and remove any catalog: section (its catalog is the default for that warehouse,");
    out.println(failover.catalogUri() + "), or set in the environment");
    out.println("  export LAGOA_WAREHOUSE=" + failover.location());
    out.println("  unset LAGOA_CATALOG_TYPE LAGOA_CATALOG_URI");
    out.println("Other engines read it through that catalog (Iceberg's JDBC catalog on SQLite).");
    out.println("Stop any replication into it: lagoa replicate --to it is refused from now on.");
    return 0;
  }
}

package io.lagoa.service;

import io.lagoa.backup.BackupListener;
import io.lagoa.backup.BackupLocation;
import io.lagoa.backup.ReplicaLocation;
import io.lagoa.backup.ReplicaState;
import io.lagoa.backup.ReplicatedTable;
import io.lagoa.backup.ReplicationResult;
import io.lagoa.backup.Replicator;
import io.lagoa.backup.TableLag;
import io.lagoa.catalog.CatalogProperties;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import io.lagoa.spark.backup.GenericPositionDeletes;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import io.lagoa.table.TableSummary;
import io.lagoa.text.EditDistance;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication of one lakehouse's tables into a replica, a second warehouse in a local folder with
 * its own SQLite catalog, and failover to it (see docs/backup.md, "Replication and failover"). The
 * engine is never started: files are copied, and paths rewritten, through Iceberg's own classes.
 */
public final class ReplicationService {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);
  private static final String JDBC_CATALOG = "org.apache.iceberg.jdbc.JdbcCatalog";

  private final Lakehouse lakehouse;
  private final Clock clock;
  private final Function<String, FileIO> files;

  public ReplicationService(Lakehouse lakehouse) {
    this(lakehouse, Clock.systemUTC());
  }

  public ReplicationService(Lakehouse lakehouse, Clock clock) {
    this(lakehouse, clock, lakehouse::fileIO);
  }

  /** With another file client for each path: tests cut a copy short through it. */
  ReplicationService(Lakehouse lakehouse, Clock clock, Function<String, FileIO> files) {
    this.lakehouse = lakehouse;
    this.clock = clock;
    this.files = files;
  }

  /** Told about each pass of a continuous replication. */
  public interface PassListener extends BackupListener {
    /** A pass ended; the next starts after the interval. */
    default void passed(ReplicationResult result) {}

    /** A pass failed; the next one tries again. */
    default void failed(LagoaException error) {}
  }

  /** What a failover did, and what to point Lagoa at to use the promoted replica. */
  public record Failover(
      Path location,
      String warehouse,
      String catalogUri,
      List<TableLag> tables,
      List<String> notReplicated,
      String promotedAt,
      boolean alreadyPromoted) {}

  /** A replica location: a local folder outside the warehouse. */
  public ReplicaLocation location(String root) {
    if (root == null || root.isBlank()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "Cannot use the replica location '': it is empty");
    }
    Path folder;
    if (root.startsWith("file:")) {
      folder =
          Path.of(URI.create(root.startsWith("file://") ? root : "file://" + root.substring(5)));
    } else if (root.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot use the replica location "
              + root
              + ": a replica is a local folder (a mounted disk of another machine, say), since its"
              + " catalog is a SQLite file inside it; for copies on object storage use backups");
    } else {
      folder = Path.of(root);
    }
    ReplicaLocation replica = new ReplicaLocation(folder);
    String warehouse = normalized(lakehouse.config().warehouse());
    String location = normalized(replica.warehouse());
    if (location.equals(warehouse)
        || location.startsWith(warehouse + "/")
        || warehouse.startsWith(location + "/")) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot use the replica location "
              + root
              + ": it "
              + (warehouse.startsWith(location + "/") ? "holds" : "is inside")
              + " the warehouse "
              + lakehouse.config().warehouse()
              + ", and a replica must survive losing the warehouse; choose a folder outside it");
    }
    return replica;
  }

  private static String normalized(String path) {
    return BackupLocation.relativePath(path).replaceAll("/+$", "");
  }

  /** One pass: every table (or those named) advanced to the primary's current state. */
  public ReplicationResult replicate(
      String to, List<TableIdentifier> tables, boolean force, BackupListener listener) {
    ReplicaLocation replica = location(to);
    List<TableIdentifier> selected = selected(tables);
    prepare(replica, force);
    ReplicaLocation.Lease lease = replica.acquire(clock, "replicate to");
    try (Secondary secondary = secondary(replica)) {
      Lease held = new Lease(replica, lease);
      return replicator(replica, secondary.catalog)
          .replicate(selected, tables.isEmpty(), listener, held::renew, () -> false);
    } finally {
      replica.release(lease);
    }
  }

  /**
   * Replicates every {@code every} until {@code stopping} says so (checked between tables and while
   * waiting), holding the replica's lease throughout. A failed pass is reported and the next one
   * tries again; errors that no pass can fix (the replica refuses) end it at once.
   */
  public void replicateContinuously(
      String to,
      List<TableIdentifier> tables,
      boolean force,
      Duration every,
      PassListener listener,
      BooleanSupplier stopping)
      throws InterruptedException {
    if (every.isNegative() || every.isZero()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot replicate every " + every.toMillis() + " ms: the interval must be positive");
    }
    ReplicaLocation replica = location(to);
    selected(tables); // a table named wrong is an error before anything starts
    prepare(replica, force);
    ReplicaLocation.Lease lease = replica.acquire(clock, "replicate to");
    Lease held = new Lease(replica, lease);
    try (Secondary secondary = secondary(replica)) {
      Replicator replicator = replicator(replica, secondary.catalog);
      while (!stopping.getAsBoolean()) {
        long started = System.nanoTime();
        try {
          listener.passed(
              replicator.replicate(
                  selected(tables), tables.isEmpty(), listener, held::renew, stopping));
        } catch (RuntimeException e) {
          if (e instanceof LagoaException lagoa && lagoa.code() == ErrorCode.INVALID_ARGUMENT) {
            throw e; // a table named wrong: no later pass does better
          }
          LagoaException error =
              e instanceof LagoaException lagoa
                  ? lagoa
                  : new LagoaException(ErrorCode.IO_ERROR, LagoaException.rootMessage(e), e);
          LOG.warn("replication pass failed: {}", error.getMessage());
          listener.failed(error);
        }
        long waitUntil = started + every.toNanos();
        while (!stopping.getAsBoolean() && System.nanoTime() < waitUntil) {
          held.renew();
          Thread.sleep(Math.min(200, Math.max(1, (waitUntil - System.nanoTime()) / 1_000_000)));
        }
      }
    } finally {
      replica.release(held.lease);
    }
  }

  /** Each table's lag behind the primary, copying nothing. */
  public List<TableLag> status(String to, List<TableIdentifier> tables) {
    ReplicaLocation replica = location(to);
    ReplicaState state = existing(replica, "show the replication status of");
    requireFollowing(replica, state, false);
    return replicator(replica, null).status(selected(tables), tables.isEmpty());
  }

  /** The replica's lease, when a replicator holds it (for status displays). */
  public Optional<ReplicaLocation.Lease> lease(String to) {
    ReplicaLocation replica = location(to);
    return replica.lease().filter(lease -> lease.live(clock));
  }

  /**
   * Promotes a replica: checks that no replicator runs into it and that its catalog opens with
   * every replicated table, then marks it promoted, so that nothing replicates into it any more.
   * The primary is not needed (it may be gone).
   */
  public Failover failover(String from, boolean force) {
    ReplicaLocation replica = location(from);
    ReplicaState state = existing(replica, "fail over to");
    Optional<ReplicaLocation.Lease> held = replica.lease().filter(lease -> lease.live(clock));
    if (held.isPresent() && !force) {
      throw new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          "Cannot fail over to "
              + replica.root()
              + ": a replicator is running into it ("
              + held.get().describe()
              + "); stop it first (its lease expires at "
              + held.get().expiresAt()
              + " if it is gone)",
          null,
          Remedy.OVERRIDE_REPLICA);
    }
    ReplicaLocation.Lease lease = force ? null : replica.acquire(clock, "fail over to");
    try {
      LagoaConfig config = replicaConfig(replica);
      List<TableLag> tables = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      Catalog catalog = LagoaCatalogs.open(config);
      try {
        for (ReplicatedTable table : state.tables()) {
          if (!table.registered()) {
            missing.add(table.name());
            continue;
          }
          // the table opens from the replica's own files: its metadata is readable
          Table opened = catalog.loadTable(TableNames.parse(table.name()));
          Snapshot current = opened.currentSnapshot();
          tables.add(
              new TableLag(
                  table.name(),
                  TableLag.Status.IN_SYNC,
                  null,
                  null,
                  current == null ? null : current.snapshotId(),
                  current == null ? null : current.timestampMillis(),
                  table.replicatedAt(),
                  null));
        }
      } finally {
        close(catalog);
      }
      boolean already = state.promoted();
      String at =
          already ? state.promotedAt() : clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
      if (!already) {
        replica.markPromoted(state, at);
      }
      return new Failover(
          replica.root(),
          replica.warehouse(),
          config.catalog().uri(),
          tables,
          missing,
          at,
          already);
    } finally {
      if (lease != null) {
        replica.release(lease);
      }
    }
  }

  /** The configuration of the replica as a warehouse of its own: the default SQLite catalog. */
  private LagoaConfig replicaConfig(ReplicaLocation replica) {
    LagoaConfig base = lakehouse.config();
    CatalogConfig catalog =
        new CatalogConfig(
            CatalogType.SQLITE,
            "jdbc:sqlite:" + replica.catalogFile(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            base.catalog().connectTimeoutSeconds(),
            Map.of());
    return new LagoaConfig(
        Optional.empty(),
        replica.warehouse(),
        Optional.of(replica.root()),
        base.storage(),
        catalog,
        base.spark(),
        base.lineage(),
        base.server(),
        Map.of());
  }

  /** The replica's catalog as replication writes it: Iceberg's JDBC catalog on its SQLite file. */
  private Secondary secondary(ReplicaLocation replica) {
    LagoaConfig config = replicaConfig(replica);
    LagoaCatalogs.prepare(config);
    Map<String, String> properties = new HashMap<>(CatalogProperties.of(config));
    properties.put("catalog-impl", JDBC_CATALOG);
    return new Secondary(
        CatalogUtil.buildIcebergCatalog(
            CatalogProperties.CATALOG_NAME, properties, new Configuration()));
  }

  private record Secondary(Catalog catalog) implements AutoCloseable {
    @Override
    public void close() {
      ReplicationService.close(catalog);
    }
  }

  private static void close(Catalog catalog) {
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        LOG.debug("cannot close the replica's catalog: {}", e.getMessage());
      }
    }
  }

  private Replicator replicator(ReplicaLocation replica, Catalog secondary) {
    return new Replicator(
        lakehouse.catalog(),
        lakehouse.config().warehouse(),
        files,
        replica,
        secondary,
        new GenericPositionDeletes(),
        clock);
  }

  /** Keeps a lease renewed; called after every file and while waiting. */
  private final class Lease {
    private final ReplicaLocation replica;
    private ReplicaLocation.Lease lease;

    Lease(ReplicaLocation replica, ReplicaLocation.Lease lease) {
      this.replica = replica;
      this.lease = lease;
    }

    synchronized void renew() {
      lease = replica.renew(lease, clock);
    }
  }

  /** Checks that replication may go into the location; gives a new replica its state. */
  private void prepare(ReplicaLocation replica, boolean force) {
    String warehouse = lakehouse.config().warehouse();
    Optional<ReplicaState> state = replica.state();
    if (state.isEmpty()) {
      if (replica.isBackupLocation()) {
        throw notAReplica(replica, "replicate to", "it is a backup location (it holds backups)");
      }
      if (!replica.isEmpty()) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot replicate to "
                + replica.root()
                + ": the folder is not empty and is not a replica (it has no _lagoa_replica/"
                + "state.json); choose an empty or new folder");
      }
      replica.create(warehouse, clock);
      return;
    }
    requireFollowing(replica, state.get(), force);
    if (state.get().promoted() && !force) {
      throw new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          "Cannot replicate to "
              + replica.root()
              + ": it was promoted to a primary by a failover at "
              + state.get().promotedAt()
              + ", and its tables may have commits of their own that replicating would replace;"
              + " replicate to another folder",
          null,
          Remedy.OVERRIDE_REPLICA);
    }
    if (force && (state.get().promoted() || !state.get().primaryWarehouse().equals(warehouse))) {
      replica.follow(state.get(), warehouse);
    }
  }

  private void requireFollowing(ReplicaLocation replica, ReplicaState state, boolean force) {
    String warehouse = lakehouse.config().warehouse();
    if (!state.primaryWarehouse().equals(warehouse) && !force) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot use the replica "
              + replica.root()
              + ": it is a replica of the warehouse "
              + state.primaryWarehouse()
              + ", not of this one ("
              + warehouse
              + "); use the lagoa.yaml of that warehouse, or replicate this one to another folder",
          null,
          Remedy.OVERRIDE_REPLICA);
    }
  }

  private static ReplicaState existing(ReplicaLocation replica, String action) {
    if (!replica.exists()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot " + action + " " + replica.root() + ": there is no such folder");
    }
    Optional<ReplicaState> state = replica.state();
    if (state.isPresent()) {
      return state.get();
    }
    if (replica.isBackupLocation()) {
      throw notAReplica(replica, action, "it is a backup location (restore from it instead)");
    }
    throw notAReplica(
        replica,
        action,
        "it is not a replica (it has no _lagoa_replica/state.json; replication creates it)");
  }

  private static LagoaException notAReplica(ReplicaLocation replica, String action, String why) {
    return new LagoaException(
        ErrorCode.INVALID_ARGUMENT, "Cannot " + action + " " + replica.root() + ": " + why);
  }

  private List<TableIdentifier> selected(List<TableIdentifier> tables) {
    List<TableIdentifier> all = new ArrayList<>();
    for (TableSummary summary : new TableInspector(lakehouse.catalog()).list(Optional.empty())) {
      all.add(TableNames.parse(summary.name()));
    }
    if (tables.isEmpty()) {
      return all;
    }
    for (TableIdentifier table : tables) {
      if (!lakehouse.catalog().tableExists(table)) {
        throw new LagoaException(
            ErrorCode.TABLE_NOT_FOUND,
            "Cannot replicate "
                + table
                + ": the table does not exist"
                + EditDistance.closest(
                        table.toString(), all.stream().map(TableIdentifier::toString).toList())
                    .map(closest -> " (did you mean " + closest + "?)")
                    .orElse(""));
      }
    }
    return tables;
  }
}

package io.lagoa.service;

import io.lagoa.backup.BackupListener;
import io.lagoa.backup.BackupLocation;
import io.lagoa.backup.BackupManifest;
import io.lagoa.backup.BackupResult;
import io.lagoa.backup.BackupRotation;
import io.lagoa.backup.BackupVerifier;
import io.lagoa.backup.BackupWriter;
import io.lagoa.backup.RestoreRequest;
import io.lagoa.backup.RestoredTable;
import io.lagoa.backup.Restorer;
import io.lagoa.backup.RotationPlan;
import io.lagoa.backup.RotationPolicy;
import io.lagoa.backup.TableRelocator;
import io.lagoa.backup.VerifyReport;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.backup.SparkTableRelocator;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import io.lagoa.table.TableSummary;
import io.lagoa.text.EditDistance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Backups of one lakehouse's tables, and restores from them (see docs/backup.md). A backup location
 * is a folder or an S3 prefix reached through the same FileIO as the tables. Backups, listing,
 * verification and rotation never start the engine; a restore under a new name starts it (Iceberg's
 * rewrite_table_path is a Spark action).
 */
public final class BackupService {
  private final Lakehouse lakehouse;
  private final Clock clock;

  public BackupService(Lakehouse lakehouse) {
    this(lakehouse, Clock.systemUTC());
  }

  public BackupService(Lakehouse lakehouse, Clock clock) {
    this.lakehouse = lakehouse;
    this.clock = clock;
  }

  /** A backup location, checked to lie outside the warehouse (a backup must outlive it). */
  public BackupLocation location(String root) {
    if (root == null || root.isBlank()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "Cannot use the backup location '': it is empty");
    }
    String warehouse = normalized(lakehouse.config().warehouse());
    String location = normalized(root);
    if (location.equals(warehouse) || location.startsWith(warehouse + "/")) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot use the backup location "
              + root
              + ": it is inside the warehouse "
              + lakehouse.config().warehouse()
              + ", and a backup must survive losing the warehouse; choose a location outside it");
    }
    return new BackupLocation(root, lakehouse.fileIO(root));
  }

  private static String normalized(String path) {
    String relative = BackupLocation.relativePath(path);
    while (relative.endsWith("/")) {
      relative = relative.substring(0, relative.length() - 1);
    }
    return relative;
  }

  /** Backs up the tables named, or every table of the catalog (lagoa_system's too) when none is. */
  public BackupResult create(String to, List<TableIdentifier> tables, BackupListener listener) {
    BackupLocation location = location(to);
    List<TableIdentifier> selected = tables.isEmpty() ? allTables() : require(tables);
    return new BackupWriter(lakehouse.catalog(), lakehouse::fileIO, location, clock)
        .create(lakehouse.config().warehouse(), selected, !tables.isEmpty(), listener);
  }

  /** The complete backups in a location, oldest first; unreadable manifests go to the list. */
  public List<BackupManifest> list(String from, List<String> unreadable) {
    return location(from).manifests(unreadable);
  }

  /** Verifies one backup, the newest when no id is given. */
  public VerifyReport verify(String from, Optional<String> id, BackupListener listener) {
    BackupLocation location = location(from);
    List<BackupManifest> backups = location.manifests();
    if (backups.isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "Cannot verify: there is no backup in " + location.root());
    }
    BackupManifest backup = backups.get(backups.size() - 1);
    if (id.isPresent()) {
      backup =
          location
              .manifest(id.get())
              .orElseThrow(
                  () ->
                      new LagoaException(
                          ErrorCode.INVALID_ARGUMENT,
                          "Cannot verify backup "
                              + id.get()
                              + ": there is no such backup in "
                              + location.root()
                              + EditDistance.closest(
                                      id.get(), backups.stream().map(BackupManifest::id).toList())
                                  .map(closest -> " (did you mean " + closest + "?)")
                                  .orElse("")));
    }
    return new BackupVerifier(location).verify(backup, listener);
  }

  /** What a rotation by this policy keeps and removes; with {@code run}, removes it. */
  public RotationPlan rotate(String from, RotationPolicy policy, boolean run) {
    BackupRotation rotation = new BackupRotation(location(from));
    RotationPlan plan = rotation.plan(policy);
    if (run) {
      rotation.run(plan);
    }
    return plan;
  }

  /** Decides and checks a restore; changes nothing. */
  public Restorer.Plan planRestore(String from, RestoreRequest request) {
    return restorer(from).plan(request);
  }

  /** Restores what was planned. */
  public List<RestoredTable> restore(String from, Restorer.Plan plan, BackupListener listener) {
    return restorer(from).restore(plan, listener);
  }

  private Restorer restorer(String from) {
    // the engine starts only when a table is copied under another location
    TableRelocator relocator =
        (source, target, io, listener) ->
            new SparkTableRelocator(lakehouse.session()).relocate(source, target, io, listener);
    return new Restorer(lakehouse.catalog(), lakehouse::fileIO, location(from), relocator);
  }

  private List<TableIdentifier> allTables() {
    List<TableIdentifier> tables = new ArrayList<>();
    for (TableSummary summary : new TableInspector(lakehouse.catalog()).list(Optional.empty())) {
      tables.add(TableNames.parse(summary.name()));
    }
    return tables;
  }

  private List<TableIdentifier> require(List<TableIdentifier> tables) {
    for (TableIdentifier table : tables) {
      if (!lakehouse.catalog().tableExists(table)) {
        List<String> names = allTables().stream().map(TableIdentifier::toString).toList();
        throw new LagoaException(
            ErrorCode.TABLE_NOT_FOUND,
            "Cannot back up "
                + table
                + ": the table does not exist"
                + EditDistance.closest(table.toString(), names)
                    .map(closest -> " (did you mean " + closest + "?)")
                    .orElse(" (lagoa tables lists the tables there are)")
                + "; no backup was written");
      }
    }
    return tables;
  }
}

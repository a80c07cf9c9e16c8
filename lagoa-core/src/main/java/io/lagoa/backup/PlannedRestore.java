package io.lagoa.backup;

import java.util.Optional;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * How one table will be restored, decided before anything changes.
 *
 * @param table the table as the backup names it
 * @param target the table it is restored as
 * @param backupId the backup it comes from; empty when the live table's own retained snapshot is
 *     the latest state at or before the requested moment (then the table is rolled back to it)
 * @param snapshotId the snapshot that becomes current; null for a table without one
 * @param snapshotTimestampMillis when that snapshot was committed
 * @param replaces whether a live table is replaced
 * @param relocated whether files go to another location than the backed-up table's (paths
 *     rewritten)
 * @param targetLocation where the restored table's files go
 */
public record PlannedRestore(
    String table,
    TableIdentifier target,
    Optional<String> backupId,
    Long snapshotId,
    Long snapshotTimestampMillis,
    boolean replaces,
    boolean relocated,
    String targetLocation) {}

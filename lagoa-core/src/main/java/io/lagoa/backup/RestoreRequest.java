package io.lagoa.backup;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What to restore.
 *
 * @param backup the backup to restore from; empty: the newest that has each table
 * @param tables the tables (as the backup names them); empty: every table of the backup
 * @param as a new name for the one table restored
 * @param at restore each table to its latest state at or before this moment, from the backups and
 *     the live table's retained snapshots
 * @param force replace tables that exist
 */
public record RestoreRequest(
    Optional<String> backup,
    List<TableIdentifier> tables,
    Optional<TableIdentifier> as,
    Optional<Instant> at,
    boolean force) {}

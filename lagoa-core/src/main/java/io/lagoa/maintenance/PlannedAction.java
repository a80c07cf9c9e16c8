package io.lagoa.maintenance;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One action of a plan: whether it runs and why (or why not), with what it needs to run.
 *
 * @param run whether the table's health calls for it
 * @param strategy for compaction: how rows are laid out
 * @param columns for z-order: the columns
 * @param applyDeletes for compaction: rewrite every file that has delete files, applying them
 * @param olderThan for expiry and orphan removal: what is older than this goes
 * @param retainLast for expiry: the newest snapshots always kept
 */
public record PlannedAction(
    MaintenanceAction action,
    boolean run,
    String reason,
    CompactionStrategy strategy,
    List<String> columns,
    boolean applyDeletes,
    Optional<Instant> olderThan,
    int retainLast) {

  static PlannedAction skip(MaintenanceAction action, String reason) {
    return new PlannedAction(
        action, false, reason, CompactionStrategy.BIN_PACK, List.of(), false, Optional.empty(), 0);
  }

  static PlannedAction run(MaintenanceAction action, String reason) {
    return new PlannedAction(
        action, true, reason, CompactionStrategy.BIN_PACK, List.of(), false, Optional.empty(), 0);
  }
}

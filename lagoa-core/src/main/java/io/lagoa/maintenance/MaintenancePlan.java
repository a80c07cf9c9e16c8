package io.lagoa.maintenance;

import java.util.List;

/** What maintenance will do to one table, decided from its metrics and settings. */
public record MaintenancePlan(
    String table, TableMetrics before, MaintenanceSettings settings, List<PlannedAction> actions) {

  public List<PlannedAction> toRun() {
    return actions.stream().filter(PlannedAction::run).toList();
  }
}

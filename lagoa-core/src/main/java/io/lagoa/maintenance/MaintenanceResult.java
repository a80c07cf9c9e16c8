package io.lagoa.maintenance;

import java.util.List;
import java.util.Optional;

/**
 * One table's maintenance pass: the plan, what each action did, and the metrics after (empty on a
 * dry run, or when the table could not be planned).
 *
 * @param error why the table was not maintained at all (an unknown cluster column, a concurrent
 *     maintenance); nothing was changed
 */
public record MaintenanceResult(
    String table,
    Optional<MaintenancePlan> plan,
    List<ActionOutcome> outcomes,
    Optional<TableMetrics> after,
    Optional<String> error) {

  public boolean failed() {
    return error.isPresent() || outcomes.stream().anyMatch(o -> o.error().isPresent());
  }
}

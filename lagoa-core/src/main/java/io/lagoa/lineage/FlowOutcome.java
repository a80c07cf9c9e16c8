package io.lagoa.lineage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one flow of a pipeline run ended, in engine-neutral terms, for its lineage event.
 *
 * @param dataset the table the flow wrote, e.g. {@code silver.users}
 * @param rowsWritten rows written to the table (for a merge: rows upserted)
 * @param rowsQuarantined rows written to the table's quarantine table
 * @param checks the flow's expectations and how many rows failed each
 * @param error why the flow failed, for {@link State#FAILED}
 */
public record FlowOutcome(
    String dataset,
    State state,
    Instant endedAt,
    long rowsWritten,
    long rowsQuarantined,
    List<Check> checks,
    Optional<String> error) {

  public FlowOutcome {
    checks = List.copyOf(checks);
  }

  public enum State {
    /** Written (or up to date): a COMPLETE event. */
    COMPLETED,
    /** The flow itself failed: a FAIL event. */
    FAILED
  }

  /**
   * One expectation of the flow.
   *
   * @param policy warn, drop, quarantine or fail
   */
  public record Check(
      String rule, String condition, String policy, long rowsChecked, long rowsFailed) {}
}

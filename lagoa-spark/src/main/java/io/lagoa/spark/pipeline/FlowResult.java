package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.DatasetKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one flow of a run did.
 *
 * @param action create, replace, append, merge or full refresh
 * @param rowsRead rows the flow's query produced, before expectations
 * @param rowsWritten rows written to the table (for merge: rows upserted)
 * @param snapshotBefore the table's snapshot before the run
 * @param snapshotAfter the snapshot this flow committed
 */
public record FlowResult(
    String flow,
    DatasetKind kind,
    String action,
    FlowStatus status,
    Instant startedAt,
    Instant endedAt,
    long rowsRead,
    long rowsWritten,
    long rowsDropped,
    long rowsQuarantined,
    OptionalLong snapshotBefore,
    OptionalLong snapshotAfter,
    OptionalLong quarantineSnapshotAfter,
    List<ExpectationResult> expectations,
    Optional<String> error) {

  public FlowResult {
    expectations = List.copyOf(expectations);
  }

  FlowResult withStatus(FlowStatus newStatus) {
    return new FlowResult(flow, kind, action, newStatus, startedAt, endedAt, rowsRead, rowsWritten,
        rowsDropped, rowsQuarantined, snapshotBefore, snapshotAfter, quarantineSnapshotAfter,
        expectations, error);
  }

  static FlowResult notRun(String flow, DatasetKind kind, String action, FlowStatus status,
      Instant at, OptionalLong snapshotBefore, Optional<String> error) {
    return new FlowResult(flow, kind, action, status, at, at, 0, 0, 0, 0, snapshotBefore,
        OptionalLong.empty(), OptionalLong.empty(), List.of(), error);
  }
}

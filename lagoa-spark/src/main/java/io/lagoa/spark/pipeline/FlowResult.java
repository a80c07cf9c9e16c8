package io.lagoa.spark.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.ExpectationResult;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one flow of a run did.
 *
 * @param action create, replace, append, merge or full refresh (see {@link WriteMode#label})
 * @param rowsRead rows the flow's query produced, before expectations
 * @param rowsWritten rows written to the table (for merge: rows upserted)
 * @param snapshotBefore the table's snapshot before the run
 * @param snapshotAfter the snapshot this flow committed
 * @param error why the flow failed, or why a dry run could not check it
 * @param failure what failed, with its code and cause, when the flow failed
 * @param note what else a succeeded flow has to say, e.g. an identity graph's run summary
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
    Optional<String> error,
    Optional<LagoaException> failure,
    Optional<String> note) {

  public FlowResult {
    expectations = List.copyOf(expectations);
  }

  /** A flow that committed (or had nothing to commit after reading). */
  static FlowResult succeeded(
      String flow,
      DatasetKind kind,
      String action,
      Instant startedAt,
      Instant endedAt,
      long rowsRead,
      long rowsWritten,
      long rowsDropped,
      long rowsQuarantined,
      OptionalLong snapshotBefore,
      OptionalLong snapshotAfter,
      OptionalLong quarantineSnapshotAfter,
      List<ExpectationResult> expectations) {
    return new FlowResult(
        flow,
        kind,
        action,
        FlowStatus.SUCCEEDED,
        startedAt,
        endedAt,
        rowsRead,
        rowsWritten,
        rowsDropped,
        rowsQuarantined,
        snapshotBefore,
        snapshotAfter,
        quarantineSnapshotAfter,
        expectations,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** A flow whose sources had nothing new: the table stays at {@code snapshot}. */
  static FlowResult upToDate(
      String flow,
      DatasetKind kind,
      String action,
      Instant startedAt,
      Instant endedAt,
      OptionalLong snapshot) {
    return new FlowResult(
        flow,
        kind,
        action,
        FlowStatus.UP_TO_DATE,
        startedAt,
        endedAt,
        0,
        0,
        0,
        0,
        snapshot,
        snapshot,
        OptionalLong.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** A flow that failed and committed nothing; its table stays at {@code snapshotBefore}. */
  static FlowResult failed(
      String flow,
      DatasetKind kind,
      String action,
      Instant startedAt,
      Instant endedAt,
      OptionalLong snapshotBefore,
      List<ExpectationResult> expectations,
      LagoaException failure) {
    return new FlowResult(
        flow,
        kind,
        action,
        FlowStatus.FAILED,
        startedAt,
        endedAt,
        0,
        0,
        0,
        0,
        snapshotBefore,
        OptionalLong.empty(),
        OptionalLong.empty(),
        expectations,
        Optional.of(failure.getMessage()),
        Optional.of(failure),
        Optional.empty());
  }

  /** The code of the flow's failure; empty when it did not fail. */
  public Optional<ErrorCode> errorCode() {
    if (failure.isPresent()) {
      return Optional.of(failure.get().code());
    }
    return status == FlowStatus.FAILED ? Optional.of(ErrorCode.PIPELINE_FAILED) : Optional.empty();
  }

  FlowResult withStatus(FlowStatus newStatus) {
    return new FlowResult(
        flow,
        kind,
        action,
        newStatus,
        startedAt,
        endedAt,
        rowsRead,
        rowsWritten,
        rowsDropped,
        rowsQuarantined,
        snapshotBefore,
        snapshotAfter,
        quarantineSnapshotAfter,
        expectations,
        error,
        failure,
        note);
  }

  FlowResult withNote(Optional<String> newNote) {
    return new FlowResult(
        flow,
        kind,
        action,
        status,
        startedAt,
        endedAt,
        rowsRead,
        rowsWritten,
        rowsDropped,
        rowsQuarantined,
        snapshotBefore,
        snapshotAfter,
        quarantineSnapshotAfter,
        expectations,
        error,
        failure,
        newNote);
  }

  static FlowResult notRun(
      String flow,
      DatasetKind kind,
      String action,
      FlowStatus status,
      Instant at,
      OptionalLong snapshotBefore,
      Optional<String> error) {
    return notRun(flow, kind, action, status, at, snapshotBefore, error, Optional.empty());
  }

  static FlowResult notRun(
      String flow,
      DatasetKind kind,
      String action,
      FlowStatus status,
      Instant at,
      OptionalLong snapshotBefore,
      Optional<String> error,
      Optional<LagoaException> failure) {
    return new FlowResult(
        flow,
        kind,
        action,
        status,
        at,
        at,
        0,
        0,
        0,
        0,
        snapshotBefore,
        OptionalLong.empty(),
        OptionalLong.empty(),
        List.of(),
        error,
        failure,
        Optional.empty());
  }
}

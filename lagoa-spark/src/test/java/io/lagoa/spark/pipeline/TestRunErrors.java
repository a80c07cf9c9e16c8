package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import io.lagoa.pipeline.ConcurrentRunException;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.FlowException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A flow's failure keeps the code of what failed, and a run reports it by the rule of {@link
 * ErrorCode}: input rejected or a service not answering before anything ran is 2, a run that failed
 * in its work is 1.
 */
class TestRunErrors {
  private static final Instant AT = Instant.parse("2026-12-02T06:00:00Z");

  @Test
  void aFlowFailureTakesTheCodeOfWhatFailed() {
    LagoaException catalog = new LagoaException(ErrorCode.CATALOG_UNREACHABLE, "no answer");
    assertThat(new FlowException("silver.a failed", new RuntimeException(catalog)).code())
        .isEqualTo(ErrorCode.CATALOG_UNREACHABLE);
    assertThat(
            new FlowException(
                    "read kafka",
                    new ExecutionException(
                        new org.apache.kafka.common.errors.TimeoutException(
                            "Timed out waiting for a node")))
                .code())
        .isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(new FlowException(ErrorCode.KAFKA_UNREACHABLE, "no broker", null).code())
        .isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(new FlowException("bad SQL", new IllegalStateException("x")).code())
        .isEqualTo(ErrorCode.PIPELINE_FAILED);
    assertThat(new FlowException("expectation failed", null).code())
        .isEqualTo(ErrorCode.PIPELINE_FAILED);
    // wrapped again by the runner: the code stays
    FlowException inner =
        new FlowException(
            "a.sql:1:1: x",
            new ExecutionException(new org.apache.kafka.common.errors.DisconnectException("gone")));
    assertThat(new FlowException("a.sql:1:1: x", inner).code())
        .isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
    ConcurrentRunConflict conflict =
        new ConcurrentRunConflict("lost", new ConcurrentRunException("a.b", "1", "2"));
    assertThat(conflict.code()).isEqualTo(ErrorCode.TABLE_CONFLICT);
    assertThat(new FlowException("gave up after 8 attempts", conflict).code())
        .isEqualTo(ErrorCode.TABLE_CONFLICT);
  }

  /**
   * Iceberg's refusals of a MERGE whose files changed meanwhile are conflicts the runner plans
   * again: a compaction that rewrote the files a batch's position deletes point at fails the
   * batch's commit with "missing data files", not with "conflicting".
   */
  @Test
  void icebergsFileValidationFailuresAreConflictsAndOthersAreNot() {
    for (String message :
        List.of(
            "Cannot commit, missing data files: [file:/w/mc/cdc/data/00000-1.parquet]",
            "Found conflicting files that can contain records matching true: [a.parquet]",
            "Found new conflicting delete files that can apply to records matching true: []",
            "Cannot commit, found new position delete for replaced data file: a.parquet",
            "Found concurrently added DV for a.parquet: b.puffin")) {
      assertThat(
              ConcurrentRunConflict.describe(
                  new RuntimeException(
                      "wrapped", new org.apache.iceberg.exceptions.ValidationException(message))))
          .as(message)
          .hasValueSatisfying(
              described ->
                  assertThat(described)
                      .startsWith("another writer changed the rows this batch merges into")
                      .contains(message));
    }
    assertThat(
            ConcurrentRunConflict.describe(
                new org.apache.iceberg.exceptions.ValidationException(
                    "Cannot add column, name already exists: id")))
        .isEmpty();
  }

  @Test
  void aRemedyTravelsWithTheFailureAndNotInItsMessage() {
    FlowException stale =
        new FlowException(
            "x no longer contains snapshot 1; the table needs a" + " full refresh",
            null,
            Remedy.FULL_REFRESH);
    FlowException wrapped = new FlowException("silver.x failed", stale);
    assertThat(wrapped.remedy()).isEmpty();
    assertThat(LagoaException.remedyOf(wrapped)).contains(Remedy.FULL_REFRESH);
    assertThat(failed(wrapped, List.of()).remedy()).contains(Remedy.FULL_REFRESH);
    assertThat(failed(new FlowException("y", null), List.of()).remedy()).isEmpty();
  }

  @Test
  void aServiceNotAnsweringBeforeTheRunChangedAnythingIsExitCodeTwo() {
    FlowException kafka = new FlowException(ErrorCode.KAFKA_UNREACHABLE, "no broker", null);
    RunResult nothingChanged = failed(kafka, List.of());
    assertThat(nothingChanged.errorCode()).contains(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(nothingChanged.errorCode().orElseThrow().exitCode()).isEqualTo(2);
    assertThat(nothingChanged.failure()).contains(kafka);
  }

  @Test
  void aServiceFailingAfterTheRunCommittedIsARunThatFailed() {
    RunResult putBack =
        failed(
            new FlowException(ErrorCode.KAFKA_UNREACHABLE, "no broker", null),
            List.of("restored bronze.a to snapshot 1"));
    assertThat(putBack.errorCode()).contains(ErrorCode.PIPELINE_FAILED);
    assertThat(putBack.failure().orElseThrow().code()).isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
  }

  @Test
  void otherFailuresKeepTheirCodeAndSucceededRunsHaveNone() {
    assertThat(failed(new FlowException("boom", null), List.of()).errorCode())
        .contains(ErrorCode.PIPELINE_FAILED);
    assertThat(failed(new ConcurrentRunConflict("lost", null), List.of()).errorCode())
        .contains(ErrorCode.TABLE_CONFLICT);
    assertThat(
            failed(new LagoaException(ErrorCode.INTERNAL_ERROR, "bug"), List.of())
                .errorCode()
                .orElseThrow()
                .type())
        .isEqualTo(io.lagoa.error.ErrorType.INTERNAL);
    RunResult withoutFailure =
        new RunResult(
            "r",
            "p",
            RunResult.Status.FAILED,
            AT,
            AT,
            List.of(),
            Optional.of("a flow failed"),
            List.of(),
            List.of(),
            Optional.empty());
    assertThat(withoutFailure.errorCode()).contains(ErrorCode.PIPELINE_FAILED);
    RunResult succeeded =
        new RunResult(
            "r",
            "p",
            RunResult.Status.SUCCEEDED,
            AT,
            AT,
            List.of(),
            Optional.empty(),
            List.of(),
            List.of(),
            Optional.empty());
    assertThat(succeeded.errorCode()).isEmpty();
    assertThat(succeeded.remedy()).isEmpty();
  }

  @Test
  void aFailedFlowCarriesItsCode() {
    FlowException kafka = new FlowException(ErrorCode.KAFKA_UNREACHABLE, "no broker", null);
    FlowResult failed =
        FlowResult.failed(
            "bronze.a",
            DatasetKind.STREAMING_TABLE,
            "append",
            AT,
            AT,
            OptionalLong.empty(),
            List.of(),
            kafka);
    assertThat(failed.errorCode()).contains(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(failed.withStatus(FlowStatus.FAILED).failure()).contains(kafka);
    FlowResult succeeded =
        FlowResult.succeeded(
            "bronze.a",
            DatasetKind.STREAMING_TABLE,
            "append",
            AT,
            AT,
            1,
            1,
            0,
            0,
            OptionalLong.empty(),
            OptionalLong.of(1),
            OptionalLong.empty(),
            List.of());
    assertThat(succeeded.errorCode()).isEmpty();
  }

  private static RunResult failed(LagoaException failure, List<String> restored) {
    return new RunResult(
        "r",
        "p",
        RunResult.Status.FAILED,
        AT,
        AT,
        List.of(),
        Optional.of(failure.getMessage()),
        restored,
        List.of(),
        Optional.empty(),
        Optional.of(failure));
  }
}

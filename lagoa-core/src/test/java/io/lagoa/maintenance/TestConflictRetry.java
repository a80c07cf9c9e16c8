package io.lagoa.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.junit.jupiter.api.Test;

class TestConflictRetry {
  @Test
  void aLostCommitIsPlannedAgainOnTheRefreshedState() {
    AtomicInteger refreshes = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    ConflictRetry.Attempted<String> attempted =
        ConflictRetry.run(
            3,
            refreshes::incrementAndGet,
            () -> {
              if (calls.incrementAndGet() < 3) {
                // as Spark's action surfaces it: wrapped
                throw new RuntimeException(
                    new ValidationException(
                        "Deleted manifest %s could not be found in the latest snapshot",
                        "m1.avro"));
              }
              return "done";
            });
    assertThat(attempted.result()).isEqualTo("done");
    assertThat(attempted.attempts()).isEqualTo(3);
    assertThat(refreshes).hasValue(2);
  }

  @Test
  void theLastLostCommitAndOtherFailuresAreThrown() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                ConflictRetry.run(
                    2,
                    () -> {},
                    () -> {
                      calls.incrementAndGet();
                      throw new CommitFailedException("base changed");
                    }))
        .isInstanceOf(CommitFailedException.class);
    assertThat(calls).hasValue(2);

    calls.set(0);
    assertThatThrownBy(
            () ->
                ConflictRetry.run(
                    3,
                    () -> {},
                    () -> {
                      calls.incrementAndGet();
                      throw new UncheckedIOException(new java.io.IOException("disk full"));
                    }))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(calls).as("not a conflict: not tried again").hasValue(1);
  }
}

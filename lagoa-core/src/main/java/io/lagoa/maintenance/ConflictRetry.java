package io.lagoa.maintenance;

import java.util.function.Supplier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;

/**
 * Runs a maintenance action again when it lost to a concurrent commit. Iceberg retries a commit
 * whose base moved, but not one whose validation failed: a manifest rewrite planned before a
 * streaming append finds the manifests it replaces merged away by that append ("Deleted manifest
 * ... could not be found in the latest snapshot"), and only a new plan on the new state can go
 * through. Nothing is committed by a lost attempt, so trying again is safe.
 */
public final class ConflictRetry {
  private ConflictRetry() {}

  /** What an action returned, and how many attempts it took. */
  public record Attempted<T>(T result, int attempts) {}

  /**
   * Runs {@code action} up to {@code attempts} times while it fails with a lost commit, calling
   * {@code refresh} before each new attempt; any other failure, or the last lost commit, is thrown.
   */
  public static <T> Attempted<T> run(int attempts, Runnable refresh, Supplier<T> action) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return new Attempted<>(action.get(), attempt);
      } catch (RuntimeException e) {
        if (attempt >= attempts || !lostCommit(e)) {
          throw e;
        }
        refresh.run();
      }
    }
  }

  /** Whether a failure is a lost commit: Iceberg's conflict checks, however wrapped. */
  public static boolean lostCommit(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ValidationException || cause instanceof CommitFailedException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}

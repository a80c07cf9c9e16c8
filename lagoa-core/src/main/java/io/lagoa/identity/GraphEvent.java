package io.lagoa.identity;

import java.time.Instant;

/** One row of {@code <graph>_audit}: a merge, a rejected key or a split, with who and why. */
public record GraphEvent(
    Instant at, String runId, Action action, String personId, String key, String detail) {

  public enum Action {
    MERGE,
    KEY_OVER_SHARED,
    SPLIT
  }
}

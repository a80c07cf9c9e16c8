package io.lagoa.spark.pipeline;

import java.util.Locale;

/** How a flow of a run ended. */
public enum FlowStatus {
  /** Written and kept. */
  SUCCEEDED,
  /** A streaming table whose sources had no new data: nothing to write. */
  UP_TO_DATE,
  /** This flow failed; the run was rolled back. */
  FAILED,
  /** Written, then undone because another flow of the run failed. */
  ROLLED_BACK,
  /** Not run because an earlier flow failed. */
  SKIPPED,
  /** Dry run: checked, nothing written. */
  PLANNED;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}

package io.lagoa.pipeline;

import java.time.Instant;
import java.util.Map;

/**
 * Where a pipeline run notes, before its first commit, the state of every table it may write, and
 * clears the note when it ends. A note still there when the next run starts is the mark of a run
 * that was killed: the next run puts its tables back (see {@link InterruptedRun}).
 */
public interface RunJournal {
  RunJournal NONE =
      new RunJournal() {
        @Override
        public void begin(String runId, Instant startedAt, Map<String, TableState> tables) {}

        @Override
        public void end(String runId) {}

        @Override
        public boolean putsBackInterruptedRuns() {
          return false;
        }
      };

  /** Notes the run and its tables' states; replaces an earlier note of the same run. */
  void begin(String runId, Instant startedAt, Map<String, TableState> tables);

  /** The run ended (succeeded, or failed and was rolled back): nothing left to recover. */
  void end(String runId);

  /**
   * Whether a run noted here and killed part way is put back by the next run, so that a batch's
   * commits are all or nothing even across a crash ({@link #NONE}: no). A pipeline writes a source
   * batch's rejected records after the batch's rows only when this holds.
   */
  default boolean putsBackInterruptedRuns() {
    return true;
  }
}

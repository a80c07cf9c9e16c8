package io.lagoa.spark.pipeline.source;

/**
 * When a source batch's rejected records are committed to the source quarantine table, relative to
 * the commit that writes the batch's rows (and stores the position after it) to the target.
 */
public enum QuarantineOrder {
  /**
   * Before the target's commit, marked with the target's commit the batch started from: the batch
   * is read once into a cache, so the rejected records are known before the rows are written. A
   * crash between the two commits is safe without anything else: the next batch finds the mark,
   * reads exactly the same records again and does not quarantine them twice.
   */
  BEFORE_TARGET,

  /**
   * After the target's commit: the rows are written straight from the source (no cache) while the
   * rejected records are counted ({@link SourceBatch#rejectedCount}); only when there are some is
   * the batch read again for them. A crash between the two commits is safe only when the run's
   * commits are put back after a crash ({@link io.lagoa.pipeline.RunJournal}): the target then goes
   * back to the commit the batch started from, and the next batch reads the same records again.
   */
  AFTER_TARGET
}

package io.lagoa.error;

/**
 * What the person who got an error can do about it, when it is one thing Lagoa itself offers.
 * Messages speak of tables and values; each adapter words the remedy in its own terms (the CLI as
 * the flag to run again with, an HTTP API as the request field), so the core never names a flag.
 */
public enum Remedy {
  /**
   * Recompute the table from all its source data rather than from where the last run stopped: the
   * stored position can no longer be read (the source was rolled back, its history expired, the log
   * of ingested files is gone). The CLI's {@code --full-refresh}.
   */
  FULL_REFRESH,

  /**
   * Give the pipeline's SQL a variable that pipeline.yaml does not define, for this run. The CLI's
   * {@code --var NAME=VALUE}.
   */
  SET_VARIABLE,

  /**
   * Replace a live table's current state with a restored one: the restore was refused because the
   * table exists. The CLI's {@code --force}.
   */
  REPLACE_TABLE,

  /**
   * Replicate into a replica that refuses it (promoted by a failover, or following another
   * warehouse), or promote one while its replicator's lease says it may still run. The CLI's {@code
   * --force}.
   */
  OVERRIDE_REPLICA
}

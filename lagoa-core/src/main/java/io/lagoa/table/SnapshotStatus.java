package io.lagoa.table;

/**
 * How a snapshot relates to the table's current state. Iceberg keeps the snapshots that are no
 * longer part of the current history (until they are expired), so a history lists them too; this
 * says why they left it.
 */
public enum SnapshotStatus {
  /** The table's current state. */
  CURRENT("current"),
  /** An earlier state in the history that leads to the current one. */
  ANCESTOR("ancestor"),
  /**
   * Left behind when an earlier snapshot was made current again ({@code lagoa table rollback},
   * Iceberg's rollback or set-current-snapshot, or a failed pipeline run being undone).
   */
  ROLLED_BACK("rolled back"),
  /**
   * Left behind when the table was replaced ({@code CREATE OR REPLACE TABLE ... AS SELECT}, which a
   * pipeline runs for every materialized view): the replacement starts a new history with no
   * parent. The data is kept until the snapshot is expired, so it can still be read or rolled back
   * to.
   */
  REPLACED("replaced");

  private final String label;

  SnapshotStatus(String label) {
    this.label = label;
  }

  /** As printed: {@code current}, {@code ancestor}, {@code rolled back}, {@code replaced}. */
  public String label() {
    return label;
  }

  /** Whether the snapshot is part of the history that leads to the current state. */
  public boolean inCurrentLineage() {
    return this == CURRENT || this == ANCESTOR;
  }
}

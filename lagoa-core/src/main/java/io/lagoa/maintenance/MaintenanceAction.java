package io.lagoa.maintenance;

/** What a maintenance pass can do to a table, in the order it does it. */
public enum MaintenanceAction {
  REMOVE_OLD_QUARANTINE("remove old quarantined rows"),
  COMPACT_DATA("compact data files"),
  REWRITE_POSITION_DELETES("rewrite position-delete files"),
  REWRITE_MANIFESTS("rewrite manifests"),
  EXPIRE_SNAPSHOTS("expire snapshots"),
  REMOVE_ORPHAN_FILES("remove orphan files"),
  REMOVE_OLD_FILE_LOGS("remove old file logs");

  private final String label;

  MaintenanceAction(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The name in JSON and in the metrics table: {@code compact_data}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

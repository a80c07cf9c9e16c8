package io.lagoa.maintenance;

/** How compaction lays out the rows it rewrites. */
public enum CompactionStrategy {
  /** Files combined as they are. */
  BIN_PACK,
  /** Rows sorted by the table's sort order. */
  SORT,
  /** Rows z-ordered by the {@code cluster-by} columns. */
  ZORDER;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}

package io.lagoa.pipeline;

/** What a Data Vault statement defines ({@code CREATE HUB}, {@code CREATE LINK}, ...). */
public enum VaultKind {
  /** Business keys and their hash key; insert-only, one row per key. */
  HUB("HUB", true),
  /** A relationship between hubs: the hubs' hash keys and its own; insert-only. */
  LINK("LINK", true),
  /** Descriptive attributes of a hub or link; a new row when their hash diff changes. */
  SATELLITE("SATELLITE", true),
  /** When a link's relationship starts and ends, per driving key. */
  EFFECTIVITY_SATELLITE("EFFECTIVITY SATELLITE", true),
  /** Point in time: the satellites' rows current at each change of a hub key; rebuilt each run. */
  PIT("PIT", false),
  /** The hub's keys with the links that reach them, for marts; rebuilt each run. */
  BRIDGE("BRIDGE", false);

  private final String keyword;
  private final boolean loaded;

  VaultKind(String keyword, boolean loaded) {
    this.keyword = keyword;
    this.loaded = loaded;
  }

  /** How it is written in SQL: {@code HUB}, {@code EFFECTIVITY SATELLITE}. */
  public String keyword() {
    return keyword;
  }

  /** Whether flows load it ({@code LOAD HUB ...}); PIT and bridge tables are computed instead. */
  public boolean loaded() {
    return loaded;
  }

  /** Lower case, for messages: "effectivity satellite". */
  public String description() {
    return this == PIT
        ? "PIT table"
        : this == BRIDGE ? "bridge table" : keyword.toLowerCase(java.util.Locale.ROOT);
  }
}

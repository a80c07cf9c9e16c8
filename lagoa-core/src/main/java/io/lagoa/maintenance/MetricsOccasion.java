package io.lagoa.maintenance;

import java.util.Arrays;
import java.util.Locale;

/** Why a table's metrics were recorded: a collection on its own, or around a maintenance pass. */
public enum MetricsOccasion {
  COLLECT,
  BEFORE_MAINTENANCE,
  AFTER_MAINTENANCE;

  /** As stored: {@code collect}, {@code before_maintenance}, {@code after_maintenance}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static MetricsOccasion of(String id) {
    return Arrays.stream(values())
        .filter(occasion -> occasion.id().equals(id))
        .findFirst()
        .orElse(COLLECT);
  }
}

package io.lagoa.maintenance;

import java.time.Duration;
import java.util.List;

/** A table's maintenance properties, parsed (see {@link MaintenanceProperties}). */
public record MaintenanceSettings(
    boolean enabled,
    long targetFileSizeBytes,
    long smallFileSizeBytes,
    int compactMinSmallFiles,
    double maxDeleteFileRatio,
    int maxManifests,
    Duration snapshotRetention,
    int minSnapshots,
    Duration orphanSafetyWindow,
    boolean removeOrphanFiles,
    List<String> clusterBy,
    Duration quarantineRetention) {

  /** The defaults, for a table without any maintenance property. */
  public static MaintenanceSettings defaults() {
    return MaintenanceProperties.settings("a table", java.util.Map.of());
  }
}

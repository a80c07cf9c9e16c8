package io.lagoa.table;

import java.time.Instant;
import java.util.Optional;

/** One line of {@code lagoa tables}. */
public record TableSummary(
    String name,
    long rows,
    long dataFiles,
    long totalBytes,
    int snapshots,
    Optional<Instant> lastUpdated) {}

package io.lagoa.table;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything {@code lagoa table show} reports about one table. */
public record TableDescription(
    String name,
    String location,
    int formatVersion,
    List<ColumnInfo> columns,
    List<String> identifierColumns,
    String partitionSpec,
    String sortOrder,
    Map<String, String> properties,
    Optional<SnapshotEntry> currentSnapshot,
    int snapshotCount,
    long rows,
    long dataFiles,
    long deleteFiles,
    long totalBytes,
    Optional<Instant> lastUpdated) {}

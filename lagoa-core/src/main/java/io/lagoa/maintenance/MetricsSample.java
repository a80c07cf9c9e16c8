package io.lagoa.maintenance;

/** One row of {@code lagoa_system.table_metrics}: a table's metrics and why they were taken. */
public record MetricsSample(TableMetrics metrics, MetricsOccasion occasion) {}

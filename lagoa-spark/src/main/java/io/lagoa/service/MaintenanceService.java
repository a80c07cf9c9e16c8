package io.lagoa.service;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.maintenance.ActionOutcome;
import io.lagoa.maintenance.MaintenancePlan;
import io.lagoa.maintenance.MaintenancePolicy;
import io.lagoa.maintenance.MaintenanceProperties;
import io.lagoa.maintenance.MaintenanceResult;
import io.lagoa.maintenance.MetricsOccasion;
import io.lagoa.maintenance.MetricsSample;
import io.lagoa.maintenance.PipelinePositions;
import io.lagoa.maintenance.PlannedAction;
import io.lagoa.maintenance.TableMetrics;
import io.lagoa.maintenance.TableMetricsCollector;
import io.lagoa.pipeline.lease.PipelineBusyException;
import io.lagoa.pipeline.lease.PipelineLease;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.spark.maintenance.MetricsHistory;
import io.lagoa.spark.maintenance.TableMaintainer;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import io.lagoa.table.TableSummary;
import io.lagoa.text.EditDistance;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * Table health and maintenance of one lakehouse. Metrics are read through the Iceberg API without
 * the engine; recording them, reading their history and maintaining tables start it. Maintenance
 * plans each table's actions from its health ({@link MaintenancePolicy}), keeps what pipelines
 * still need ({@link PipelinePositions}), runs the actions with Iceberg's Spark actions, and
 * records the metrics before and after in {@code lagoa_system.table_metrics}.
 */
public final class MaintenanceService {
  /** Prefix of the lease a maintenance pass holds on a table, beside the pipelines' leases. */
  public static final String LEASE_PREFIX = "maintenance of ";

  private final Lakehouse lakehouse;
  private final Clock clock;

  public MaintenanceService(Lakehouse lakehouse) {
    this(lakehouse, Clock.systemUTC());
  }

  public MaintenanceService(Lakehouse lakehouse, Clock clock) {
    this.lakehouse = lakehouse;
    this.clock = clock;
  }

  /** The one table named, checked to exist (with a did-you-mean), or every table when empty. */
  public List<TableIdentifier> tables(Optional<TableIdentifier> table) {
    if (table.isPresent()) {
      return List.of(require(table.get()));
    }
    return allTables();
  }

  /** The metrics of each table, from metadata (no engine). */
  public List<TableMetrics> metrics(List<TableIdentifier> tables) {
    TableMetricsCollector collector = new TableMetricsCollector(clock);
    List<TableMetrics> metrics = new ArrayList<>();
    for (TableIdentifier identifier : tables) {
      Optional<Table> table = load(identifier);
      table.ifPresent(t -> metrics.add(collector.collect(identifier.toString(), t)));
    }
    return metrics;
  }

  /** Appends metrics to {@code lagoa_system.table_metrics}; starts the engine. */
  public void record(List<TableMetrics> metrics, MetricsOccasion occasion) {
    List<MetricsSample> samples = new ArrayList<>();
    for (TableMetrics sample : metrics) {
      samples.add(new MetricsSample(sample, occasion));
    }
    new MetricsHistory(lakehouse.session()).record(samples);
  }

  /** What was recorded of a table, oldest first; starts the engine. */
  public List<MetricsSample> history(TableIdentifier table) {
    List<MetricsSample> samples = new MetricsHistory(lakehouse.session()).history(table.toString());
    if (samples.isEmpty()) {
      require(table); // a misspelled name says so; an existing table just has no history yet
    }
    return samples;
  }

  /**
   * Sets table properties, checking the maintenance ones first (the catalog's commit checks them
   * again, for changes made in SQL).
   */
  public Map<String, String> setProperties(TableIdentifier identifier, Map<String, String> values) {
    TableIdentifier table = require(identifier);
    Table loaded = lakehouse.catalog().loadTable(table);
    Map<String, String> after = new java.util.HashMap<>(loaded.properties());
    after.putAll(values);
    MaintenanceProperties.validateChange(table.toString(), loaded.properties(), after);
    UpdateProperties update = loaded.updateProperties();
    values.forEach(update::set);
    update.commit();
    loaded.refresh();
    return loaded.properties();
  }

  /**
   * Plans and (unless {@code dryRun}) runs maintenance on each table, one after the other. A table
   * that cannot be maintained (planned wrong, or maintained by another process) is reported in its
   * result and the others carry on.
   *
   * @param progress told what is being done, one line at a time
   */
  public List<MaintenanceResult> maintain(
      List<TableIdentifier> tables, boolean dryRun, Consumer<String> progress) {
    PipelinePositions positions = PipelinePositions.scan(lakehouse.catalog(), allTables());
    Optional<PipelineLeases> leases =
        dryRun ? Optional.empty() : PipelineLeases.of(lakehouse.config(), clock);
    List<MaintenanceResult> results = new ArrayList<>();
    List<MetricsSample> samples = new ArrayList<>();
    for (TableIdentifier identifier : tables) {
      results.add(maintainOne(identifier, dryRun, positions, leases, samples, progress));
    }
    if (!dryRun && !samples.isEmpty()) {
      new MetricsHistory(lakehouse.session()).record(samples);
    }
    return results;
  }

  private MaintenanceResult maintainOne(
      TableIdentifier identifier,
      boolean dryRun,
      PipelinePositions positions,
      Optional<PipelineLeases> leases,
      List<MetricsSample> samples,
      Consumer<String> progress) {
    String name = identifier.toString();
    PipelineLease lease = null;
    try {
      if (leases.isPresent()) {
        try {
          lease = leases.get().acquire(LEASE_PREFIX + name, false);
        } catch (PipelineBusyException e) {
          return failed(
              name,
              "another maintenance of "
                  + name
                  + " is running on "
                  + e.lease().holder()
                  + " since "
                  + e.lease().acquiredAt().truncatedTo(ChronoUnit.SECONDS)
                  + "; nothing was changed");
        }
      }
      Optional<Table> loaded = load(identifier);
      if (loaded.isEmpty()) {
        return failed(name, "the table was dropped meanwhile");
      }
      Table table = loaded.get();
      TableMetrics before;
      MaintenancePlan plan;
      try {
        before = new TableMetricsCollector(clock).collect(name, table);
        plan =
            MaintenancePolicy.plan(
                name,
                table,
                before,
                positions.needed(name, table),
                positions.quarantinePending(name, table),
                clock.instant());
      } catch (LagoaException e) {
        return failed(name, e.getMessage());
      }
      if (dryRun) {
        return new MaintenanceResult(
            name, Optional.of(plan), List.of(), Optional.empty(), Optional.empty());
      }
      List<ActionOutcome> outcomes = new ArrayList<>();
      TableMaintainer maintainer = new TableMaintainer(lakehouse.session());
      for (PlannedAction action : plan.toRun()) {
        progress.accept(name + ": " + action.action().label() + "...");
        outcomes.add(maintainer.run(plan, action));
      }
      Table after = lakehouse.catalog().loadTable(identifier);
      TableMetrics metricsAfter = new TableMetricsCollector(clock).collect(name, after);
      if (plan.toRun().isEmpty()) {
        samples.add(new MetricsSample(metricsAfter, MetricsOccasion.COLLECT)); // nothing to do
      } else {
        samples.add(new MetricsSample(before, MetricsOccasion.BEFORE_MAINTENANCE));
        samples.add(new MetricsSample(metricsAfter, MetricsOccasion.AFTER_MAINTENANCE));
      }
      return new MaintenanceResult(
          name, Optional.of(plan), outcomes, Optional.of(metricsAfter), Optional.empty());
    } finally {
      if (lease != null) {
        lease.close();
      }
    }
  }

  private static MaintenanceResult failed(String table, String why) {
    return new MaintenanceResult(
        table, Optional.empty(), List.of(), Optional.empty(), Optional.of(why));
  }

  private Optional<Table> load(TableIdentifier identifier) {
    try {
      return Optional.of(lakehouse.catalog().loadTable(identifier));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private List<TableIdentifier> allTables() {
    List<TableIdentifier> tables = new ArrayList<>();
    for (TableSummary summary : new TableInspector(lakehouse.catalog()).list(Optional.empty())) {
      tables.add(TableNames.parse(summary.name()));
    }
    return tables;
  }

  /** The table, when it exists; otherwise an error naming the closest existing table. */
  private TableIdentifier require(TableIdentifier table) {
    if (lakehouse.catalog().tableExists(table)) {
      return table;
    }
    List<String> names = allTables().stream().map(TableIdentifier::toString).toList();
    throw new LagoaException(
        ErrorCode.TABLE_NOT_FOUND,
        "table "
            + table
            + " does not exist"
            + EditDistance.closest(table.toString(), names)
                .map(closest -> " (did you mean " + closest + "?)")
                .orElse(" (lagoa tables lists the tables there are)"));
  }
}

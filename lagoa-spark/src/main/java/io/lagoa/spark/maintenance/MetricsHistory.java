package io.lagoa.spark.maintenance;

import io.lagoa.maintenance.MetricsOccasion;
import io.lagoa.maintenance.MetricsSample;
import io.lagoa.maintenance.TableMetrics;
import io.lagoa.spark.SparkSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Table metrics over time, in {@code lagoa_system.table_metrics} (created on first use): one row
 * per table each time metrics are recorded, so growth and decay can be charted.
 */
public final class MetricsHistory {
  public static final String TABLE = "lagoa_system.table_metrics";

  static final StructType SCHEMA =
      new StructType()
          .add("collected_at", DataTypes.TimestampType, false)
          .add("table_name", DataTypes.StringType, false)
          .add("occasion", DataTypes.StringType, false)
          .add("snapshot_id", DataTypes.LongType, true)
          .add("row_count", DataTypes.LongType, false)
          .add("data_bytes", DataTypes.LongType, false)
          .add("data_files", DataTypes.LongType, false)
          .add("avg_file_bytes", DataTypes.LongType, false)
          .add("small_files", DataTypes.LongType, false)
          .add("small_file_size_bytes", DataTypes.LongType, false)
          .add("partitions", DataTypes.LongType, false)
          .add("position_delete_files", DataTypes.LongType, false)
          .add("equality_delete_files", DataTypes.LongType, false)
          .add("data_manifests", DataTypes.LongType, false)
          .add("delete_manifests", DataTypes.LongType, false)
          .add("snapshots", DataTypes.LongType, false)
          .add("metadata_bytes", DataTypes.LongType, false)
          .add("oldest_snapshot_age_seconds", DataTypes.LongType, true)
          .add("last_commit_age_seconds", DataTypes.LongType, true)
          .add("bytes_added_last_day", DataTypes.LongType, false);

  private final SparkSession spark;

  public MetricsHistory(SparkSession spark) {
    this.spark = spark;
  }

  /** Appends the samples in one commit, creating the table on first use. */
  public void record(List<MetricsSample> samples) {
    if (samples.isEmpty()) {
      return;
    }
    onceMore(() -> new SparkSql(spark).run("CREATE NAMESPACE IF NOT EXISTS lagoa.lagoa_system"));
    onceMore(this::create);
    List<Row> rows = new ArrayList<>();
    for (MetricsSample sample : samples) {
      TableMetrics m = sample.metrics();
      rows.add(
          RowFactory.create(
              m.collectedAt(),
              m.table(),
              sample.occasion().id(),
              m.snapshotId().isPresent() ? m.snapshotId().getAsLong() : null,
              m.rows(),
              m.dataBytes(),
              m.dataFiles(),
              m.averageFileBytes(),
              m.smallFiles(),
              m.smallFileSizeBytes(),
              m.partitions(),
              m.positionDeleteFiles(),
              m.equalityDeleteFiles(),
              m.dataManifests(),
              m.deleteManifests(),
              m.snapshots(),
              m.metadataBytes(),
              m.oldestSnapshotAge().map(Duration::toSeconds).orElse(null),
              m.lastCommitAge().map(Duration::toSeconds).orElse(null),
              m.bytesAddedLastDay()));
    }
    try {
      spark.createDataFrame(rows, SCHEMA).writeTo("lagoa." + TABLE).append();
    } catch (Exception e) {
      throw SparkSql.translate("", e);
    }
  }

  /** The recorded samples of a table, oldest first; empty when nothing was recorded. */
  public List<MetricsSample> history(String table) {
    if (!spark.catalog().tableExists("lagoa." + TABLE)) {
      return List.of();
    }
    List<Row> rows;
    try {
      rows =
          spark
              .sql(
                  "SELECT * FROM lagoa."
                      + TABLE
                      + " WHERE lower(table_name) = lower(:table) ORDER BY collected_at",
                  Map.of("table", table))
              .collectAsList();
    } catch (Exception e) {
      throw SparkSql.translate("", e);
    }
    List<MetricsSample> samples = new ArrayList<>();
    for (Row row : rows) {
      samples.add(
          new MetricsSample(
              new TableMetrics(
                  row.getString(row.fieldIndex("table_name")),
                  row.getAs("collected_at"),
                  row.isNullAt(row.fieldIndex("snapshot_id"))
                      ? OptionalLong.empty()
                      : OptionalLong.of(row.getLong(row.fieldIndex("snapshot_id"))),
                  number(row, "row_count"),
                  number(row, "data_bytes"),
                  number(row, "data_files"),
                  number(row, "small_files"),
                  number(row, "small_file_size_bytes"),
                  number(row, "partitions"),
                  number(row, "position_delete_files"),
                  number(row, "equality_delete_files"),
                  number(row, "data_manifests"),
                  number(row, "delete_manifests"),
                  number(row, "snapshots"),
                  number(row, "metadata_bytes"),
                  seconds(row, "oldest_snapshot_age_seconds"),
                  seconds(row, "last_commit_age_seconds"),
                  number(row, "bytes_added_last_day")),
              MetricsOccasion.of(row.getString(row.fieldIndex("occasion")))));
    }
    return samples;
  }

  private static long number(Row row, String column) {
    int index = row.fieldIndex(column);
    return row.isNullAt(index) ? 0 : row.getLong(index);
  }

  private static Optional<Duration> seconds(Row row, String column) {
    int index = row.fieldIndex(column);
    return row.isNullAt(index)
        ? Optional.empty()
        : Optional.of(Duration.ofSeconds(row.getLong(index)));
  }

  private void create() {
    StringBuilder columns = new StringBuilder();
    for (StructField field : SCHEMA.fields()) {
      if (columns.length() > 0) {
        columns.append(", ");
      }
      columns.append(field.name()).append(' ').append(field.dataType().sql());
      if (!field.nullable()) {
        columns.append(" NOT NULL");
      }
    }
    new SparkSql(spark)
        .run("CREATE TABLE IF NOT EXISTS lagoa." + TABLE + " (" + columns + ") USING iceberg");
  }

  /** Another process creating the namespace or table at the same moment fails the first try. */
  private static void onceMore(Runnable statement) {
    try {
      statement.run();
    } catch (RuntimeException e) {
      statement.run();
    }
  }
}

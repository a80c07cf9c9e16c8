package io.lagoa.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.when;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.table.ChangeRange;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.OrderUtils;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows a range of commits inserted, deleted and updated, like Delta's {@code readChangeData}:
 * every column of the table plus {@code _change_type} (INSERT, DELETE, UPDATE_BEFORE,
 * UPDATE_AFTER), {@code _change_ordinal} (0 for the range's first commit), {@code
 * _commit_snapshot_id} and {@code _commit_timestamp}.
 *
 * <p>Built on Iceberg's {@code create_changelog_view} procedure, which drops copy-on-write
 * carry-over rows (rows a commit rewrote unchanged) and, given key columns, turns a DELETE and an
 * INSERT of the same key in one commit into an UPDATE_BEFORE/UPDATE_AFTER pair. Without a key an
 * update shows as a DELETE and an INSERT.
 */
public final class ChangeFeed {
  public static final String CHANGE_TYPE = "_change_type";
  public static final String CHANGE_ORDINAL = "_change_ordinal";
  public static final String COMMIT_SNAPSHOT_ID = "_commit_snapshot_id";
  public static final String COMMIT_TIMESTAMP = "_commit_timestamp";

  private static final List<String> METADATA_COLUMNS =
      List.of(CHANGE_TYPE, CHANGE_ORDINAL, COMMIT_SNAPSHOT_ID, COMMIT_TIMESTAMP);
  // Helper columns of the commit-time join; never in the result.
  private static final String JOIN_SNAPSHOT_ID = "__lagoa_snapshot_id";
  private static final String JOIN_COMMIT_MICROS = "__lagoa_commit_micros";

  private final SparkSession spark;

  public ChangeFeed(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * Reads the changes in a range (see {@link io.lagoa.table.TableInspector#changeRange}), ordered
   * by commit; within a commit by key with each UPDATE_BEFORE just ahead of its UPDATE_AFTER, or
   * without a key the commit's deletes first, then its inserts. At most {@code maxRows} rows are
   * fetched.
   */
  public QueryResult read(ChangeRange range, int maxRows) {
    TableIdentifier identifier = TableNames.parse(range.table());
    String action = "cannot read the changes of " + range.table();
    if (range.isEmpty()) {
      return SparkSql.collect(emptyChanges(identifier), maxRows);
    }
    String view = "lagoa_changes_" + UUID.randomUUID().toString().replace("-", "");
    String call = createViewCall(identifier, view, range);
    try {
      spark.sql(call).collect();
      Dataset<Row> changes = withCommitTimes(spark.table(view), range);
      return SparkSql.collect(ordered(changes, range), maxRows);
    } catch (Exception e) {
      throw translate(action, range, call, e);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** The CALL that makes the temporary view; snapshot ids only, so {@code --from} is exact. */
  static String createViewCall(TableIdentifier identifier, String view, ChangeRange range) {
    StringBuilder options = new StringBuilder("map(");
    range
        .startSnapshotIdExclusive()
        .ifPresent(id -> options.append("'start-snapshot-id', '").append(id).append("', "));
    options.append("'end-snapshot-id', '").append(range.endSnapshotId().getAsLong()).append("')");
    StringBuilder call =
        new StringBuilder("CALL ")
            .append(CatalogProperties.CATALOG_NAME)
            .append(".system.create_changelog_view(table => ")
            // With the catalog named, Iceberg does not first try "silver" as a catalog (and log a
            // warning with a stack trace when it is not one).
            .append(literal(quote(CatalogProperties.CATALOG_NAME) + "." + quoted(identifier)))
            .append(", changelog_view => ")
            .append(literal(view))
            .append(", options => ")
            .append(options);
    if (range.hasKey()) {
      // Naming the key columns is what turns DELETE+INSERT pairs into update images; the procedure
      // would not do so for the table's identifier fields unless they are passed explicitly.
      call.append(", compute_updates => true, identifier_columns => array(")
          .append(
              range.keyColumns().stream()
                  .map(ChangeFeed::literal)
                  .collect(Collectors.joining(", ")))
          .append(")");
    }
    return call.append(")").toString();
  }

  private Dataset<Row> emptyChanges(TableIdentifier identifier) {
    Dataset<Row> table = spark.table(CatalogProperties.CATALOG_NAME + "." + quoted(identifier));
    return table
        .limit(0)
        .withColumn(CHANGE_TYPE, lit(null).cast(DataTypes.StringType))
        .withColumn(CHANGE_ORDINAL, lit(null).cast(DataTypes.IntegerType))
        .withColumn(COMMIT_SNAPSHOT_ID, lit(null).cast(DataTypes.LongType))
        .withColumn(COMMIT_TIMESTAMP, lit(null).cast(DataTypes.TimestampType));
  }

  private Dataset<Row> withCommitTimes(Dataset<Row> changes, ChangeRange range) {
    List<Row> commits = new ArrayList<>();
    for (SnapshotEntry snapshot : range.snapshots()) {
      commits.add(
          RowFactory.create(
              snapshot.snapshotId(),
              ChronoUnit.MICROS.between(Instant.EPOCH, snapshot.committedAt())));
    }
    StructType schema =
        new StructType()
            .add(JOIN_SNAPSHOT_ID, DataTypes.LongType, false)
            .add(JOIN_COMMIT_MICROS, DataTypes.LongType, false);
    Dataset<Row> times = spark.createDataFrame(commits, schema);
    List<Column> columns = new ArrayList<>();
    for (String name : changes.columns()) {
      if (!METADATA_COLUMNS.contains(name)) {
        columns.add(changes.col(quote(name)));
      }
    }
    columns.add(changes.col(CHANGE_TYPE));
    columns.add(changes.col(CHANGE_ORDINAL));
    columns.add(changes.col(COMMIT_SNAPSHOT_ID));
    columns.add(timestamp_micros(times.col(JOIN_COMMIT_MICROS)).as(COMMIT_TIMESTAMP));
    return changes
        .join(
            broadcast(times),
            changes.col(COMMIT_SNAPSHOT_ID).equalTo(times.col(JOIN_SNAPSHOT_ID)),
            "left")
        .select(columns.toArray(Column[]::new));
  }

  private static Dataset<Row> ordered(Dataset<Row> changes, ChangeRange range) {
    Column type = col(CHANGE_TYPE);
    Column typeOrder =
        when(type.equalTo("DELETE"), 0)
            .when(type.equalTo("UPDATE_BEFORE"), 1)
            .when(type.equalTo("UPDATE_AFTER"), 2)
            .otherwise(3);
    List<Column> order = new ArrayList<>();
    order.add(col(CHANGE_ORDINAL));
    if (range.hasKey()) {
      // Each key's changes together, the before image first.
      for (String key : range.keyColumns()) {
        order.add(col(quote(key)));
      }
      order.add(typeOrder);
    } else {
      // Nothing tells which rows belong together: a commit's deletes, then its inserts.
      order.add(typeOrder);
      for (StructField field : changes.schema().fields()) {
        if (!METADATA_COLUMNS.contains(field.name()) && OrderUtils.isOrderable(field.dataType())) {
          order.add(col(quote(field.name())));
        }
      }
    }
    return changes.orderBy(order.toArray(Column[]::new));
  }

  private static LagoaException translate(
      String action, ChangeRange range, String call, Exception error) {
    String message = messages(error);
    if (message.contains("multiple rows with the same identifier")) {
      return new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          action
              + ": the key ("
              + String.join(", ", range.keyColumns())
              + ") is not unique: one"
              + " commit deleted or inserted several rows with the same key: "
              + TableInspector.CHOOSE_KEY,
          error);
    }
    if (message.contains("Identifier field is required")) {
      return new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          action
              + ": it has map columns, which Spark cannot compare, so the change feed needs a"
              + " key: "
              + TableInspector.CHOOSE_KEY,
          error);
    }
    if (message.contains("Delete files are currently not supported")) {
      return new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          action
              + ": the range holds merge-on-read delete files, which Iceberg's change feed"
              + " cannot read yet; see docs/tables.md (lagoa changes)",
          error);
    }
    return SparkSql.translate(call, error);
  }

  private static String messages(Throwable error) {
    StringBuilder text = new StringBuilder();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable cause = error; cause != null && seen.add(cause); cause = cause.getCause()) {
      text.append(cause.getMessage()).append('\n');
    }
    return text.toString();
  }

  private static String quoted(TableIdentifier identifier) {
    List<String> parts = new ArrayList<>(Arrays.asList(identifier.namespace().levels()));
    parts.add(identifier.name());
    return parts.stream().map(ChangeFeed::quote).collect(Collectors.joining("."));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String literal(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}

package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import io.lagoa.table.ChangeRange;
import io.lagoa.table.PointInTime;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import io.lagoa.testing.TestingWarehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestChangeFeed {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;
  private static Catalog catalog;
  private static TableInspector inspector;

  /** The snapshots of silver.customers, which most tests read. */
  private static List<Long> snapshots;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
    catalog = LagoaCatalogs.open(warehouse.config());
    inspector = new TableInspector(catalog);
    sql.run("CREATE NAMESPACE IF NOT EXISTS silver");
    snapshots = customers("customers", "");
  }

  @AfterAll
  static void stop() throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
    warehouse.close();
  }

  /** Inserts, a copy-on-write UPDATE, a DELETE and a MERGE; returns the four snapshot ids. */
  private static List<Long> customers(String name, String extraDdl) {
    sql.run(
        "CREATE TABLE silver."
            + name
            + " (id BIGINT NOT NULL, name STRING, city STRING)"
            + " USING iceberg"
            + extraDdl);
    List<Long> snapshots = new ArrayList<>();
    // One file, so that the UPDATE below rewrites rows 1 and 3 unchanged (carry-over rows).
    sql.run(
        "INSERT INTO silver."
            + name
            + " SELECT /*+ COALESCE(1) */ * FROM VALUES"
            + " (1L, 'ana', 'rio'), (2L, 'bia', 'sp'), (3L, 'caio', 'bh') AS v(id, name, city)");
    snapshots.add(current(name));
    sql.run("UPDATE silver." + name + " SET city = 'recife' WHERE id = 2");
    snapshots.add(current(name));
    sql.run("DELETE FROM silver." + name + " WHERE id = 3");
    snapshots.add(current(name));
    sql.run(
        "MERGE INTO silver."
            + name
            + " t USING (SELECT * FROM VALUES (1L, 'ana', 'niteroi'),"
            + " (4L, 'duda', 'poa') AS v(id, name, city)) s ON t.id = s.id"
            + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    snapshots.add(current(name));
    return snapshots;
  }

  private static List<String> temporaryViews() {
    List<String> names = new ArrayList<>();
    spark.sessionState().catalog().listLocalTempViews("*").foreach(view -> names.add(view.table()));
    return names;
  }

  private static long current(String name) {
    return catalog.loadTable(TableNames.parse("silver." + name)).currentSnapshot().snapshotId();
  }

  private static ChangeRange range(String name, long from, List<String> keys) {
    return inspector.changeRange(
        TableNames.parse("silver." + name), snapshot(from), Optional.empty(), keys);
  }

  private static PointInTime snapshot(long id) {
    return new PointInTime(OptionalLong.of(id), Optional.empty());
  }

  /** Each row as "ordinal TYPE id name city". */
  private static List<String> changes(QueryResult result) {
    List<String> names = result.columns().stream().map(ResultColumn::name).toList();
    List<String> lines = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      lines.add(
          row.get(names.indexOf("_change_ordinal"))
              + " "
              + row.get(names.indexOf("_change_type"))
              + " "
              + row.get(0)
              + " "
              + row.get(1)
              + " "
              + row.get(2));
    }
    return lines;
  }

  @Test
  void keyedChangesPairUpdatesAndDropCarryOverRows() {
    ChangeRange range = range("customers", snapshots.get(0), List.of("id"));
    QueryResult result = new ChangeFeed(spark).read(range, 100);

    assertThat(result.columns())
        .extracting(ResultColumn::name)
        .containsExactly(
            "id",
            "name",
            "city",
            "_change_type",
            "_change_ordinal",
            "_commit_snapshot_id",
            "_commit_timestamp");
    assertThat(changes(result))
        .containsExactly(
            "0 INSERT 1 ana rio",
            "0 INSERT 2 bia sp",
            "0 INSERT 3 caio bh",
            "1 UPDATE_BEFORE 2 bia sp",
            "1 UPDATE_AFTER 2 bia recife",
            "2 DELETE 3 caio bh",
            "3 UPDATE_BEFORE 1 ana rio",
            "3 UPDATE_AFTER 1 ana niteroi",
            "3 INSERT 4 duda poa");
    List<Object> update = result.rows().get(3);
    assertThat(update.get(5)).isEqualTo(snapshots.get(1));
    SnapshotEntry second = range.snapshots().get(1);
    assertThat(update.get(6)).isEqualTo(second.committedAt());
    assertThat(temporaryViews()).isEmpty();
  }

  @Test
  void fromIsInclusiveAndOrdinalsCountFromTheRangeStart() {
    ChangeRange range =
        inspector.changeRange(
            TableNames.parse("silver.customers"),
            snapshot(snapshots.get(1)),
            Optional.of(snapshot(snapshots.get(2))),
            List.of("id"));
    assertThat(changes(new ChangeFeed(spark).read(range, 100)))
        .containsExactly(
            "0 UPDATE_BEFORE 2 bia sp", "0 UPDATE_AFTER 2 bia recife", "1 DELETE 3 caio bh");

    Instant mergeAt =
        range("customers", snapshots.get(3), List.of()).snapshots().get(0).committedAt();
    ChangeRange byTime =
        inspector.changeRange(
            TableNames.parse("silver.customers"),
            PointInTime.at(mergeAt),
            Optional.empty(),
            List.of("id"));
    assertThat(changes(new ChangeFeed(spark).read(byTime, 100)))
        .containsExactly(
            "0 UPDATE_BEFORE 1 ana rio", "0 UPDATE_AFTER 1 ana niteroi", "0 INSERT 4 duda poa");
  }

  @Test
  void withoutAKeyAnUpdateIsADeleteAndAnInsert() {
    ChangeRange range = range("customers", snapshots.get(1), List.of());
    assertThat(range.hasKey()).isFalse();
    assertThat(changes(new ChangeFeed(spark).read(range, 100)))
        .containsExactly(
            "0 DELETE 2 bia sp",
            "0 INSERT 2 bia recife",
            "1 DELETE 3 caio bh",
            "2 DELETE 1 ana rio",
            "2 INSERT 1 ana niteroi",
            "2 INSERT 4 duda poa");
  }

  @Test
  void usesTheTableIdentifierFieldsAsTheKey() {
    sql.run(
        "CREATE TABLE silver.identified (id BIGINT NOT NULL, name STRING, city STRING)"
            + " USING iceberg");
    sql.run("ALTER TABLE silver.identified SET IDENTIFIER FIELDS id");
    sql.run("INSERT INTO silver.identified VALUES (1, 'ana', 'rio')");
    sql.run("UPDATE silver.identified SET city = 'recife'");
    ChangeRange range = range("identified", current("identified"), List.of());
    assertThat(range.keyFromTable()).isTrue();
    assertThat(changes(new ChangeFeed(spark).read(range, 100)))
        .containsExactly("0 UPDATE_BEFORE 1 ana rio", "0 UPDATE_AFTER 1 ana recife");
  }

  @Test
  void anEmptyRangeHasTheColumnsAndNoRows() {
    ChangeRange range =
        inspector.changeRange(
            TableNames.parse("silver.customers"),
            PointInTime.at(Instant.now().plusSeconds(60)),
            Optional.empty(),
            List.of());
    QueryResult result = new ChangeFeed(spark).read(range, 100);
    assertThat(result.rows()).isEmpty();
    assertThat(result.columns())
        .extracting(ResultColumn::name)
        .containsExactly(
            "id",
            "name",
            "city",
            "_change_type",
            "_change_ordinal",
            "_commit_snapshot_id",
            "_commit_timestamp");
  }

  @Test
  void stopsAtMaxRows() {
    QueryResult result =
        new ChangeFeed(spark).read(range("customers", snapshots.get(0), List.of("id")), 2);
    assertThat(result.rows()).hasSize(2);
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void aKeyThatIsNotUniqueIsAClearError() {
    sql.run("CREATE TABLE silver.duplicates (id BIGINT, name STRING, city STRING) USING iceberg");
    sql.run("INSERT INTO silver.duplicates VALUES (1, 'ana', 'rio'), (2, 'bia', 'rio')");
    // This commit deletes and re-inserts two rows that both have city 'rio'.
    sql.run("UPDATE silver.duplicates SET name = upper(name)");
    ChangeRange clash = range("duplicates", current("duplicates"), List.of("city"));
    assertThatThrownBy(() -> new ChangeFeed(spark).read(clash, 100))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("cannot read the changes of silver.duplicates")
        .hasMessageContaining("the key (city) is not unique")
        .hasMessageContaining("name the key columns that identify one row")
        .hasMessageNotContaining("--key");
    assertThat(temporaryViews()).isEmpty();
  }

  @Test
  void mergeOnReadDeletesAreRefusedUpFrontAndCompactionClearsThem() {
    String modes =
        " TBLPROPERTIES ('write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read',"
            + " 'write.merge.mode'='merge-on-read')";
    List<Long> mor = customers("mor", modes);
    assertThatThrownBy(() -> range("mor", mor.get(0), List.of("id")))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT))
        .hasMessageContaining("at snapshot " + mor.get(1))
        .hasMessageContaining("merge-on-read delete files");
    // The first commit alone is readable.
    ChangeRange first =
        inspector.changeRange(
            TableNames.parse("silver.mor"),
            snapshot(mor.get(0)),
            Optional.of(snapshot(mor.get(0))),
            List.of("id"));
    assertThat(new ChangeFeed(spark).read(first, 100).rows()).hasSize(3);

    // The fix docs/tables.md gives: copy-on-write from now on, and a compaction that drops the
    // delete files; commits after it can be read again.
    sql.run(
        "ALTER TABLE silver.mor SET TBLPROPERTIES ('write.delete.mode'='copy-on-write',"
            + " 'write.update.mode'='copy-on-write', 'write.merge.mode'='copy-on-write')");
    sql.run(
        "CALL lagoa.system.rewrite_data_files(table => 'silver.mor', options =>"
            + " map('delete-file-threshold', '1', 'remove-dangling-deletes', 'true'))");
    sql.run("UPDATE silver.mor SET city = 'manaus' WHERE id = 4");
    long after = current("mor");
    assertThat(changes(new ChangeFeed(spark).read(range("mor", after, List.of("id")), 100)))
        .containsExactly("0 UPDATE_BEFORE 4 duda poa", "0 UPDATE_AFTER 4 duda manaus");
  }
}

package io.lagoa.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.lagoa.catalog.TemporaryCatalog;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table inspection straight through the Iceberg API, on a real SQLite catalog. Data files are
 * registered in metadata only: none of this reads them, which is the point of the inspector.
 */
class TestTableInspector {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Types.NestedField.required(1, "id", Types.LongType.get()),
              Types.NestedField.optional(2, "name", Types.StringType.get(), "customer name"),
              Types.NestedField.optional(3, "ts", Types.TimestampType.withZone()),
              Types.NestedField.optional(
                  4,
                  "address",
                  Types.StructType.of(
                      Types.NestedField.optional(5, "city", Types.StringType.get()),
                      Types.NestedField.optional(6, "zip", Types.StringType.get()))),
              Types.NestedField.optional(
                  7,
                  "items",
                  Types.ListType.ofOptional(
                      8,
                      Types.StructType.of(
                          Types.NestedField.optional(9, "sku", Types.StringType.get()))))),
          java.util.Set.of(1));

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;
  private TableInspector inspector;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder);
    catalog = temporary.catalog();
    inspector = new TableInspector(catalog);
  }

  @AfterEach
  void close() throws Exception {
    temporary.close();
  }

  @Test
  void listsTablesRecursivelyUnderANamespaceOrAll() {
    createNamespace("bronze");
    createNamespace("silver");
    createNamespace("silver", "eu");
    Table orders = catalog.createTable(TableIdentifier.of("bronze", "orders"), SCHEMA);
    catalog.createTable(TableIdentifier.of("silver", "customers"), SCHEMA);
    catalog.createTable(TableIdentifier.of(Namespace.of("silver", "eu"), "sales"), SCHEMA);
    append(orders, 10, 1000);
    append(orders, 5, 500);

    List<TableSummary> all = inspector.list(Optional.empty());
    assertThat(all)
        .extracting(TableSummary::name)
        .containsExactly("bronze.orders", "silver.customers", "silver.eu.sales");
    TableSummary first = all.get(0);
    assertThat(first.rows()).isEqualTo(15);
    assertThat(first.dataFiles()).isEqualTo(2);
    assertThat(first.totalBytes()).isEqualTo(1500);
    assertThat(first.snapshots()).isEqualTo(2);
    assertThat(first.lastUpdated()).isPresent();
    TableSummary empty = all.get(1);
    assertThat(empty.rows()).isZero();
    assertThat(empty.snapshots()).isZero();

    assertThat(inspector.list(Optional.of(Namespace.of("silver"))))
        .extracting(TableSummary::name)
        .containsExactly("silver.customers", "silver.eu.sales");
    assertThat(inspector.list(Optional.of(Namespace.of("silver", "eu"))))
        .extracting(TableSummary::name)
        .containsExactly("silver.eu.sales");
  }

  @Test
  void listingAnUnknownNamespaceSaysSo() {
    assertThatThrownBy(() -> inspector.list(Optional.of(Namespace.of("gold"))))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("namespace gold does not exist")
        .hasMessageContaining("lagoa tables");
    assertThat(inspector.list(Optional.empty())).isEmpty();
  }

  @Test
  void describesSchemaLayoutAndState() {
    createNamespace("silver");
    PartitionSpec spec =
        PartitionSpec.builderFor(SCHEMA).day("ts").bucket("id", 16).truncate("name", 4).build();
    SortOrder order = SortOrder.builderFor(SCHEMA).asc("name").desc("id").build();
    Table table =
        catalog
            .buildTable(TableIdentifier.of("silver", "customers"), SCHEMA)
            .withPartitionSpec(spec)
            .withSortOrder(order)
            .withProperty("owner", "data-team")
            .create();

    TableDescription description = inspector.describe(TableIdentifier.of("silver", "customers"));
    assertThat(description.name()).isEqualTo("silver.customers");
    assertThat(description.formatVersion()).isEqualTo(2);
    assertThat(description.location()).isEqualTo(table.location());
    assertThat(description.columns())
        .extracting(ColumnInfo::name)
        .containsExactly(
            "id",
            "name",
            "ts",
            "address",
            "address.city",
            "address.zip",
            "items",
            "items.element.sku");
    assertThat(description.columns().get(0)).isEqualTo(new ColumnInfo(1, "id", "long", true, null));
    assertThat(description.columns().get(1))
        .isEqualTo(new ColumnInfo(2, "name", "string", false, "customer name"));
    assertThat(description.columns().get(2).type()).isEqualTo("timestamptz");
    assertThat(description.columns().get(4).fieldId()).isEqualTo(6);
    assertThat(description.columns())
        .extracting(ColumnInfo::type)
        .containsExactly(
            "long",
            "string",
            "timestamptz",
            "struct",
            "string",
            "string",
            "list<struct>",
            "string");
    assertThat(description.identifierColumns()).containsExactly("id");
    assertThat(description.partitionSpec())
        .isEqualTo("days(ts), bucket(16, id), truncate(4, name)");
    assertThat(description.sortOrder()).isEqualTo("name ASC NULLS FIRST, id DESC NULLS LAST");
    assertThat(description.properties()).containsEntry("owner", "data-team");
    assertThat(description.currentSnapshot()).isEmpty();
    assertThat(description.snapshotCount()).isZero();
    assertThat(description.rows()).isZero();
  }

  @Test
  void describesUnpartitionedUnsortedTablesWithData() {
    Table table = createTable("plain");
    append(table, 7, 700);
    append(table, 3, 300);
    addPositionDeletes(table);

    TableDescription description = inspector.describe(id("plain"));
    assertThat(description.partitionSpec()).isEqualTo("unpartitioned");
    assertThat(description.sortOrder()).isEqualTo("unsorted");
    assertThat(description.rows()).isEqualTo(10);
    assertThat(description.dataFiles()).isEqualTo(2);
    assertThat(description.deleteFiles()).isEqualTo(1);
    assertThat(description.snapshotCount()).isEqualTo(3);
    assertThat(description.currentSnapshot()).isPresent();
    assertThat(description.currentSnapshot().get().operation()).isEqualTo("delete");
    assertThat(description.currentSnapshot().get().current()).isTrue();
  }

  @Test
  void unknownTablesPointToTheListing() {
    assertThatThrownBy(() -> inspector.describe(id("nope")))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessage("table silver.nope does not exist (lagoa tables lists the tables there are)");
    assertThatThrownBy(() -> inspector.history(id("nope")))
        .hasMessageContaining("silver.nope does not exist");
    assertThatThrownBy(() -> inspector.rollback(id("nope"), PointInTime.at(Instant.now())))
        .hasMessageContaining("silver.nope does not exist");
  }

  @Test
  void historyIsNewestFirstAndMarksRolledBackSnapshots() {
    Table table = createTable("orders");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);
    long third = append(table, 1, 10);

    List<SnapshotEntry> history = inspector.history(id("orders"));
    assertThat(history).extracting(SnapshotEntry::snapshotId).containsExactly(third, second, first);
    assertThat(history).extracting(SnapshotEntry::current).containsExactly(true, false, false);
    assertThat(history.get(0).parentId()).hasValue(second);
    assertThat(history.get(2).parentId()).isEmpty();
    assertThat(history.get(0).addedRecords()).isEqualTo(1);
    assertThat(history.get(0).totalRecords()).isEqualTo(16);
    assertThat(history.get(0).operation()).isEqualTo("append");

    inspector.rollback(id("orders"), snapshot(first));
    history = inspector.history(id("orders"));
    assertThat(history).extracting(SnapshotEntry::current).containsExactly(false, false, true);
    assertThat(history)
        .extracting(SnapshotEntry::inCurrentLineage)
        .containsExactly(false, false, true);
    assertThat(history)
        .extracting(SnapshotEntry::status)
        .containsExactly(
            SnapshotStatus.ROLLED_BACK, SnapshotStatus.ROLLED_BACK, SnapshotStatus.CURRENT);
  }

  @Test
  void appendsAreOneHistory() {
    Table table = createTable("orders");
    append(table, 10, 100);
    append(table, 5, 50);
    append(table, 1, 10);
    assertThat(statuses("orders"))
        .containsExactly(SnapshotStatus.CURRENT, SnapshotStatus.ANCESTOR, SnapshotStatus.ANCESTOR);
  }

  @Test
  void snapshotsOfAReplacedTableAreReplacedNotRolledBack() {
    // A materialized view: CREATE OR REPLACE TABLE ... AS SELECT on every run.
    Table table = createTable("mv");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);
    long firstRun = replace("mv", 3, 30);
    long secondRun = replace("mv", 4, 40);

    List<SnapshotEntry> history = inspector.history(id("mv"));
    assertThat(history)
        .extracting(SnapshotEntry::snapshotId)
        .containsExactly(secondRun, firstRun, second, first);
    assertThat(history.get(0).parentId()).isEmpty(); // a replace starts a new history
    assertThat(history)
        .extracting(SnapshotEntry::status)
        .containsExactly(
            SnapshotStatus.CURRENT,
            SnapshotStatus.REPLACED,
            SnapshotStatus.REPLACED,
            SnapshotStatus.REPLACED);
    assertThat(history.get(0).totalRecords()).isEqualTo(4);
    assertThatThrownBy(
            () -> inspector.changeRange(id("mv"), snapshot(first), Optional.empty(), List.of()))
        .hasMessageContaining(
            "snapshot "
                + first
                + " (the range's start) is not in the history that leads to snapshot "
                + secondRun
                + " (the table was replaced after it)");

    // Appending to the replacement continues its history.
    table.refresh();
    long appended = append(table, 1, 10);
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(
            tuple(appended, SnapshotStatus.CURRENT),
            tuple(secondRun, SnapshotStatus.ANCESTOR),
            tuple(firstRun, SnapshotStatus.REPLACED),
            tuple(second, SnapshotStatus.REPLACED),
            tuple(first, SnapshotStatus.REPLACED));
  }

  @Test
  void aRollbackAfterReplacesIsARollback() {
    Table table = createTable("mv");
    long first = append(table, 10, 100);
    long firstRun = replace("mv", 3, 30);
    table.refresh();
    long appended = append(table, 1, 10);
    long secondRun = replace("mv", 4, 40);

    // Back to the state before the last run: only the last run's snapshot is rolled back.
    inspector.rollback(id("mv"), snapshot(appended));
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.ROLLED_BACK, // secondRun
            SnapshotStatus.CURRENT, // appended
            SnapshotStatus.ANCESTOR, // firstRun
            SnapshotStatus.REPLACED); // first

    // Within one history: roll back the append; the replaced table before it stays replaced.
    inspector.rollback(id("mv"), snapshot(firstRun));
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.CURRENT,
            SnapshotStatus.REPLACED);

    // Back across a replace, to the table as it was before the first run.
    inspector.rollback(id("mv"), snapshot(first));
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.CURRENT);
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId)
        .containsExactly(secondRun, appended, firstRun, first);

    // And forward again to the last run: everything before it is history that was replaced.
    inspector.rollback(id("mv"), snapshot(secondRun));
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.CURRENT,
            SnapshotStatus.REPLACED,
            SnapshotStatus.REPLACED,
            SnapshotStatus.REPLACED);
  }

  @Test
  void undoingARollbackOfAMaterializedViewBringsBackItsHistory() {
    createTable("mv");
    long firstRun = replace("mv", 1, 10);
    long secondRun = replace("mv", 2, 20);
    long thirdRun = replace("mv", 3, 30);

    inspector.rollback(id("mv"), snapshot(secondRun));
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.ROLLED_BACK, SnapshotStatus.CURRENT, SnapshotStatus.REPLACED);

    // A run after the rollback replaces the table again; undoing the rollback then rolls that
    // run back, and the runs before the third are replaced, as they were.
    long fourthRun = replace("mv", 4, 40);
    assertThat(statuses("mv"))
        .containsExactly(
            SnapshotStatus.CURRENT,
            SnapshotStatus.ROLLED_BACK,
            SnapshotStatus.REPLACED,
            SnapshotStatus.REPLACED);
    inspector.rollback(id("mv"), snapshot(thirdRun));
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(
            tuple(fourthRun, SnapshotStatus.ROLLED_BACK),
            tuple(thirdRun, SnapshotStatus.CURRENT),
            tuple(secondRun, SnapshotStatus.REPLACED),
            tuple(firstRun, SnapshotStatus.REPLACED));
  }

  @Test
  void aReplaceThatWritesNothingLeavesTheTableWithoutACurrentSnapshot() {
    Table table = createTable("mv");
    long first = append(table, 10, 100);
    catalog.newReplaceTableTransaction(id("mv"), SCHEMA, false).commitTransaction();
    assertThat(catalog.loadTable(id("mv")).currentSnapshot()).isNull();
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(tuple(first, SnapshotStatus.REPLACED));

    table.refresh();
    long next = append(table, 1, 10);
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(
            tuple(next, SnapshotStatus.CURRENT), tuple(first, SnapshotStatus.REPLACED));
  }

  @Test
  void withTheLogCutByExpiryParentIdsTellRollbacksFromReplaces() {
    Table table = createTable("mv");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);
    inspector.rollback(id("mv"), snapshot(first));
    table.refresh();
    long afterRollback = append(table, 1, 10);
    long firstRun = replace("mv", 3, 30);
    long secondRun = replace("mv", 4, 40);
    // Expiring the first run cuts the snapshot log before it: it no longer says how the older
    // snapshots left the current history.
    table.refresh();
    table.expireSnapshots().expireSnapshotId(firstRun).cleanExpiredFiles(false).commit();
    table.refresh();
    assertThat(table.history())
        .extracting(org.apache.iceberg.HistoryEntry::snapshotId)
        .containsExactly(secondRun);

    // None of them shares an ancestor with the current history, so the table was replaced after
    // them (that 'second' had been rolled back before that is what the cut log no longer says).
    assertThat(inspector.history(id("mv")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(
            tuple(secondRun, SnapshotStatus.CURRENT),
            tuple(afterRollback, SnapshotStatus.REPLACED),
            tuple(second, SnapshotStatus.REPLACED),
            tuple(first, SnapshotStatus.REPLACED));

    // Within one history, a snapshot that shares an ancestor with the current one (here one that
    // is expired) branched off by a rollback.
    Table plain = createTable("plain");
    long root = append(plain, 1, 10);
    long leftBehind = append(plain, 1, 10);
    inspector.rollback(id("plain"), snapshot(root));
    plain.refresh();
    long kept = append(plain, 1, 10);
    plain.expireSnapshots().expireSnapshotId(root).cleanExpiredFiles(false).commit();
    plain.refresh();
    assertThat(plain.history())
        .extracting(org.apache.iceberg.HistoryEntry::snapshotId)
        .containsExactly(kept);
    assertThat(inspector.history(id("plain")))
        .extracting(SnapshotEntry::snapshotId, SnapshotEntry::status)
        .containsExactly(
            tuple(kept, SnapshotStatus.CURRENT), tuple(leftBehind, SnapshotStatus.ROLLED_BACK));
  }

  @Test
  void rollsBackBySnapshotIdAndCanBeUndone() {
    Table table = createTable("orders");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);

    TableInspector.RollbackResult result = inspector.rollback(id("orders"), snapshot(first));
    assertThat(result.changed()).isTrue();
    assertThat(result.fromSnapshotId()).isEqualTo(second);
    assertThat(result.toSnapshotId()).isEqualTo(first);
    assertThat(result.from().totalRecords()).isEqualTo(15);
    assertThat(result.to().totalRecords()).isEqualTo(10);
    assertThat(result.to().current()).isTrue();
    assertThat(currentId("orders")).isEqualTo(first);

    // Undo: the snapshot the rollback left behind can be made current again.
    TableInspector.RollbackResult undo = inspector.rollback(id("orders"), snapshot(second));
    assertThat(undo.fromSnapshotId()).isEqualTo(first);
    assertThat(undo.toSnapshotId()).isEqualTo(second);
    assertThat(currentId("orders")).isEqualTo(second);
    assertThat(inspector.history(id("orders")))
        .allSatisfy(entry -> assertThat(entry.inCurrentLineage()).isTrue());

    TableInspector.RollbackResult again = inspector.rollback(id("orders"), snapshot(second));
    assertThat(again.changed()).isFalse();
  }

  @Test
  void rollsBackToTheStateAtATime() {
    Table table = createTable("orders");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);
    append(table, 1, 10);
    Instant secondAt = Instant.ofEpochMilli(table.snapshot(second).timestampMillis());

    // Exactly at a commit's time that commit counts; a moment before it, it does not.
    assertThat(inspector.rollback(id("orders"), PointInTime.at(secondAt)).toSnapshotId())
        .isEqualTo(second);
    assertThat(
            inspector
                .rollback(id("orders"), PointInTime.at(secondAt.minusMillis(1)))
                .toSnapshotId())
        .isEqualTo(first);
    assertThat(currentId("orders")).isEqualTo(first);
  }

  @Test
  void refusesBadRollbacksAndLeavesTheTableAlone() {
    Table empty = createTable("empty");
    assertThatThrownBy(() -> inspector.rollback(id("empty"), snapshot(123456789L)))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND))
        .hasMessageContaining("it has no snapshots yet");
    assertThat(empty.currentSnapshot()).isNull();

    Table table = createTable("orders");
    long first = append(table, 10, 100);
    long second = append(table, 5, 50);
    assertThatThrownBy(() -> inspector.rollback(id("orders"), snapshot(123456789L)))
        .hasMessage(
            "cannot roll back silver.orders: it has no snapshot 123456789"
                + " (lagoa table history silver.orders lists its snapshots)");
    Instant before = Instant.ofEpochMilli(table.snapshot(first).timestampMillis()).minusSeconds(60);
    assertThatThrownBy(() -> inspector.rollback(id("orders"), PointInTime.at(before)))
        .hasMessageContaining("cannot roll back silver.orders to " + before)
        .hasMessageContaining("before its history, which starts at");
    assertThat(currentId("orders")).isEqualTo(second);
    assertThat(inspector.history(id("orders"))).hasSize(2);
  }

  @Test
  void changeRangesIncludeBothEnds() {
    Table table = createTable("orders");
    long first = append(table, 1, 10);
    long second = append(table, 1, 10);
    long third = append(table, 1, 10);
    long fourth = append(table, 1, 10);

    ChangeRange all =
        inspector.changeRange(id("orders"), snapshot(first), Optional.empty(), List.of());
    assertThat(snapshotIds(all)).containsExactly(first, second, third, fourth);
    assertThat(all.startSnapshotIdExclusive()).isEmpty();
    assertThat(all.endSnapshotId()).hasValue(fourth);
    assertThat(all.describe())
        .isEqualTo("snapshot " + first + " to snapshot " + fourth + " (4 commits)");

    ChangeRange middle =
        inspector.changeRange(
            id("orders"), snapshot(second), Optional.of(snapshot(third)), List.of());
    assertThat(snapshotIds(middle)).containsExactly(second, third);
    assertThat(middle.startSnapshotIdExclusive()).hasValue(first);
    assertThat(middle.endSnapshotId()).hasValue(third);
    assertThat(middle.commitTimes()).containsOnlyKeys(second, third);

    ChangeRange one =
        inspector.changeRange(
            id("orders"), snapshot(third), Optional.of(snapshot(third)), List.of());
    assertThat(snapshotIds(one)).containsExactly(third);
    assertThat(one.describe()).isEqualTo("snapshot " + third + " (1 commit)");

    Instant secondAt = committedAt(table, second);
    Instant thirdAt = committedAt(table, third);
    ChangeRange byTime =
        inspector.changeRange(
            id("orders"),
            PointInTime.at(secondAt),
            Optional.of(PointInTime.at(thirdAt)),
            List.of());
    assertThat(snapshotIds(byTime)).containsExactly(second, third);
    ChangeRange justAfter =
        inspector.changeRange(
            id("orders"), PointInTime.at(secondAt.plusMillis(1)),
            Optional.of(PointInTime.at(thirdAt.minusMillis(1))), List.of());
    assertThat(justAfter.isEmpty()).isTrue();
    assertThat(justAfter.endSnapshotId()).isEmpty();

    ChangeRange future =
        inspector.changeRange(
            id("orders"),
            PointInTime.at(Instant.now().plusSeconds(3600)),
            Optional.empty(),
            List.of());
    assertThat(future.isEmpty()).isTrue();
    ChangeRange fromTheStart =
        inspector.changeRange(
            id("orders"), PointInTime.at(Instant.EPOCH), Optional.of(snapshot(second)), List.of());
    assertThat(snapshotIds(fromTheStart)).containsExactly(first, second);
  }

  @Test
  void changeRangesFollowTheHistoryAfterARollback() {
    Table table = createTable("orders");
    long first = append(table, 1, 10);
    long leftBehind = append(table, 1, 10);
    inspector.rollback(id("orders"), snapshot(first));
    table.refresh();
    long after = append(table, 1, 10);

    ChangeRange range =
        inspector.changeRange(id("orders"), snapshot(first), Optional.empty(), List.of());
    assertThat(snapshotIds(range)).containsExactly(first, after);
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(leftBehind), Optional.empty(), List.of()))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND))
        .hasMessageContaining(
            "snapshot " + leftBehind + " (the range's start) is not in the history")
        .hasMessageContaining("rollback");
    // The left-behind snapshot's own history can still be read by naming it as --to.
    ChangeRange old =
        inspector.changeRange(
            id("orders"), snapshot(first), Optional.of(snapshot(leftBehind)), List.of());
    assertThat(snapshotIds(old)).containsExactly(first, leftBehind);
  }

  @Test
  void refusesBadChangeRanges() {
    Table table = createTable("orders");
    long first = append(table, 1, 10);
    long second = append(table, 1, 10);

    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(second), Optional.of(snapshot(first)), List.of()))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(
            "the range's start snapshot "
                + second
                + " was committed after the range's end snapshot "
                + first);
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(987654321L), Optional.empty(), List.of()))
        .hasMessage(
            "cannot read the changes of silver.orders: it has no snapshot 987654321"
                + " (the range's start);"
                + " lagoa table history silver.orders lists its snapshots");
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(first), Optional.of(snapshot(987654321L)), List.of()))
        .hasMessageContaining("no snapshot 987654321 (the range's end)");
    Instant now = Instant.now();
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"),
                    PointInTime.at(now),
                    Optional.of(PointInTime.at(now.minusSeconds(1))),
                    List.of()))
        .hasMessageContaining("the range's start " + now + " is after the range's end");
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"),
                    snapshot(second),
                    Optional.of(PointInTime.at(Instant.EPOCH)),
                    List.of()))
        .hasMessageContaining("was committed after the range's end");
  }

  @Test
  void keysComeFromTheOptionOrTheIdentifierFields() {
    Table table = createTable("orders");
    long first = append(table, 1, 10);

    ChangeRange fromTable =
        inspector.changeRange(id("orders"), snapshot(first), Optional.empty(), List.of());
    assertThat(fromTable.keyColumns()).containsExactly("id");
    assertThat(fromTable.keyFromTable()).isTrue();

    ChangeRange given =
        inspector.changeRange(
            id("orders"), snapshot(first), Optional.empty(), List.of("NAME", "id", "name"));
    assertThat(given.keyColumns()).containsExactly("name", "id");
    assertThat(given.keyFromTable()).isFalse();

    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(first), Optional.empty(), List.of("nope")))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(
            "key column nope is not one of its columns (id, name, ts, address, items)");
    assertThatThrownBy(
            () ->
                inspector.changeRange(
                    id("orders"), snapshot(first), Optional.empty(), List.of("address.city")))
        .hasMessageContaining("key column address.city is a nested field");

    table.updateSchema().setIdentifierFields(List.of()).commit();
    ChangeRange none =
        inspector.changeRange(id("orders"), snapshot(first), Optional.empty(), List.of());
    assertThat(none.hasKey()).isFalse();
  }

  @Test
  void namesTheCommitWhoseDeleteFilesTheChangeFeedCannotRead() {
    Table table = createTable("orders");
    long first = append(table, 3, 30);
    long deletes = addPositionDeletes(table);
    long later = append(table, 1, 10);

    assertThat(
            snapshotIds(
                inspector.changeRange(
                    id("orders"), snapshot(first), Optional.of(snapshot(first)), List.of())))
        .containsExactly(first);
    for (long from : new long[] {first, later}) {
      assertThatThrownBy(
              () ->
                  inspector.changeRange(id("orders"), snapshot(from), Optional.empty(), List.of()))
          .isInstanceOfSatisfying(
              LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT))
          .hasMessageContaining("merge-on-read delete files")
          .hasMessageContaining("snapshot " + (from == first ? deletes : later));
    }
  }

  private void createNamespace(String... levels) {
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of(levels));
  }

  private Table createTable(String name) {
    Namespace silver = Namespace.of("silver");
    if (!((SupportsNamespaces) catalog).namespaceExists(silver)) {
      createNamespace("silver");
    }
    return catalog.createTable(id(name), SCHEMA);
  }

  private static TableIdentifier id(String name) {
    return TableIdentifier.of("silver", name);
  }

  private static PointInTime snapshot(long id) {
    return new PointInTime(OptionalLong.of(id), Optional.empty());
  }

  private long currentId(String name) {
    return catalog.loadTable(id(name)).currentSnapshot().snapshotId();
  }

  /** Every snapshot's status, newest first. */
  private List<SnapshotStatus> statuses(String name) {
    return inspector.history(id(name)).stream().map(SnapshotEntry::status).toList();
  }

  /**
   * Replaces the table the way CREATE OR REPLACE TABLE ... AS SELECT does (one Iceberg replace
   * transaction that writes the new data) and returns the new snapshot's id.
   */
  private long replace(String name, long rows, long bytes) {
    org.apache.iceberg.Transaction replace =
        catalog.newReplaceTableTransaction(id(name), SCHEMA, false);
    replace.newAppend().appendFile(dataFile(replace.table(), rows, bytes)).commit();
    replace.commitTransaction();
    return afterCommit(catalog.loadTable(id(name)));
  }

  private static List<Long> snapshotIds(ChangeRange range) {
    return range.snapshots().stream().map(SnapshotEntry::snapshotId).toList();
  }

  private static Instant committedAt(Table table, long snapshotId) {
    return Instant.ofEpochMilli(table.snapshot(snapshotId).timestampMillis());
  }

  private static int fileNumber;

  /** Registers one data file and returns the new snapshot's id. */
  private static long append(Table table, long rows, long bytes) {
    table.newAppend().appendFile(dataFile(table, rows, bytes)).commit();
    return afterCommit(table);
  }

  private static DataFile dataFile(Table table, long rows, long bytes) {
    return DataFiles.builder(table.spec())
        .withPath(table.location() + "/data/f" + (fileNumber++) + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withRecordCount(rows)
        .withFileSizeInBytes(bytes)
        .build();
  }

  private static long addPositionDeletes(Table table) {
    table
        .newRowDelta()
        .addDeletes(
            FileMetadata.deleteFileBuilder(table.spec())
                .ofPositionDeletes()
                .withPath(table.location() + "/data/d" + (fileNumber++) + ".parquet")
                .withFormat(FileFormat.PARQUET)
                .withRecordCount(1)
                .withFileSizeInBytes(20)
                .build())
        .commit();
    return afterCommit(table);
  }

  /**
   * Waits until the clock has moved past the commit, so that every snapshot has its own millisecond
   * and the time-based tests are exact.
   */
  private static long afterCommit(Table table) {
    long committed = table.currentSnapshot().timestampMillis();
    while (System.currentTimeMillis() <= committed) {
      Thread.onSpinWait();
    }
    return table.currentSnapshot().snapshotId();
  }
}

package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.ChangeFeed;
import io.lagoa.table.ChangeRange;
import io.lagoa.table.PointInTime;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.TableDescription;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableSummary;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestTableService {
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;
  private static TableService tables;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    tables = new TableService(lakehouse);
  }

  @AfterAll
  static void stop() {
    lakehouse.close();
    warehouse.close();
  }

  @Test
  void inspectsHistoryAndRollsBack() {
    lakehouse.sql().run("CREATE NAMESPACE IF NOT EXISTS silver");
    lakehouse.sql().run("CREATE TABLE silver.customers (id BIGINT, name STRING) USING iceberg");
    lakehouse.sql().run("INSERT INTO silver.customers VALUES (1, 'Ana')");
    lakehouse.sql().run("INSERT INTO silver.customers VALUES (2, 'Bea')");
    TableIdentifier customers = TableIdentifier.of("silver", "customers");

    assertThat(tables.list(Optional.of(Namespace.of("silver"))))
        .extracting(TableSummary::name, TableSummary::rows, TableSummary::snapshots)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("silver.customers", 2L, 2));
    TableDescription description = tables.describe(customers);
    assertThat(description.rows()).isEqualTo(2);
    assertThat(description.snapshotCount()).isEqualTo(2);

    List<SnapshotEntry> history = tables.history(customers);
    assertThat(history).hasSize(2); // newest first
    assertThat(history.get(0).current()).isTrue();
    long first = history.get(1).snapshotId();
    TableInspector.RollbackResult rollback =
        tables.rollback(customers, new PointInTime(OptionalLong.of(first), Optional.empty()));
    assertThat(rollback.changed()).isTrue();
    assertThat(rollback.toSnapshotId()).isEqualTo(first);
    assertThat(lakehouse.sql().execute("SELECT id FROM silver.customers", 10).rows())
        .containsExactly(List.of(1L));
    assertThat(tables.describe(customers).rows()).isEqualTo(1);
  }

  @Test
  void readsChanges() {
    lakehouse.sql().run("CREATE NAMESPACE IF NOT EXISTS bronze");
    lakehouse.sql().run("CREATE TABLE bronze.events (id BIGINT, v STRING) USING iceberg");
    lakehouse.sql().run("INSERT INTO bronze.events VALUES (1, 'a'), (2, 'b')");
    TableIdentifier events = TableIdentifier.of("bronze", "events");
    long first = tables.history(events).get(0).snapshotId();
    ChangeRange range =
        tables.changeRange(
            events,
            new PointInTime(OptionalLong.of(first), Optional.empty()),
            Optional.empty(),
            List.of("id"));
    assertThat(range.isEmpty()).isFalse();
    assertThat(range.keyColumns()).containsExactly("id");
    QueryResult changes = tables.changes(range, 100);
    int changeType =
        changes.columns().stream()
            .map(column -> column.name())
            .toList()
            .indexOf(ChangeFeed.CHANGE_TYPE);
    assertThat(changeType).isNotNegative();
    assertThat(changes.rows())
        .extracting(row -> row.get(changeType))
        .containsExactly("INSERT", "INSERT");
  }

  @Test
  void aMissingTableIsAnErrorWithItsName() {
    assertThatThrownBy(() -> tables.describe(TableIdentifier.of("silver", "nowhere")))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("silver.nowhere");
  }
}

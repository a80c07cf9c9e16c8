package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.audit.AuditEntry;
import io.lagoa.audit.AuditEvent;
import io.lagoa.audit.AuditEvent.Outcome;
import io.lagoa.audit.AuditPublisher;
import io.lagoa.audit.AuditTable;
import io.lagoa.audit.AuditTrail;
import io.lagoa.audit.CatalogAuditLog;
import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;

/**
 * What the audit trail must do on every catalog database: events stored in the outbox, published to
 * {@code lagoa_system.audit} exactly once however many publishers race, and read back newest first.
 * Subclasses give a fresh catalog database per call of {@link #newDatabase()}.
 */
public abstract class AuditContract {
  private static final Instant START = Instant.parse("2026-12-01T23:59:58Z");

  protected abstract LagoaConfig newDatabase();

  @Test
  void eventsGoToTheOutboxThenToTheIcebergTableWithTheirLastIdInTheSummary() {
    LagoaConfig config = newDatabase();
    Catalog catalog = LagoaCatalogs.open(config);
    try (CatalogAuditLog log = CatalogAuditLog.open(config);
        AuditPublisher publisher =
            new AuditPublisher(CatalogDatabase.require(config, "test"), catalog, 100)) {
      AuditTrail trail = AuditTrail.of(config, catalog);
      assertThat(trail.recent(10)).isEmpty();
      assertThat(publisher.publish()).isZero();

      // across midnight: two daily partitions
      for (int i = 0; i < 5; i++) {
        log.record(event(i));
      }
      log.record(
          new AuditEvent(
              START.plusSeconds(10),
              "bob",
              "10.0.0.2",
              "updateTable",
              "sales.orders",
              Outcome.FAILED,
              500,
              "req-x",
              "commit failed: password=hunter2"));
      assertThat(outboxRows(config)).isEqualTo(6);
      List<AuditEntry> pending = trail.recent(3);
      assertThat(pending).extracting(AuditEntry::published).containsOnly(false);
      assertThat(pending)
          .extracting(entry -> entry.event().action())
          .containsExactly("updateTable", "loadTable", "loadTable");
      assertThat(pending.get(0).event().detail())
          .doesNotContain("hunter2")
          .contains("commit failed");

      assertThat(publisher.publish()).isEqualTo(6);
      assertThat(outboxRows(config)).isZero();
      Table table = catalog.loadTable(AuditTable.IDENTIFIER);
      assertThat(table.spec().fields()).hasSize(1);
      assertThat(table.currentSnapshot().summary())
          .containsEntry(AuditTable.LAST_ID, Long.toString(pending.get(0).id()));
      assertThat(ids(table)).hasSize(6).doesNotHaveDuplicates();

      List<AuditEntry> recent = trail.recent(10);
      assertThat(recent).hasSize(6);
      assertThat(recent).extracting(AuditEntry::published).containsOnly(true);
      AuditEntry failed = recent.get(0);
      assertThat(failed.event())
          .isEqualTo(
              new AuditEvent(
                  START.plusSeconds(10),
                  "bob",
                  "10.0.0.2",
                  "updateTable",
                  "sales.orders",
                  Outcome.FAILED,
                  500,
                  "req-x",
                  failed.event().detail()));
      assertThat(recent.get(5).event().requestId()).isEqualTo("req-0");

      // newer unpublished events come first, before the published ones
      log.record(event(100));
      List<AuditEntry> mixed = trail.recent(2);
      assertThat(mixed).extracting(AuditEntry::published).containsExactly(false, true);
      assertThat(mixed.get(0).event().requestId()).isEqualTo("req-100");
      assertThat(publisher.publish()).isEqualTo(1);
      assertThat(trail.recent(100)).hasSize(7).extracting(AuditEntry::published).containsOnly(true);
    } finally {
      closeCatalog(catalog);
    }
  }

  @Test
  void racingPublishersPublishEveryEventExactlyOnce() throws Exception {
    LagoaConfig config = newDatabase();
    int events = 120;
    List<Catalog> catalogs = new ArrayList<>();
    List<AuditPublisher> publishers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Catalog catalog = LagoaCatalogs.open(config);
      catalogs.add(catalog);
      publishers.add(new AuditPublisher(CatalogDatabase.require(config, "test"), catalog, 7));
    }
    int writers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(publishers.size() + writers);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<CatalogAuditLog> logs = new ArrayList<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Long>> published = new ArrayList<>();
      for (AuditPublisher publisher : publishers) {
        published.add(
            pool.submit(
                () -> {
                  start.await();
                  long total = 0;
                  while (writing.get()) {
                    total += publisher.publish();
                  }
                  return total + publisher.publish();
                }));
      }
      // several servers' logs insert at once: ids must still become visible in order
      List<Future<?>> written = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        CatalogAuditLog log = CatalogAuditLog.open(config);
        logs.add(log);
        int first = w * (events / writers);
        written.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = first; i < first + events / writers; i++) {
                    log.record(event(i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> writer : written) {
        writer.get();
      }
      writing.set(false);
      long total = 0;
      for (Future<Long> future : published) {
        total += future.get();
      }
      total += publishers.get(0).publish();

      Table table = catalogs.get(0).loadTable(AuditTable.IDENTIFIER);
      List<Long> ids = ids(table);
      assertThat(ids).hasSize(events).doesNotHaveDuplicates();
      assertThat(total).isEqualTo(events);
      assertThat(outboxRows(config)).isZero();
      Set<String> requests = new HashSet<>();
      try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
        records.forEach(record -> requests.add((String) record.getField("request_id")));
      }
      assertThat(requests).hasSize(events);
      long lastId = ids.stream().mapToLong(Long::longValue).max().orElseThrow();
      assertThat(table.currentSnapshot().summary())
          .containsEntry(AuditTable.LAST_ID, Long.toString(lastId));
      // every commit that added rows says where it ended, increasing along the history
      long previous = 0;
      List<Snapshot> history = new ArrayList<>();
      table.snapshots().forEach(history::add);
      for (Snapshot snapshot : history) {
        long last = Long.parseLong(snapshot.summary().get(AuditTable.LAST_ID));
        assertThat(last).isGreaterThan(previous);
        previous = last;
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
      logs.forEach(CatalogAuditLog::close);
      for (AuditPublisher publisher : publishers) {
        publisher.close();
      }
      catalogs.forEach(AuditContract::closeCatalog);
    }
  }

  @Test
  void eventsLeftInTheOutboxAfterTheirCommitAreDeletedNotPublishedAgain() throws Exception {
    LagoaConfig config = newDatabase();
    Catalog catalog = LagoaCatalogs.open(config);
    try (CatalogAuditLog log = CatalogAuditLog.open(config);
        AuditPublisher publisher =
            new AuditPublisher(CatalogDatabase.require(config, "test"), catalog, 100)) {
      for (int i = 0; i < 4; i++) {
        log.record(event(i));
      }
      assertThat(publisher.publish()).isEqualTo(4);
      long last =
          Long.parseLong(
              catalog
                  .loadTable(AuditTable.IDENTIFIER)
                  .currentSnapshot()
                  .summary()
                  .get(AuditTable.LAST_ID));
      // as if the publisher died between its commit and deleting the rows it committed
      try (Connection connection = CatalogDatabase.require(config, "test").connect();
          Statement statement = connection.createStatement()) {
        statement.executeUpdate(
            "INSERT INTO lagoa_audit_outbox (id, event_time, principal, client_address, action,"
                + " resource, outcome, http_status, request_id, detail) VALUES ("
                + last
                + ", 0, 'alice', '', 'loadTable', 't', 'ALLOWED', 200, 'left-over', '')");
      }
      log.record(event(99));
      assertThat(publisher.publish()).isEqualTo(1);
      assertThat(outboxRows(config)).isZero();
      Table table = catalog.loadTable(AuditTable.IDENTIFIER);
      assertThat(ids(table)).hasSize(5).doesNotHaveDuplicates();
    } finally {
      closeCatalog(catalog);
    }
  }

  private static AuditEvent event(int i) {
    return new AuditEvent(
        START.plusMillis(i * 10L),
        "alice",
        "10.0.0.1",
        "loadTable",
        "sales.orders",
        i % 2 == 0 ? Outcome.ALLOWED : Outcome.DENIED,
        i % 2 == 0 ? 200 : 403,
        "req-" + i,
        "");
  }

  private static List<Long> ids(Table table) {
    table.refresh();
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> ids.add((Long) record.getField("id")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ids;
  }

  private static long outboxRows(LagoaConfig config) {
    try (Connection connection = CatalogDatabase.require(config, "test").connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM lagoa_audit_outbox")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeCatalog(Catalog catalog) {
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

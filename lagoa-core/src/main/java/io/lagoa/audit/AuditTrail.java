package io.lagoa.audit;

import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.config.LagoaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads the audit trail: the events in {@code lagoa_system.audit} and those still waiting in the
 * outbox, newest first.
 */
public final class AuditTrail {
  private final AuditOutbox outbox;
  private final Catalog catalog;

  public AuditTrail(CatalogDatabase database, Catalog catalog) {
    this.outbox = new AuditOutbox(database);
    this.catalog = catalog;
  }

  /** The trail of a configuration's catalog database, read through {@code catalog}. */
  public static AuditTrail of(LagoaConfig config, Catalog catalog) {
    return new AuditTrail(CatalogDatabase.require(config, "The audit log"), catalog);
  }

  /** The newest {@code limit} events, newest first, published or not. */
  public List<AuditEntry> recent(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("Cannot list " + limit + " audit events");
    }
    Map<Long, AuditEntry> entries = new TreeMap<>(Comparator.reverseOrder());
    try {
      for (AuditEntry entry : outbox.latest(limit)) {
        entries.put(entry.id(), entry);
      }
    } catch (SQLException e) {
      throw outbox.database().unavailable("the audit outbox " + AuditOutbox.TABLE, e);
    }
    // Published rows replace their outbox copies (rows stay in the outbox briefly after commit).
    for (AuditEntry entry : published(limit)) {
      entries.put(entry.id(), entry);
    }
    List<AuditEntry> newest = new ArrayList<>();
    for (AuditEntry entry : entries.values()) {
      if (newest.size() == limit) {
        break;
      }
      newest.add(entry);
    }
    return newest;
  }

  /**
   * The newest {@code limit} rows of the table. Ids are nearly dense, so the rows after {@code last
   * id - limit} are read first (file statistics skip older files); only when they are too few (ids
   * skipped by rolled-back inserts) is the whole table read.
   */
  private List<AuditEntry> published(int limit) {
    Table table;
    try {
      table = catalog.loadTable(AuditTable.IDENTIFIER);
    } catch (NoSuchTableException e) {
      return List.of();
    }
    long last = AuditTable.lastPublishedId(table);
    if (table.currentSnapshot() == null) {
      return List.of();
    }
    long floor = last - limit;
    List<AuditEntry> newest = read(table, floor, limit);
    if (newest.size() < limit && floor > 0) {
      newest = read(table, Long.MIN_VALUE, limit);
    }
    return newest;
  }

  private static List<AuditEntry> read(Table table, long after, int limit) {
    PriorityQueue<AuditEntry> newest =
        new PriorityQueue<>(Comparator.comparingLong(AuditEntry::id));
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (after != Long.MIN_VALUE) {
      scan = scan.where(Expressions.greaterThan("id", after));
    }
    try (CloseableIterable<Record> records = scan.build()) {
      for (Record record : records) {
        newest.add(AuditTable.fromRecord(record));
        if (newest.size() > limit) {
          newest.poll();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<AuditEntry> sorted = new ArrayList<>(newest);
    sorted.sort(Comparator.comparingLong(AuditEntry::id).reversed());
    return sorted;
  }
}

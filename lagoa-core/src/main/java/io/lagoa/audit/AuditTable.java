package io.lagoa.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg table {@code lagoa_system.audit}: every published audit event, partitioned by day.
 * Each commit's snapshot summary carries the last outbox id it holds ({@link #LAST_ID}), which is
 * how publishers know what is in the table.
 */
public final class AuditTable {
  public static final TableIdentifier IDENTIFIER = TableIdentifier.of("lagoa_system", "audit");

  /** The snapshot-summary key: the last outbox id in the table after this commit. */
  public static final String LAST_ID = "lagoa.audit.last-id";

  static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get(), "The event's outbox id"),
          Types.NestedField.required(2, "time", Types.TimestampType.withZone()),
          Types.NestedField.required(3, "principal", Types.StringType.get()),
          Types.NestedField.required(4, "client_address", Types.StringType.get()),
          Types.NestedField.required(5, "action", Types.StringType.get()),
          Types.NestedField.required(6, "resource", Types.StringType.get()),
          Types.NestedField.required(
              7, "outcome", Types.StringType.get(), "ALLOWED, DENIED or FAILED"),
          Types.NestedField.required(
              8, "http_status", Types.IntegerType.get(), "0 when there was no HTTP request"),
          Types.NestedField.required(9, "request_id", Types.StringType.get()),
          Types.NestedField.required(10, "detail", Types.StringType.get()));

  static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day("time").build();

  private AuditTable() {}

  /** The table, created (with its namespace) when missing; safe when several processes race. */
  static Table loadOrCreate(Catalog catalog) {
    try {
      return catalog.loadTable(IDENTIFIER);
    } catch (NoSuchTableException missing) {
      Namespace namespace = IDENTIFIER.namespace();
      if (catalog instanceof SupportsNamespaces namespaces
          && !namespaces.namespaceExists(namespace)) {
        try {
          namespaces.createNamespace(namespace);
        } catch (RuntimeException e) {
          // Another process created it meanwhile: Iceberg's JDBC catalog reports that as a
          // primary-key violation rather than AlreadyExistsException.
          if (!namespaces.namespaceExists(namespace)) {
            throw e;
          }
        }
      }
      try {
        return catalog.createTable(IDENTIFIER, SCHEMA, SPEC);
      } catch (RuntimeException e) {
        if (!catalog.tableExists(IDENTIFIER)) {
          throw e;
        }
        return catalog.loadTable(IDENTIFIER);
      }
    }
  }

  /**
   * The last outbox id the table holds: from the newest snapshot in the current lineage that
   * carries {@link #LAST_ID} (a compaction's snapshot does not); 0 when none does.
   */
  static long lastPublishedId(Table table) {
    for (Snapshot snapshot = table.currentSnapshot(); snapshot != null; ) {
      String last = snapshot.summary() == null ? null : snapshot.summary().get(LAST_ID);
      if (last != null) {
        return Long.parseLong(last);
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return 0;
  }

  static Record toRecord(AuditEntry entry) {
    AuditEvent event = entry.event();
    GenericRecord record = GenericRecord.create(SCHEMA);
    record.setField("id", entry.id());
    record.setField("time", event.time().atOffset(ZoneOffset.UTC));
    record.setField("principal", event.principal());
    record.setField("client_address", event.clientAddress());
    record.setField("action", event.action());
    record.setField("resource", event.resource());
    record.setField("outcome", event.outcome().name());
    record.setField("http_status", event.httpStatus());
    record.setField("request_id", event.requestId());
    record.setField("detail", event.detail());
    return record;
  }

  static AuditEntry fromRecord(Record record) {
    Instant time = ((OffsetDateTime) record.getField("time")).toInstant();
    return new AuditEntry(
        (Long) record.getField("id"),
        new AuditEvent(
            time,
            (String) record.getField("principal"),
            (String) record.getField("client_address"),
            (String) record.getField("action"),
            (String) record.getField("resource"),
            AuditEvent.Outcome.valueOf((String) record.getField("outcome")),
            (Integer) record.getField("http_status"),
            (String) record.getField("request_id"),
            (String) record.getField("detail")),
        true);
  }
}

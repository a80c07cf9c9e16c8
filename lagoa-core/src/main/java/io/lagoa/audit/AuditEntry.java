package io.lagoa.audit;

/**
 * An audit event as stored, with its place in the log.
 *
 * @param id the event's number, increasing in the order events were recorded
 * @param published whether it is in the {@code lagoa_system.audit} table yet, or only in the
 *     catalog database's outbox
 */
public record AuditEntry(long id, AuditEvent event, boolean published) {}

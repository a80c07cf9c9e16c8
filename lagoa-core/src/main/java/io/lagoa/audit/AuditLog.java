package io.lagoa.audit;

/** Where audited actions go. Implementations are thread-safe. */
public interface AuditLog {
  /** Records an event; when this returns, the event is stored. */
  void record(AuditEvent event);
}

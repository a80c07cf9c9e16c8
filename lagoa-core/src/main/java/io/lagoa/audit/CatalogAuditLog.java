package io.lagoa.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.config.LagoaConfig;
import io.lagoa.text.SecretPatterns;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of a catalog server: each event is inserted into the outbox in the catalog database
 * before {@link #record} returns, so an event is never lost when the process dies after answering,
 * and is written as one JSON line to the SLF4J logger {@code lagoa.audit} for log collectors.
 * {@link AuditPublisher} moves the outbox into the Iceberg table {@code lagoa_system.audit}.
 *
 * <p>Thread-safe: one connection, one insert at a time. Details are masked by {@link
 * SecretPatterns#maskText} before they are stored, in case a caller passed a message quoting a
 * secret.
 */
public final class CatalogAuditLog implements AuditLog, AutoCloseable {
  /** The logger every event is written to, one JSON object a line. */
  public static final String LOGGER_NAME = "lagoa.audit";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AuditOutbox outbox;
  private Connection connection;

  public CatalogAuditLog(CatalogDatabase database) {
    this.outbox = new AuditOutbox(database);
  }

  /**
   * The audit log in a configuration's catalog database; a configuration error for a REST catalog.
   */
  public static CatalogAuditLog open(LagoaConfig config) {
    return new CatalogAuditLog(CatalogDatabase.require(config, "The audit log"));
  }

  @Override
  public synchronized void record(AuditEvent event) {
    AuditEvent masked =
        new AuditEvent(
            event.time(),
            event.principal(),
            event.clientAddress(),
            event.action(),
            event.resource(),
            event.outcome(),
            event.httpStatus(),
            event.requestId(),
            SecretPatterns.maskText(event.detail()));
    long id;
    try {
      id = insert(masked);
    } catch (SQLException e) {
      throw outbox.database().unavailable("the audit outbox " + AuditOutbox.TABLE, e);
    }
    if (LOG.isInfoEnabled()) {
      LOG.info(json(id, masked));
    }
  }

  private long insert(AuditEvent event) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (connection == null) {
          connection = outbox.connect();
        }
        return outbox.insert(connection, event);
      } catch (SQLException e) {
        closeConnection();
        if (attempt >= 1) {
          throw e;
        }
      }
    }
  }

  /** The event as one line of JSON, with its outbox id. */
  static String json(long id, AuditEvent event) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", id);
    line.put("time", event.time().toString());
    line.put("principal", event.principal());
    line.put("client_address", event.clientAddress());
    line.put("action", event.action());
    line.put("resource", event.resource());
    line.put("outcome", event.outcome().name());
    line.put("http_status", event.httpStatus());
    line.put("request_id", event.requestId());
    line.put("detail", event.detail());
    try {
      return JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write an audit event as JSON", e);
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing left to do with it
      }
      connection = null;
    }
  }
}

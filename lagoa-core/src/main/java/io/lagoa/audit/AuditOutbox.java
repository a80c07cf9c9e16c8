package io.lagoa.audit;

import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.config.CatalogType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit outbox: a table in the catalog database ({@code lagoa_audit_outbox}) that every event
 * is inserted into before the action it records is answered, and that {@link AuditPublisher}
 * empties into the Iceberg table.
 *
 * <p>Ids increase in commit order, which the publisher relies on (it takes the rows after the last
 * id it published): SQLite has one writer at a time, and on PostgreSQL each insert holds a
 * transaction lock from before its id is drawn until it commits, so no row with a smaller id can
 * appear after a larger one was seen.
 */
final class AuditOutbox {
  static final String TABLE = "lagoa_audit_outbox";

  /** The PostgreSQL advisory lock that orders inserts (any constant only this table uses). */
  private static final long INSERT_LOCK = 0x4c61676f61417564L; // "LagoaAud"

  private static final String COLUMNS =
      "id, event_time, principal, client_address, action, resource, outcome, http_status,"
          + " request_id, detail";

  private final CatalogDatabase database;
  private volatile boolean created;

  AuditOutbox(CatalogDatabase database) {
    this.database = database;
  }

  CatalogDatabase database() {
    return database;
  }

  Connection connect() throws SQLException {
    if (!created) {
      String id =
          database.type() == CatalogType.POSTGRES
              ? "id BIGSERIAL PRIMARY KEY"
              : "id INTEGER PRIMARY KEY AUTOINCREMENT";
      database.createTables(
          List.of(
              "CREATE TABLE IF NOT EXISTS "
                  + TABLE
                  + " ("
                  + id
                  + ", event_time BIGINT NOT NULL, principal VARCHAR(255) NOT NULL,"
                  + " client_address VARCHAR(255) NOT NULL, action VARCHAR(255) NOT NULL,"
                  + " resource TEXT NOT NULL, outcome VARCHAR(16) NOT NULL,"
                  + " http_status INTEGER NOT NULL, request_id VARCHAR(255) NOT NULL,"
                  + " detail TEXT NOT NULL)"));
      created = true;
    }
    return database.connect();
  }

  /** Inserts an event in its own transaction; returns its id. */
  long insert(Connection connection, AuditEvent event) throws SQLException {
    boolean postgres = database.type() == CatalogType.POSTGRES;
    connection.setAutoCommit(false);
    try {
      if (postgres) {
        try (PreparedStatement lock =
            connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, INSERT_LOCK);
          lock.executeQuery().close();
        }
      }
      long id;
      try (PreparedStatement statement =
          connection.prepareStatement(
              "INSERT INTO "
                  + TABLE
                  + " (event_time, principal, client_address, action, resource, outcome,"
                  + " http_status, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  + " RETURNING id")) {
        statement.setLong(1, event.time().toEpochMilli());
        statement.setString(2, event.principal());
        statement.setString(3, event.clientAddress());
        statement.setString(4, event.action());
        statement.setString(5, event.resource());
        statement.setString(6, event.outcome().name());
        statement.setInt(7, event.httpStatus());
        statement.setString(8, event.requestId());
        statement.setString(9, event.detail());
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          id = rows.getLong(1);
        }
      }
      connection.commit();
      return id;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /** The events after {@code lastId}, oldest first, at most {@code limit}. */
  List<AuditEntry> after(long lastId, int limit) throws SQLException {
    return select(
        "SELECT "
            + COLUMNS
            + " FROM "
            + TABLE
            + " WHERE id > "
            + lastId
            + " ORDER BY id LIMIT "
            + limit);
  }

  /** The newest events, newest first, at most {@code limit}. */
  List<AuditEntry> latest(int limit) throws SQLException {
    return select("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY id DESC LIMIT " + limit);
  }

  /** Deletes the events up to and including {@code lastId}: they are in the Iceberg table. */
  int deleteThrough(long lastId) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      return statement.executeUpdate("DELETE FROM " + TABLE + " WHERE id <= " + lastId);
    }
  }

  private List<AuditEntry> select(String sql) throws SQLException {
    List<AuditEntry> entries = new ArrayList<>();
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        entries.add(
            new AuditEntry(
                rows.getLong(1),
                new AuditEvent(
                    Instant.ofEpochMilli(rows.getLong(2)),
                    rows.getString(3),
                    rows.getString(4),
                    rows.getString(5),
                    rows.getString(6),
                    AuditEvent.Outcome.valueOf(rows.getString(7)),
                    rows.getInt(8),
                    rows.getString(9),
                    rows.getString(10)),
                false));
      }
    }
    return entries;
  }
}

package io.lagoa.cdc;

import io.lagoa.text.EditDistance;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What is checked over JDBC before the engine starts, so each usual mistake gets its own message
 * (the connector would log a stack trace): the server answers, the password is right, wal_level is
 * logical, the user may replicate, the table exists and can publish its updates and deletes. Also
 * creates the publication when it is missing.
 */
public final class PostgresPreflight {
  private PostgresPreflight() {}

  /** A connection as the configured user; close it. */
  public static Connection connect(PostgresCdcConfig config) {
    Properties properties = new Properties();
    properties.setProperty("user", config.user());
    properties.setProperty("password", config.password() == null ? "" : config.password());
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "lagoa-cdc");
    try {
      return DriverManager.getConnection(config.url(), properties);
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.equals("28P01") || state.equals("28000")) {
        return fail(
            CdcException.Kind.AUTHENTICATION,
            "password",
            "PostgreSQL at "
                + hostAndPort(config.url())
                + " refused user "
                + config.user()
                + ": wrong user or password ("
                + e.getMessage()
                + ")",
            e);
      }
      if (state.equals("3D000")) {
        return fail(
            CdcException.Kind.FAILED,
            "url",
            "PostgreSQL at " + hostAndPort(config.url()) + ": " + e.getMessage(),
            e);
      }
      return fail(
          CdcException.Kind.UNREACHABLE,
          "url",
          "cannot connect to PostgreSQL at "
              + hostAndPort(config.url())
              + ": "
              + e.getMessage()
              + "; is the server running and reachable?",
          e);
    }
  }

  /** Runs every check, and creates the publication when it does not exist. */
  public static void check(PostgresCdcConfig config) {
    try (Connection connection = connect(config)) {
      String walLevel = single(connection, "SHOW wal_level");
      if (!"logical".equalsIgnoreCase(walLevel)) {
        fail(
            CdcException.Kind.WAL_LEVEL,
            "url",
            "PostgreSQL at "
                + hostAndPort(config.url())
                + " has wal_level = "
                + walLevel
                + ", and change data capture needs logical decoding: set wal_level=logical (ALTER"
                + " SYSTEM SET wal_level = logical, or in postgresql.conf) and restart PostgreSQL",
            null);
      }
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
        try (ResultSet result = statement.executeQuery()) {
          if (!result.next() || !result.getBoolean(1)) {
            fail(
                CdcException.Kind.NO_REPLICATION_PRIVILEGE,
                "user",
                "user "
                    + config.user()
                    + " may not read PostgreSQL's change stream: give it the REPLICATION"
                    + " attribute (ALTER ROLE "
                    + config.user()
                    + " WITH REPLICATION)",
                null);
          }
        }
      }
      String[] table = splitTable(config.qualifiedTable());
      checkTable(connection, config, table);
      ensurePublication(connection, config, table);
    } catch (SQLException e) {
      fail(
          CdcException.Kind.FAILED,
          "url",
          "PostgreSQL at " + hostAndPort(config.url()) + ": " + e.getMessage(),
          e);
    }
  }

  private static void checkTable(Connection connection, PostgresCdcConfig config, String[] table)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid"
                + " AND i.indisprimary) FROM pg_class c JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN"
                + " ('r', 'p')")) {
      statement.setString(1, table[0]);
      statement.setString(2, table[1]);
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          List<String> tables = new ArrayList<>();
          try (Statement list = connection.createStatement();
              ResultSet names =
                  list.executeQuery(
                      "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                          + " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN"
                          + " ('pg_catalog', 'information_schema') ORDER BY 1")) {
            while (names.next()) {
              tables.add(names.getString(1));
            }
          }
          String wanted = table[0] + "." + table[1];
          fail(
              CdcException.Kind.TABLE_MISSING,
              "table",
              "table "
                  + wanted
                  + " does not exist in "
                  + database(config.url())
                  + EditDistance.closest(wanted, tables)
                      .map(best -> " (did you mean " + best + "?)")
                      .orElse(
                          tables.isEmpty()
                              ? " (it has no tables)"
                              : " (it has " + String.join(", ", first(tables, 10)) + ")"),
              null);
        }
        String identity = result.getString(1);
        boolean primaryKey = result.getBoolean(2);
        if ("n".equals(identity) || ("d".equals(identity) && !primaryKey)) {
          fail(
              CdcException.Kind.FAILED,
              "table",
              "table "
                  + table[0]
                  + "."
                  + table[1]
                  + " has no primary key, so PostgreSQL cannot publish its updates and deletes"
                  + " (and would refuse them once it is in a publication): add a primary key, or"
                  + " ALTER TABLE "
                  + table[0]
                  + "."
                  + table[1]
                  + " REPLICA IDENTITY FULL",
              null);
        }
      }
    }
  }

  private static void ensurePublication(
      Connection connection, PostgresCdcConfig config, String[] table) throws SQLException {
    boolean exists;
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
      statement.setString(1, config.publication());
      try (ResultSet result = statement.executeQuery()) {
        exists = result.next();
      }
    }
    if (!exists) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE PUBLICATION "
                + quote(config.publication())
                + " FOR TABLE "
                + quote(table[0])
                + "."
                + quote(table[1]));
      } catch (SQLException e) {
        fail(
            CdcException.Kind.FAILED,
            "publication",
            "cannot create publication "
                + config.publication()
                + " FOR TABLE "
                + table[0]
                + "."
                + table[1]
                + ": "
                + e.getMessage()
                + "; create it as the table's owner, or name an existing one with publication =>",
            e);
      }
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND"
                + " tablename = ?")) {
      statement.setString(1, config.publication());
      statement.setString(2, table[0]);
      statement.setString(3, table[1]);
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          fail(
              CdcException.Kind.FAILED,
              "publication",
              "publication "
                  + config.publication()
                  + " does not publish table "
                  + table[0]
                  + "."
                  + table[1]
                  + ": ALTER PUBLICATION "
                  + config.publication()
                  + " ADD TABLE "
                  + table[0]
                  + "."
                  + table[1]
                  + ", or name another publication",
              null);
        }
      }
    }
  }

  /** {@code schema.table} as its two parts, unquoted. */
  static String[] splitTable(String qualified) {
    int dot = qualified.indexOf('.');
    return new String[] {
      unquote(qualified.substring(0, dot)), unquote(qualified.substring(dot + 1))
    };
  }

  private static String unquote(String name) {
    String stripped = name.strip();
    return stripped.startsWith("\"") && stripped.endsWith("\"") && stripped.length() > 1
        ? stripped.substring(1, stripped.length() - 1).replace("\"\"", "\"")
        : stripped;
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  private static List<String> first(List<String> names, int count) {
    return names.size() <= count ? names : names.subList(0, count);
  }

  /** host:port of a JDBC URL, for messages (never the user or password). */
  static String hostAndPort(String url) {
    URI uri = uri(url);
    return uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort());
  }

  static String database(String url) {
    String path = uri(url).getPath();
    return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
  }

  static URI uri(String url) {
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      throw new CdcException(
          CdcException.Kind.FAILED,
          "url",
          "url is not a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/database): " + url,
          null);
    }
    try {
      URI uri = URI.create(url.substring("jdbc:".length()));
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new CdcException(
          CdcException.Kind.FAILED,
          "url",
          "url is not a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/database): " + url,
          e);
    }
  }

  private static <T> T fail(CdcException.Kind kind, String argument, String message, Throwable e) {
    throw new CdcException(kind, argument, message, e);
  }
}

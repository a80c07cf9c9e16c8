package io.lagoa.catalog;

import io.lagoa.config.CatalogType;
import io.lagoa.config.ConfigKeys;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The catalog database (SQLite or PostgreSQL) as a place for Lagoa's own tables, next to Iceberg's:
 * the same JDBC URI and connection properties the catalog uses ({@link CatalogProperties}), so
 * whoever reaches the catalog reaches these tables too. A REST catalog has no database Lagoa can
 * reach.
 */
public final class CatalogDatabase {
  private final CatalogType type;
  private final String uri;
  private final String displayUri;
  private final Properties properties;

  public CatalogDatabase(CatalogType type, String uri, Properties properties) {
    if (type == CatalogType.REST) {
      throw new IllegalArgumentException("Cannot use a rest catalog as a catalog database");
    }
    this.type = type;
    this.uri = uri;
    this.displayUri = io.lagoa.config.CatalogConfig.redact(uri);
    this.properties = properties;
  }

  /** The catalog database of a configuration; empty for a REST catalog. */
  public static Optional<CatalogDatabase> find(LagoaConfig config) {
    if (config.catalog().type() == CatalogType.REST) {
      return Optional.empty();
    }
    Map<String, String> catalog = CatalogProperties.of(config);
    Properties properties = new Properties();
    catalog.forEach(
        (key, value) -> {
          if (key.startsWith("jdbc.") && !key.equals("jdbc.schema-version")) {
            properties.setProperty(key.substring("jdbc.".length()), value);
          }
        });
    return Optional.of(
        new CatalogDatabase(config.catalog().type(), catalog.get("uri"), properties));
  }

  /**
   * The catalog database of a configuration, for {@code what} (e.g. "access control"), checked to
   * answer; a configuration error when the catalog is a REST catalog, which has none.
   */
  public static CatalogDatabase require(LagoaConfig config, String what) {
    CatalogDatabase database =
        find(config)
            .orElseThrow(
                () ->
                    new LagoaException(
                        ErrorCode.CONFIG_INVALID,
                        what
                            + " keeps its tables in the catalog database (catalog.type sqlite or"
                            + " postgres), but "
                            + config.describeSource()
                            + " has catalog.type rest (from "
                            + config.origin(ConfigKeys.CATALOG_TYPE)
                            + ", catalog.uri "
                            + config.catalog().displayUri()
                            + "): use a configuration whose catalog is the sqlite or postgres"
                            + " database the catalog server uses"));
    // The same start-up check as the catalog's: folders created, the database answering.
    LagoaCatalogs.prepare(config);
    return database;
  }

  public CatalogType type() {
    return type;
  }

  /** The JDBC URI with any password in it masked, for messages. */
  public String displayUri() {
    return displayUri;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(uri, properties);
  }

  /**
   * Runs {@code CREATE TABLE IF NOT EXISTS} (and index) statements so that several processes may
   * run them at once: PostgreSQL lets two concurrent creates of one table both pass the "if not
   * exists" check and fails the second with a duplicate-key error on its system catalog, so such an
   * error is followed by another attempt, which then finds the table.
   */
  public void createTables(List<String> statements) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      try (Connection connection = connect();
          Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.executeUpdate(sql);
        }
        return;
      } catch (SQLException e) {
        if (attempt >= 5 || !concurrentCreate(e)) {
          throw e;
        }
        try {
          Thread.sleep(20L * (attempt + 1));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** SQLSTATEs PostgreSQL reports when another session created the same object at the same time. */
  private static boolean concurrentCreate(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage() == null ? "" : e.getMessage();
    return state.equals("23505")
        || state.equals("42P07")
        || state.equals("42710")
        || message.contains("already exists")
        || message.contains("SQLITE_BUSY");
  }

  /** Whether an insert failed because its primary key is already taken. */
  public static boolean duplicateKey(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage() == null ? "" : e.getMessage();
    return state.equals("23505") || message.contains("SQLITE_CONSTRAINT");
  }

  /** An error that the catalog database could not be read or written, for {@code what}. */
  public LagoaException unavailable(String what, SQLException e) {
    return new LagoaException(
        ErrorCode.CATALOG_UNREACHABLE,
        "cannot read or write "
            + what
            + " in the "
            + type.configName()
            + " catalog database at "
            + displayUri
            + ": "
            + LagoaException.rootMessage(e),
        e);
  }
}

package io.lagoa.catalog;

import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.ConfigKeys;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/** Opens the Iceberg catalog a configuration names, after checking it can be reached. */
public final class LagoaCatalogs {
  private static final Pattern DATABASE_IN_URI =
      Pattern.compile("^jdbc:postgresql://[^/]*/([^?;]+)");

  private LagoaCatalogs() {}

  /** Opens the catalog through the Iceberg API, no engine needed. Close it when done. */
  public static Catalog open(LagoaConfig config) {
    prepare(config);
    Map<String, String> properties = CatalogProperties.of(config);
    try {
      return CatalogUtil.buildIcebergCatalog(
          CatalogProperties.CATALOG_NAME, properties, new Configuration());
    } catch (RuntimeException e) {
      throw new LagoaException(
          ErrorCode.CATALOG_UNREACHABLE,
          "cannot open the " + config.catalog().type().configName() + " catalog at "
              + config.catalog().displayUri() + " (" + config.describeSource() + "): "
              + rootMessage(e),
          e);
    }
  }

  /**
   * Makes sure the catalog can be used before anything starts: creates the local folders the
   * embedded default needs and checks that a catalog database answers, so an unreachable
   * PostgreSQL is one clear error rather than a stack trace from deep inside a query.
   */
  public static void prepare(LagoaConfig config) {
    config.localWarehouse().ifPresent(LagoaCatalogs::createFolder);
    CatalogConfig catalog = config.catalog();
    if (catalog.type() == CatalogType.SQLITE) {
      Path file = Path.of(catalog.uri().substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", ""));
      if (file.getParent() != null) {
        createFolder(file.toAbsolutePath().getParent());
      }
    }
    if (catalog.type() != CatalogType.REST) {
      checkDatabase(config);
    }
  }

  private static void checkDatabase(LagoaConfig config) {
    CatalogConfig catalog = config.catalog();
    int timeout = catalog.connectTimeoutSeconds();
    Properties properties = new Properties();
    catalog.user().ifPresent(user -> properties.setProperty("user", user));
    catalog.password().ifPresent(password -> properties.setProperty("password", password.value()));
    // PostgreSQL: connectTimeout bounds the TCP connect, loginTimeout the whole handshake and
    // socketTimeout any read, so a server that accepts but never answers fails in time too.
    properties.setProperty("connectTimeout", Integer.toString(timeout));
    properties.setProperty("loginTimeout", Integer.toString(timeout));
    properties.setProperty("socketTimeout", Integer.toString(timeout));
    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection(catalog.uri(), properties)) {
      if (!connection.isValid(timeout)) {
        throw new SQLException("the database did not answer a test query within " + timeout + " s");
      }
    } catch (SQLException e) {
      long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      String hint = hint(config, e, waited);
      String problem = hint.isEmpty() ? describe(e) : describe(e).replaceAll("\\.$", "") + hint;
      throw new LagoaException(
          ErrorCode.CATALOG_UNREACHABLE,
          "cannot connect to the " + catalog.type().configName() + " catalog at "
              + catalog.displayUri() + " (catalog.uri, from "
              + config.origin(ConfigKeys.CATALOG_URI) + "): " + problem,
          e);
    }
  }

  /** What to check next, by the SQL state the driver reported. */
  private static String hint(LagoaConfig config, SQLException e, long waitedSeconds) {
    CatalogConfig catalog = config.catalog();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01") || state.equals("28000")) {
      String user =
          catalog.user().map(name -> name + ", from " + config.origin(ConfigKeys.CATALOG_USER))
              .orElse("not set");
      String password =
          catalog.password().isPresent()
              ? "from " + config.origin(ConfigKeys.CATALOG_PASSWORD)
              : "not set";
      return "; check catalog.user (" + user + ") and catalog.password (" + password + ")";
    }
    if (state.equals("3D000")) {
      Matcher database = DATABASE_IN_URI.matcher(catalog.uri());
      return "; create it (CREATE DATABASE " + (database.find() ? database.group(1) : "...")
          + ") or fix the database name in catalog.uri";
    }
    if (state.startsWith("08") && waitedSeconds >= catalog.connectTimeoutSeconds()) {
      return "; nothing answered within " + catalog.connectTimeoutSeconds()
          + " s (catalog.connect-timeout-seconds): is a PostgreSQL server listening there?";
    }
    return "";
  }

  /**
   * The driver's message on one line, plus the root cause when the message alone says nothing, as
   * in "The connection attempt failed." for an unknown host.
   */
  private static String describe(SQLException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    message = message.replaceAll("\\s*\\R\\s*", " ");
    String root = rootMessage(e);
    if (message.isEmpty()) {
      return root;
    }
    Throwable cause = e.getCause();
    if (cause != null && cause != e && !message.contains(root)
        && !(cause instanceof java.net.ConnectException)) {
      return message.replaceAll("\\.$", "")
          + " (" + rootCause(e).getClass().getSimpleName() + ": " + root + ")";
    }
    return message;
  }

  private static Throwable rootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot create the folder " + folder + ": " + rootMessage(e), e);
    }
  }

  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message.strip();
  }
}

package io.lagoa.catalog;

import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/** Opens the Iceberg catalog a configuration names, after checking it can be reached. */
public final class LagoaCatalogs {
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
              + config.catalog().uri() + " (" + config.describeSource() + "): " + rootMessage(e),
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
    Properties properties = new Properties();
    catalog.user().ifPresent(user -> properties.setProperty("user", user));
    catalog.password().ifPresent(password -> properties.setProperty("password", password.value()));
    properties.setProperty("connectTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
    properties.setProperty("loginTimeout", Integer.toString(catalog.connectTimeoutSeconds()));
    DriverManager.setLoginTimeout(catalog.connectTimeoutSeconds());
    try (Connection connection = DriverManager.getConnection(catalog.uri(), properties)) {
      connection.isValid(catalog.connectTimeoutSeconds());
    } catch (SQLException e) {
      throw new LagoaException(
          ErrorCode.CATALOG_UNREACHABLE,
          "cannot connect to the " + catalog.type().configName() + " catalog at " + catalog.uri()
              + " (catalog.uri, from " + config.describeSource() + "): " + rootMessage(e),
          e);
    }
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

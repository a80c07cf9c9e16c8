package org.apache.iceberg.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileIO;

/**
 * Iceberg's own JDBC table operations (the same lookup of the table's metadata location, the same
 * compare-and-swap commit), with the metadata file at that location read through a function the
 * caller gives, so that a catalog can reuse what it parsed before. Iceberg keeps its JDBC table
 * operations and the catalog's connection pool package-private, so this class sits in Iceberg's
 * package: a change there breaks the build, not a query at run time.
 */
public final class JdbcTables {
  private final JdbcCatalog catalog;
  private final FileIO io;
  private final JdbcUtil.SchemaVersion schemaVersion;
  private final Function<String, TableMetadata> metadataReader;

  private JdbcTables(
      JdbcCatalog catalog,
      FileIO io,
      JdbcUtil.SchemaVersion schemaVersion,
      Function<String, TableMetadata> metadataReader) {
    this.catalog = catalog;
    this.io = io;
    this.schemaVersion = schemaVersion;
    this.metadataReader = metadataReader;
  }

  /**
   * The table operations of an initialized {@code catalog} whose files go through {@code io} (the
   * catalog's own), reading a metadata file with {@code metadataReader} (location to metadata).
   */
  public static JdbcTables of(
      JdbcCatalog catalog, FileIO io, Function<String, TableMetadata> metadataReader) {
    return new JdbcTables(catalog, io, schemaVersion(catalog.connectionPool()), metadataReader);
  }

  /** A new table's operations, as {@link JdbcCatalog} makes them but for reading metadata. */
  public TableOperations newTableOps(TableIdentifier identifier) {
    return new Operations(
        catalog.connectionPool(),
        io,
        catalog.name(),
        identifier,
        catalog.properties(),
        schemaVersion,
        metadataReader);
  }

  /**
   * The schema version {@link JdbcCatalog#initialize} settled on, found the way it finds it: the
   * catalog table has the record-type column once it was created or updated for views.
   */
  private static JdbcUtil.SchemaVersion schemaVersion(JdbcClientPool connections) {
    try {
      return connections.run(
          connection -> {
            try (ResultSet column =
                connection
                    .getMetaData()
                    .getColumns(
                        null, null, JdbcUtil.CATALOG_TABLE_VIEW_NAME, JdbcUtil.RECORD_TYPE)) {
              return column.next() ? JdbcUtil.SchemaVersion.V1 : JdbcUtil.SchemaVersion.V0;
            }
          });
    } catch (SQLException e) {
      throw new UncheckedSQLException(e, "Cannot read the JDBC catalog's schema version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedInterruptedException(e, "Interrupted reading the catalog's schema");
    }
  }

  private static final class Operations extends JdbcTableOperations {
    private final Function<String, TableMetadata> metadataReader;

    Operations(
        JdbcClientPool connections,
        FileIO io,
        String catalogName,
        TableIdentifier identifier,
        Map<String, String> catalogProperties,
        JdbcUtil.SchemaVersion schemaVersion,
        Function<String, TableMetadata> metadataReader) {
      super(connections, io, catalogName, identifier, catalogProperties, schemaVersion);
      this.metadataReader = metadataReader;
    }

    // Every other overload (doRefresh's call included) ends here; the retries stay Iceberg's.
    @Override
    protected void refreshFromMetadataLocation(
        String newLocation, Predicate<Exception> shouldRetry, int numRetries) {
      refreshFromMetadataLocation(newLocation, shouldRetry, numRetries, metadataReader);
    }
  }
}

package io.lagoa.catalog;

import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Iceberg's JDBC catalog (SQLite, PostgreSQL) whose table commits also check that a pipeline batch
 * still starts from the table's last pipeline commit ({@link ValidatingTableOperations}).
 * Everything else is Iceberg's own: other engines reading the same catalog database see ordinary
 * Iceberg tables.
 */
public class LagoaJdbcCatalog extends JdbcCatalog {
  @Override
  protected TableOperations newTableOps(TableIdentifier identifier) {
    return new ValidatingTableOperations(super.newTableOps(identifier), identifier.toString());
  }
}

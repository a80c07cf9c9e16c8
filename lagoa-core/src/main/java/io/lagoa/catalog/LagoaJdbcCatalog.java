package io.lagoa.catalog;

import java.util.Map;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcTables;

/**
 * Iceberg's JDBC catalog (SQLite, PostgreSQL) whose table commits also check that a pipeline batch
 * still starts from the table's last pipeline commit ({@link ValidatingTableOperations}), and which
 * parses a table's metadata file once ({@link TableMetadataCache}). Everything else is Iceberg's
 * own: other engines reading the same catalog database see ordinary Iceberg tables.
 */
public class LagoaJdbcCatalog extends JdbcCatalog {
  private final FileIoOpener files;
  private final TableMetadataCache metadata = new TableMetadataCache();
  private JdbcTables tables;

  public LagoaJdbcCatalog() {
    this(new FileIoOpener());
  }

  private LagoaJdbcCatalog(FileIoOpener files) {
    super(files::open, null, true);
    this.files = files;
  }

  @Override
  public void setConf(Object conf) {
    super.setConf(conf);
    files.conf = conf;
  }

  @Override
  public void initialize(String name, Map<String, String> properties) {
    super.initialize(name, properties);
    FileIO io = files.io;
    tables =
        JdbcTables.of(
            this,
            io,
            location ->
                metadata.read(
                    location,
                    file -> TableMetadataParser.read(io, file),
                    file -> io.newInputFile(file).exists()));
  }

  @Override
  protected TableOperations newTableOps(TableIdentifier identifier) {
    return new ValidatingTableOperations(tables.newTableOps(identifier), identifier.toString());
  }

  /**
   * Opens the catalog's file client as {@link JdbcCatalog} does when given none ({@code io-impl},
   * Hadoop's by default, with the engine's Hadoop configuration), and keeps it for the table
   * operations: the catalog keeps its own private.
   */
  private static final class FileIoOpener {
    private Object conf;
    private FileIO io;

    FileIO open(Map<String, String> properties) {
      io =
          CatalogUtil.loadFileIO(
              properties.getOrDefault(
                  org.apache.iceberg.CatalogProperties.FILE_IO_IMPL, HadoopFileIO.class.getName()),
              properties,
              conf);
      return io;
    }
  }
}

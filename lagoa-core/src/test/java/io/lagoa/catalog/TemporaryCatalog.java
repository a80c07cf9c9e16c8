package io.lagoa.catalog;

import io.lagoa.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;

/**
 * Lagoa's own catalog (SQLite) on a warehouse in a test's temporary folder, with the namespaces a
 * test needs, for lagoa-core's tests (which cannot use lagoa-testing, a module above them).
 */
public final class TemporaryCatalog implements AutoCloseable {
  private final Catalog catalog;
  private final Path folder;
  private final AtomicInteger files = new AtomicInteger();

  private TemporaryCatalog(Catalog catalog, Path folder) {
    this.catalog = catalog;
    this.folder = folder;
  }

  /** Opens the catalog of a warehouse under {@code folder} and creates {@code namespaces}. */
  public static TemporaryCatalog in(Path folder, String... namespaces) {
    try {
      // Surefire points java.io.tmpdir at target/tmp, where sqlite-jdbc unpacks its native
      // library; that folder has to exist first.
      Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Catalog catalog =
        LagoaCatalogs.open(
            new ConfigLoader(Map.of("LAGOA_WAREHOUSE", folder.resolve("wh").toString()), folder)
                .load(null));
    for (String namespace : namespaces) {
      ((SupportsNamespaces) catalog).createNamespace(Namespace.of(namespace));
    }
    return new TemporaryCatalog(catalog, folder);
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * A new data file of one row for {@code table}, as a commit records it: a name in the test's
   * folder that no other call gives (from any thread), no file written.
   */
  public DataFile dataFile(Table table) {
    return DataFiles.builder(table.spec())
        .withPath(folder.resolve("data-" + files.incrementAndGet() + ".parquet").toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withRecordCount(1)
        .build();
  }

  @Override
  public void close() throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}

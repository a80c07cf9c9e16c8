package io.lagoa.catalog;

import io.lagoa.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;

/**
 * Lagoa's own catalog (SQLite) on a warehouse in a test's temporary folder, with the namespaces a
 * test needs, for lagoa-core's tests (which cannot use lagoa-testing, a module above them).
 */
public final class TemporaryCatalog implements AutoCloseable {
  private final Catalog catalog;

  private TemporaryCatalog(Catalog catalog) {
    this.catalog = catalog;
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
    return new TemporaryCatalog(catalog);
  }

  public Catalog catalog() {
    return catalog;
  }

  @Override
  public void close() throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}

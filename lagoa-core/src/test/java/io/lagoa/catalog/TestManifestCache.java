package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lagoa's catalog keeps the manifests it read: planning a scan again on a freshly loaded table (as
 * every Spark statement does, Iceberg's table cache being off) reads them from memory, and a commit
 * in between is seen at once (its manifests are new files).
 */
class TestManifestCache {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier NAME = TableIdentifier.of("bronze", "events");

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder, "bronze");
    catalog = temporary.catalog();
    catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
  }

  @AfterEach
  void close() throws Exception {
    temporary.close();
  }

  @Test
  void theCatalogTurnsIcebergsManifestCacheOn() {
    assertThat(catalog.loadTable(NAME).io().properties())
        .containsEntry(CatalogProperties.MANIFEST_CACHE, "true");
  }

  @Test
  void planningAgainReadsTheManifestsFromTheCache() {
    append(2);
    Table first = catalog.loadTable(NAME);
    assertThat(plan(first)).hasSize(2);
    long hits = ManifestFiles.contentCacheStats(first.io()).hitCount();

    Table again = catalog.loadTable(NAME);
    assertThat(plan(again)).hasSize(2);

    assertThat(ManifestFiles.contentCacheStats(again.io()).hitCount()).isGreaterThan(hits);
  }

  @Test
  void aCommitAfterACachedPlanIsSeenAtOnce() {
    append(1);
    assertThat(plan(catalog.loadTable(NAME))).hasSize(1);

    append(1);

    assertThat(plan(catalog.loadTable(NAME))).hasSize(2);
  }

  private void append(int count) {
    Table table = catalog.loadTable(NAME);
    var append = table.newAppend();
    for (int i = 0; i < count; i++) {
      append.appendFile(temporary.dataFile(table));
    }
    append.commit();
  }

  private static List<String> plan(Table table) {
    List<String> paths = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> paths.add(task.file().location()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }
}

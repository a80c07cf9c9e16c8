package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lagoa's JDBC catalog parses a metadata file once and still sees every commit at once: its own,
 * another process's (a second catalog on the same database), a drop and a create of the same name;
 * two writers that loaded the same cached metadata both commit, one after Iceberg's retry; and a
 * table whose metadata file is gone fails to load, as without a cache.
 */
class TestTableMetadataCache {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier NAME = TableIdentifier.of("bronze", "events");

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;
  private TemporaryCatalog otherProcess;
  private Catalog other;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder, "bronze");
    catalog = temporary.catalog();
    otherProcess = TemporaryCatalog.in(folder); // the same warehouse, opened a second time
    other = otherProcess.catalog();
    catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
  }

  @AfterEach
  void close() throws Exception {
    otherProcess.close();
    temporary.close();
  }

  @Test
  void loadingATableAgainReusesTheParsedMetadata() {
    TableMetadata first = metadata(catalog.loadTable(NAME));

    assertThat(metadata(catalog.loadTable(NAME))).isSameAs(first);
  }

  @Test
  void everyCommitIsSeenAtTheNextLoad() {
    Table before = catalog.loadTable(NAME);

    append(catalog.loadTable(NAME));
    Table afterOwn = catalog.loadTable(NAME);
    append(other.loadTable(NAME));
    Table afterOther = catalog.loadTable(NAME);

    assertThat(before.currentSnapshot()).isNull();
    assertThat(afterOwn.currentSnapshot().addedDataFiles(afterOwn.io())).hasSize(1);
    assertThat(afterOther.snapshots()).hasSize(2);
    assertThat(metadata(afterOther)).isNotSameAs(metadata(afterOwn));
  }

  @Test
  void aTableDroppedAndCreatedAgainIsTheNewOne() {
    append(catalog.loadTable(NAME));
    String oldUuid = metadata(catalog.loadTable(NAME)).uuid();

    other.dropTable(NAME, false);
    other.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());

    Table again = catalog.loadTable(NAME);
    assertThat(metadata(again).uuid()).isNotEqualTo(oldUuid);
    assertThat(again.currentSnapshot()).isNull();
  }

  @Test
  void twoWritersFromTheSameCachedMetadataBothCommit() {
    Table one = catalog.loadTable(NAME);
    Table two = catalog.loadTable(NAME);
    assertThat(metadata(two)).isSameAs(metadata(one));

    append(one);
    append(two); // its base is stale: the catalog's swap fails, Iceberg refreshes and retries

    Table result = other.loadTable(NAME);
    assertThat(result.snapshots()).hasSize(2);
    assertThat(result.currentSnapshot().summary()).containsEntry("total-data-files", "2");
  }

  @Test
  void aTableWhoseMetadataFileWasDeletedIsNotFound() {
    Table table = catalog.loadTable(NAME);
    table.io().deleteFile(metadata(table).metadataFileLocation());

    assertThatThrownBy(() -> catalog.loadTable(NAME))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(metadata(table).metadataFileLocation());
  }

  @Test
  void aTableThatCommitsOftenKeepsOneVersion() {
    TableMetadataCache cache = new TableMetadataCache();
    Table table = catalog.loadTable(NAME);
    for (int i = 0; i < 3; i++) {
      append(table);
      String location = metadata(table).metadataFileLocation();
      cache.read(location, file -> TableMetadataParser.read(table.io(), file), file -> true);
    }
    other.createTable(TableIdentifier.of("bronze", "other"), SCHEMA);
    String otherLocation =
        metadata(other.loadTable(TableIdentifier.of("bronze", "other"))).metadataFileLocation();
    cache.read(otherLocation, file -> TableMetadataParser.read(table.io(), file), file -> true);

    assertThat(cache.size()).isEqualTo(2);
  }

  private static TableMetadata metadata(Table table) {
    return ((HasTableOperations) table).operations().current();
  }

  private void append(Table table) {
    table.newAppend().appendFile(temporary.dataFile(table)).commit();
  }
}

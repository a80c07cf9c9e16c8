package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.TemporaryCatalog;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed run puts each table it wrote back as it was (snapshot, schema, properties), drops a
 * table it created, and leaves a table alone when someone else committed to it meanwhile, in
 * Lagoa's own catalog (SQLite in a temporary folder).
 */
class TestTableState {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier NAME = TableIdentifier.of("silver", "events");

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;
  private int files;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder, "silver");
    catalog = temporary.catalog();
  }

  @AfterEach
  void close() throws Exception {
    temporary.close();
  }

  @Test
  void aTableTheRunAppendedToGoesBackToItsSnapshot() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long before = append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    assertThat(state.existed()).isTrue();
    assertThat(state.snapshotId()).hasValue(before);

    long first = append(table, "run-1");
    long second = append(table, "run-1");
    String message = state.restore(catalog, Set.of(first, second));

    assertThat(message).isEqualTo("restored " + NAME + " to snapshot " + before);
    assertThat(current(NAME)).isEqualTo(before);
    assertThat(dataFiles(NAME)).isEqualTo(1);
  }

  @Test
  void aSchemaTheRunChangedIsPutBackWithTheRows() {
    Table table =
        catalog.createTable(
            NAME, SCHEMA, PartitionSpec.unpartitioned(), Map.of("owner", "finance"));
    long before = append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);

    table.updateSchema().addColumn("note", Types.StringType.get()).commit();
    table.updateProperties().set("owner", "someone else").commit();
    long written = append(table, "run-1");
    assertThat(catalog.loadTable(NAME).schema().findField("note")).isNotNull();

    state.restore(catalog, Set.of(written));

    Table restored = catalog.loadTable(NAME);
    assertThat(restored.schema().findField("note")).isNull();
    assertThat(restored.schema().columns()).hasSize(1);
    assertThat(restored.properties()).containsEntry("owner", "finance");
    assertThat(current(NAME)).isEqualTo(before);
  }

  @Test
  void aTableTheRunCreatedIsDropped() {
    TableState state = TableState.capture(catalog, NAME);
    assertThat(state.existed()).isFalse();
    assertThat(state.snapshotId()).isEmpty();

    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long written = append(table, "run-1");
    String message = state.restore(catalog, Set.of(written));

    assertThat(message).isEqualTo("dropped " + NAME + ", which the failed run had created");
    assertThat(catalog.tableExists(NAME)).isFalse();
  }

  @Test
  void aTableDroppedMeanwhileIsReportedAndLeftAlone() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    append(table, "run-0");
    TableState existed = TableState.capture(catalog, NAME);
    long written = append(table, "run-1");
    catalog.dropTable(NAME, true);

    assertThat(existed.restore(catalog, Set.of(written)))
        .isEqualTo(NAME + " was dropped by someone else; nothing to restore");
    assertThat(catalog.tableExists(NAME)).isFalse();

    // created by the run and dropped since (another runner's failed run dropped it): nothing to do
    TableState created = new TableState(NAME, Optional.empty());
    assertThat(created.restore(catalog, Set.of(written))).isEmpty();
  }

  @Test
  void aTableAnotherWriterCommittedToMeanwhileIsLeftAsItIs() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long before = append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    long mine = append(table, "run-1");
    long theirs = append(table, "run-2");

    assertThatThrownBy(() -> state.restore(catalog, Set.of(mine)))
        .isInstanceOf(TableState.RestoreException.class)
        .hasMessageContaining(NAME + " was left as it is")
        .hasMessageContaining("snapshots [" + theirs + "] were committed by another writer")
        .hasMessageContaining("roll it back to " + before);
    assertThat(current(NAME)).isEqualTo(theirs);
  }

  @Test
  void aTableTheRunDidNotChangeIsNotTouched() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long before = append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    String location = metadataLocation(NAME);

    assertThat(state.restore(catalog, new HashSet<>())).isEmpty();
    assertThat(metadataLocation(NAME)).isEqualTo(location);
    assertThat(current(NAME)).isEqualTo(before);
  }

  /** How the next run puts back a run that was killed: from the metadata file it noted. */
  @Test
  void theStateAtANotedMetadataFileRestoresLikeACapture() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long before = append(table, "run-0");
    String noted = metadataLocation(NAME);
    table.updateSchema().addColumn("note", Types.StringType.get()).commit();
    long written = append(table, "run-1");

    TableState state = TableState.at(catalog, NAME, Optional.of(noted));
    assertThat(state.snapshotId()).hasValue(before);
    assertThat(state.restore(catalog, Set.of(written)))
        .isEqualTo("restored " + NAME + " to snapshot " + before);
    assertThat(catalog.loadTable(NAME).schema().findField("note")).isNull();

    TableState absent = TableState.at(catalog, NAME, Optional.empty());
    assertThat(absent.existed()).isFalse();
    assertThat(absent.restore(catalog, Set.of(before, written))).startsWith("dropped " + NAME);
    assertThat(catalog.tableExists(NAME)).isFalse();
  }

  private long append(Table table, String runId) {
    table.refresh();
    AppendFiles append =
        table.newAppend().appendFile(file(table)).set(PipelineCommits.RUN_ID, runId);
    append.commit();
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  private long current(TableIdentifier name) {
    return catalog.loadTable(name).currentSnapshot().snapshotId();
  }

  private String metadataLocation(TableIdentifier name) {
    return ((HasTableOperations) catalog.loadTable(name))
        .operations()
        .current()
        .metadataFileLocation();
  }

  private long dataFiles(TableIdentifier name) {
    return Long.parseLong(
        catalog.loadTable(name).currentSnapshot().summary().get("total-data-files"));
  }

  private DataFile file(Table target) {
    return DataFiles.builder(target.spec())
        .withPath(folder.resolve("data-" + (++files) + ".parquet").toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withRecordCount(1)
        .build();
  }
}

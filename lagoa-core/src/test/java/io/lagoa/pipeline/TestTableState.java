package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.TemporaryCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
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
  void withdrawingPutsBackWhenNobodyElseCommitted() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    long before = append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    long mine = append(table, "run-1");

    assertThat(state.withdraw(catalog, Set.of(mine)))
        .isEqualTo("restored " + NAME + " to snapshot " + before);
    assertThat(catalog.loadTable(NAME).snapshot(mine)).isNull();
  }

  /** A lost batch's quarantine rows go, and so does nothing another run committed on top. */
  @Test
  void withdrawingDeletesTheRunsAppendedFilesAndKeepsAnotherWritersCommit() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    long mine = append(table, "run-1");
    long alsoMine = append(table, "run-1");
    long theirs = append(table, "run-2");

    String message = state.withdraw(catalog, Set.of(mine, alsoMine));

    assertThat(message)
        .isEqualTo(
            "deleted the 2 data file(s) the run had appended to "
                + NAME
                + "; the commits of other writers since are kept");
    Table after = catalog.loadTable(NAME);
    Snapshot withdrawn = after.currentSnapshot();
    assertThat(withdrawn.parentId()).isEqualTo(theirs);
    assertThat(withdrawn.operation()).isEqualTo(DataOperations.DELETE);
    assertThat(withdrawn.summary())
        .containsEntry(
            PipelineCommits.WITHDRAWS, Math.min(mine, alsoMine) + "," + Math.max(mine, alsoMine))
        .doesNotContainKey(PipelineCommits.RUN_ID);
    assertThat(liveFiles(after)).containsExactlyInAnyOrder("data-1.parquet", "data-4.parquet");
    // not a pipeline commit: the others' expected base is still their last commit
    assertThat(
            PipelineCommits.lastPipelineCommitId(
                ((HasTableOperations) after).operations().current()))
        .isEqualTo(Long.toString(theirs));
  }

  @Test
  void withdrawingRefusesWhenTheRunDidMoreThanAppend() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    long appended = append(table, "run-1");
    table.refresh();
    table
        .newDelete()
        .deleteFromRowFilter(Expressions.alwaysTrue())
        .set(PipelineCommits.RUN_ID, "run-1")
        .commit();
    table.refresh();
    long deleted = table.currentSnapshot().snapshotId();
    long theirs = append(table, "run-2");

    assertThatThrownBy(() -> state.withdraw(catalog, Set.of(appended, deleted)))
        .isInstanceOf(TableState.RestoreException.class)
        .hasMessageContaining(NAME + " was left as it is");
    assertThat(current(NAME)).isEqualTo(theirs);
  }

  @Test
  void withdrawingRefusesWhenTheRunsFilesWereRewrittenSince() {
    Table table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
    append(table, "run-0");
    TableState state = TableState.capture(catalog, NAME);
    long mine = append(table, "run-1");
    append(table, "run-2");
    // a compaction by someone else took the run's file out (into another)
    table.refresh();
    DataFile compacted = file(table);
    RewriteFiles rewrite = table.newRewrite().addFile(compacted);
    table.snapshot(mine).addedDataFiles(table.io()).forEach(rewrite::deleteFile);
    rewrite.commit();
    long rewritten = current(NAME);

    assertThatThrownBy(() -> state.withdraw(catalog, Set.of(mine)))
        .isInstanceOf(TableState.RestoreException.class)
        .hasMessageContaining(NAME + " was left as it is");
    assertThat(current(NAME)).isEqualTo(rewritten);
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

  private static List<String> liveFiles(Table table) {
    List<String> names = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> names.add(Path.of(task.file().location()).getFileName().toString()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return names;
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

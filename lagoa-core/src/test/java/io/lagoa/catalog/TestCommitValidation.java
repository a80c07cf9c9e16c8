package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.ConcurrentRunException;
import io.lagoa.pipeline.PipelineCommits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.AppendFiles;
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
 * The catalog refuses a pipeline batch's commit when the table's last pipeline commit moved since
 * the batch started, whoever got in between, and lets every other commit through.
 */
class TestCommitValidation {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier NAME = TableIdentifier.of("bronze", "events");

  @TempDir Path folder;
  private TemporaryCatalog temporary;
  private Catalog catalog;
  private Table table;

  @BeforeEach
  void open() {
    temporary = TemporaryCatalog.in(folder, "bronze");
    catalog = temporary.catalog();
    table = catalog.createTable(NAME, SCHEMA, PartitionSpec.unpartitioned());
  }

  @AfterEach
  void close() throws Exception {
    temporary.close();
  }

  @Test
  void theCatalogIsLagoasJdbcCatalog() {
    assertThat(catalog).isInstanceOf(LagoaJdbcCatalog.class);
  }

  @Test
  void aBatchFromTheLastPipelineCommitIsAccepted() {
    long first = batch(table, "run-1", PipelineCommits.NONE);
    long second = batch(table, "run-2", Long.toString(first));
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(second);
    assertThat(table.currentSnapshot().parentId()).isEqualTo(first);
  }

  @Test
  void aBatchThatStartedBeforeAnotherRunsCommitIsRefused() {
    long first = batch(table, "run-1", PipelineCommits.NONE);
    Table stale = catalog.loadTable(NAME); // loaded before the other run's commit
    long other = batch(table, "run-2", Long.toString(first));
    assertThatThrownBy(() -> batch(stale, "run-3", Long.toString(first)))
        .isInstanceOf(ConcurrentRunException.class)
        .hasMessageContaining("cannot commit to bronze.events")
        .hasMessageContaining("was " + first + " then and is " + other + " now");
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(other);
    assertThat(count(table)).isEqualTo(2);
  }

  @Test
  void commitsOfOthersInBetweenDoNotCount() {
    long first = batch(table, "run-1", PipelineCommits.NONE);
    // a compaction or a manual INSERT: no run id, so not a pipeline commit
    table.newAppend().appendFile(temporary.dataFile(table)).commit();
    long second = batch(table, "run-2", Long.toString(first));
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(second);
  }

  @Test
  void commitsWithoutTheKeyAreNotChecked() {
    batch(table, "run-1", PipelineCommits.NONE);
    table
        .newAppend()
        .appendFile(temporary.dataFile(table))
        .set(PipelineCommits.RUN_ID, "run-2")
        .commit();
    assertThat(count(table)).isEqualTo(2);
  }

  @Test
  void aRollbackAndARestoreOfEarlierMetadataAreNotChecked() {
    long first = batch(table, "run-1", PipelineCommits.NONE);
    batch(table, "run-2", Long.toString(first));
    table.manageSnapshots().rollbackTo(first).commit();
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(first);
  }

  /** Many writers from one start: exactly one wins, however the catalog's retries interleave. */
  @Test
  void ofManyBatchesFromOneStartExactlyOneIsCommitted() throws Exception {
    long first = batch(table, "run-0", PipelineCommits.NONE);
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Table own = catalog.loadTable(NAME);
        String run = "run-" + (i + 1);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    batch(own, run, Long.toString(first));
                    return true;
                  } catch (ConcurrentRunException e) {
                    return false;
                  }
                }));
      }
      start.countDown();
      int committed = 0;
      for (Future<Boolean> result : results) {
        committed += result.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(committed).isEqualTo(1);
      assertThat(count(catalog.loadTable(NAME))).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  private long batch(Table target, String runId, String expectedBase) {
    AppendFiles append =
        target
            .newAppend()
            .appendFile(temporary.dataFile(target))
            .set(PipelineCommits.RUN_ID, runId)
            .set(PipelineCommits.expectedBaseKey("bronze.events"), expectedBase);
    append.commit();
    return append.apply().snapshotId();
  }

  private static long count(Table table) {
    table.refresh();
    return Long.parseLong(table.currentSnapshot().summary().get("total-data-files"));
  }
}

package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.backup.BackupListener;
import io.lagoa.backup.ReplicaLocation;
import io.lagoa.backup.ReplicaState;
import io.lagoa.backup.ReplicatedTable;
import io.lagoa.backup.ReplicationResult;
import io.lagoa.backup.TableLag;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.testing.TestingWarehouse;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replication on real tables and the real engine's commits: a replica taken while a pipeline
 * commits holds the primary's rows row for row (merge-on-read deletes included); a second pass
 * copies only the new files; a copy cut short leaves the replica's table at its last state and the
 * next pass resumes with the missing files; a promoted replica refuses replication.
 */
class TestReplicationService {
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;
  private static StreamingFeed feed;
  private static ReplicationService replication;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    replication = new ReplicationService(lakehouse);
    feed = StreamingFeed.start(lakehouse, warehouse, "rp");
  }

  @AfterAll
  static void stop() {
    if (lakehouse != null) {
      lakehouse.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
  }

  private static String folder(String name) {
    return warehouse.root().resolve(name).toString();
  }

  /** The replica's catalog, as Lagoa opens it with the replica as its warehouse. */
  private static Catalog replicaCatalog(String replica) {
    return LagoaCatalogs.open(warehouse.config(Map.of("LAGOA_WAREHOUSE", replica)));
  }

  /**
   * Every row of a table's current snapshot, in one order, read through Iceberg's generic reader.
   */
  private static List<String> rows(Table table) {
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        rows.add(record.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  private static void assertSameRows(String replica, List<TableIdentifier> tables) {
    Catalog secondary = replicaCatalog(replica);
    try {
      for (TableIdentifier table : tables) {
        Table primary = lakehouse.catalog().loadTable(table);
        Table copy = secondary.loadTable(table);
        assertThat(copy.location()).as(table.toString()).startsWith("file:" + replica);
        assertThat(copy.currentSnapshot() == null ? null : copy.currentSnapshot().snapshotId())
            .as(table.toString())
            .isEqualTo(
                primary.currentSnapshot() == null ? null : primary.currentSnapshot().snapshotId());
        assertThat(rows(copy)).as(table.toString()).isEqualTo(rows(primary));
      }
    } finally {
      close(secondary);
    }
  }

  private static void close(Catalog catalog) {
    try {
      ((Closeable) catalog).close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<TableIdentifier> allTables() {
    return ((SupportsNamespaces) lakehouse.catalog())
        .listNamespaces().stream()
            .flatMap(namespace -> lakehouse.catalog().listTables(namespace).stream())
            .toList();
  }

  @Test
  void replicaTakenWhilePipelineCommitsHasTheSameRowsAndNextPassesAreIncremental()
      throws Exception {
    lakehouse
        .sql()
        .run(
            "CREATE TABLE rp_raw.mor (id INT, name STRING) USING iceberg TBLPROPERTIES"
                + " ('write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read')");
    lakehouse.sql().run("INSERT INTO rp_raw.mor VALUES (1, 'ana'), (2, 'bia'), (3, 'caio')");
    lakehouse.sql().run("DELETE FROM rp_raw.mor WHERE id = 2"); // a position-delete file
    String to = folder("replica-pipeline");
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 3; i++) {
                feed.insertAndRun();
              }
            });
    List<ReplicationResult> passes = new ArrayList<>();
    try {
      while (!writer.isDone() || passes.isEmpty()) {
        passes.add(replication.replicate(to, List.of(), false, BackupListener.NONE));
      }
    } finally {
      writer.get(3, TimeUnit.MINUTES);
    }
    // every pass saw only states the tables had; the last one after the writer stopped
    ReplicationResult last = replication.replicate(to, List.of(), false, BackupListener.NONE);
    assertThat(last.tables())
        .extracting(TableLag::table)
        .contains("rp.events", "rp_raw.source", "rp_raw.mor");
    assertThat(last.tables())
        .allSatisfy(lag -> assertThat(lag.status()).isEqualTo(TableLag.Status.IN_SYNC));
    assertSameRows(to, allTables());

    // nothing new: nothing copied, nothing advanced
    ReplicationResult idle = replication.replicate(to, List.of(), false, BackupListener.NONE);
    assertThat(idle.advanced()).isZero();
    assertThat(idle.copiedFiles() + idle.rewrittenFiles()).isZero();

    // one more commit to each table: only its new data files are copied
    Map<String, Long> before = snapshotIds();
    feed.insertAndRun();
    List<TableLag> behind = replication.status(to, List.of());
    assertThat(behind)
        .filteredOn(lag -> lag.table().equals("rp_raw.source"))
        .singleElement()
        .satisfies(
            lag -> {
              assertThat(lag.status()).isEqualTo(TableLag.Status.BEHIND);
              assertThat(lag.secondsBehind()).isNotNull().isGreaterThan(0.0);
            });
    long added = addedDataFiles(before);
    ReplicationResult next = replication.replicate(to, List.of(), false, BackupListener.NONE);
    assertThat(next.copiedFiles()).isEqualTo(added);
    assertThat(next.advanced()).isPositive();
    assertSameRows(to, allTables());
  }

  private static Map<String, Long> snapshotIds() {
    Map<String, Long> ids = new java.util.HashMap<>();
    for (TableIdentifier table : allTables()) {
      Snapshot current = lakehouse.catalog().loadTable(table).currentSnapshot();
      ids.put(table.toString(), current == null ? null : current.snapshotId());
    }
    return ids;
  }

  /** The data files the commits since these snapshots added, over every table. */
  private static long addedDataFiles(Map<String, Long> since) {
    long added = 0;
    for (TableIdentifier table : allTables()) {
      Table loaded = lakehouse.catalog().loadTable(table);
      Long from = since.get(table.toString());
      for (Snapshot snapshot = loaded.currentSnapshot();
          snapshot != null && !java.util.Objects.equals(snapshot.snapshotId(), from);
          snapshot = snapshot.parentId() == null ? null : loaded.snapshot(snapshot.parentId())) {
        added += Long.parseLong(snapshot.summary().getOrDefault("added-data-files", "0"));
      }
    }
    return added;
  }

  @Test
  void copyCutShortLeavesTheReplicaAsItWasAndTheNextPassResumes() {
    lakehouse.sql().run("CREATE TABLE rp_raw.cut (id INT) USING iceberg");
    TableIdentifier cut = TableIdentifier.of("rp_raw", "cut");
    lakehouse.sql().run("INSERT INTO rp_raw.cut VALUES (1)");
    String to = folder("replica-cut");
    replication.replicate(to, List.of(cut), false, BackupListener.NONE);
    List<String> first = rows(lakehouse.catalog().loadTable(cut));
    int afterFirst =
        new ReplicaLocation(Path.of(to))
            .state()
            .orElseThrow()
            .table("rp_raw.cut")
            .orElseThrow()
            .files()
            .size();
    for (int i = 2; i <= 6; i++) {
      lakehouse.sql().run("INSERT INTO rp_raw.cut VALUES (" + i + ")");
    }

    // the disk is cut after 4 files reach the replica
    AtomicInteger written = new AtomicInteger();
    Path root = Path.of(to);
    Function<String, FileIO> failing =
        path -> {
          FileIO io = lakehouse.fileIO(path);
          return path.contains(root.toString()) ? new CutAfter(io, written, 4) : io;
        };
    ReplicationService cutting = new ReplicationService(lakehouse, Clock.systemUTC(), failing);
    assertThatThrownBy(() -> cutting.replicate(to, List.of(cut), false, BackupListener.NONE))
        .isInstanceOfSatisfying(
            LagoaException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
              assertThat(e.getMessage())
                  .contains("Cannot replicate rp_raw.cut to " + root)
                  .contains("was not changed (it is still at snapshot")
                  .contains("the next replication goes on from the files already copied");
            });
    // the replica's table is readable, at its last replicated state
    Catalog secondary = replicaCatalog(to);
    try {
      assertThat(rows(secondary.loadTable(cut))).isEqualTo(first);
    } finally {
      close(secondary);
    }
    // what was copied before the cut is recorded, and not copied again: of the 5 new data
    // files, those copied before the cut stay
    ReplicatedTable recorded =
        new ReplicaLocation(root).state().orElseThrow().table("rp_raw.cut").orElseThrow();
    assertThat(recorded.files().size()).isGreaterThan(afterFirst);
    ReplicationResult resumed = replication.replicate(to, List.of(cut), false, BackupListener.NONE);
    assertThat(resumed.copiedFiles()).isBetween(1L, 4L);
    assertThat(resumed.advanced()).isEqualTo(1);
    assertSameRows(to, List.of(cut));
  }

  /** A FileIO whose writes fail once {@code limit} files were written through it. */
  private static final class CutAfter implements FileIO {
    private final FileIO delegate;
    private final AtomicInteger written;
    private final int limit;

    CutAfter(FileIO delegate, AtomicInteger written, int limit) {
      this.delegate = delegate;
      this.written = written;
      this.limit = limit;
    }

    @Override
    public InputFile newInputFile(String path) {
      return delegate.newInputFile(path);
    }

    @Override
    public OutputFile newOutputFile(String path) {
      if (!path.contains("_lagoa_replica") && written.incrementAndGet() > limit) {
        throw new UncheckedIOException(new IOException("the disk was cut off"));
      }
      return delegate.newOutputFile(path);
    }

    @Override
    public void deleteFile(String path) {
      delegate.deleteFile(path);
    }
  }

  @Test
  void promotedReplicaIsWritableAndRefusesReplication() {
    lakehouse.sql().run("CREATE TABLE rp_raw.promoted (id INT) USING iceberg");
    TableIdentifier table = TableIdentifier.of("rp_raw", "promoted");
    lakehouse.sql().run("INSERT INTO rp_raw.promoted VALUES (1), (2)");
    String to = folder("replica-promoted");
    replication.replicate(to, List.of(table), false, BackupListener.NONE);

    ReplicationService.Failover failover = replication.failover(to, false);
    assertThat(failover.alreadyPromoted()).isFalse();
    assertThat(failover.tables()).extracting(TableLag::table).containsExactly("rp_raw.promoted");
    assertThat(failover.catalogUri()).isEqualTo("jdbc:sqlite:" + Path.of(to).resolve("catalog.db"));
    assertThat(new ReplicaLocation(Path.of(to)).state().map(ReplicaState::promoted)).contains(true);

    // the promoted replica as a warehouse of its own: read, write, read back
    try (Lakehouse promoted = Lakehouse.open(warehouse.config(Map.of("LAGOA_WAREHOUSE", to)))) {
      promoted.sql().run("INSERT INTO rp_raw.promoted VALUES (3)");
      assertThat(promoted.sql().execute("SELECT id FROM rp_raw.promoted ORDER BY id", 10).rows())
          .containsExactly(List.of(1), List.of(2), List.of(3));
      assertThat(promoted.catalog().loadTable(table).location()).startsWith("file:" + to);
    }
    assertThat(lakehouse.sql().execute("SELECT count(*) FROM rp_raw.promoted", 10).rows())
        .containsExactly(List.of(2L));

    assertThatThrownBy(() -> replication.replicate(to, List.of(table), false, BackupListener.NONE))
        .isInstanceOfSatisfying(
            LagoaException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT);
              assertThat(e.getMessage())
                  .contains("Cannot replicate to " + Path.of(to))
                  .contains("it was promoted to a primary by a failover at");
            });
    assertThat(replication.failover(to, false).alreadyPromoted()).isTrue();
  }

  @Test
  void badLocationsAreRefusedWithWhatIsWrong() throws IOException {
    assertThatThrownBy(() -> replication.status(folder("nowhere"), List.of()))
        .hasMessageContaining("Cannot show the replication status of")
        .hasMessageContaining("there is no such folder");
    Path backups = Files.createDirectories(warehouse.root().resolve("not-a-replica/backups"));
    assertThatThrownBy(() -> replication.failover(backups.getParent().toString(), false))
        .hasMessageContaining("it is a backup location");
    Path other = Files.createDirectories(warehouse.root().resolve("busy-folder"));
    Files.writeString(other.resolve("notes.txt"), "mine");
    assertThatThrownBy(
            () -> replication.replicate(other.toString(), List.of(), false, BackupListener.NONE))
        .hasMessageContaining("the folder is not empty and is not a replica");
    assertThatThrownBy(() -> replication.status(other.toString(), List.of()))
        .hasMessageContaining("it is not a replica");
    assertThatThrownBy(
            () ->
                replication.replicate(
                    warehouse.warehouse().resolve("r").toString(),
                    List.of(),
                    false,
                    BackupListener.NONE))
        .hasMessageContaining("is inside the warehouse");
    assertThatThrownBy(
            () ->
                replication.replicate(
                    folder("replica-typo"),
                    List.of(TableIdentifier.of("rp_raw", "sorce")),
                    false,
                    BackupListener.NONE))
        .hasMessageContaining("did you mean rp_raw.source?");

    // a replica of another warehouse
    Path foreign = warehouse.root().resolve("foreign");
    new ReplicaLocation(foreign).create("file:///elsewhere/warehouse", Clock.systemUTC());
    assertThatThrownBy(() -> replication.status(foreign.toString(), List.of()))
        .hasMessageContaining("it is a replica of the warehouse file:///elsewhere/warehouse");

    // a replicator holds the lease: another replication and a failover wait for it
    String held = folder("replica-held");
    lakehouse.sql().run("CREATE TABLE IF NOT EXISTS rp_raw.held (id INT) USING iceberg");
    replication.replicate(
        held, List.of(TableIdentifier.of("rp_raw", "held")), false, BackupListener.NONE);
    ReplicaLocation location = new ReplicaLocation(Path.of(held));
    ReplicaLocation.Lease other1 =
        new ReplicaLocation.Lease(
            1,
            "another-host",
            "2026-12-01T00:00:00Z",
            java.time.Instant.now().plusSeconds(60).toString());
    try {
      Files.writeString(
          Path.of(held, "_lagoa_replica", "lease.json"),
          new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(other1));
      assertThatThrownBy(() -> replication.failover(held, false))
          .hasMessageContaining("a replicator is running into it (pid 1 on another-host");
      assertThatThrownBy(() -> replication.replicate(held, List.of(), false, BackupListener.NONE))
          .hasMessageContaining("a replicator is running into it");
      assertThat(location.lease()).isPresent();
    } finally {
      Files.deleteIfExists(Path.of(held, "_lagoa_replica", "lease.json"));
    }
  }
}

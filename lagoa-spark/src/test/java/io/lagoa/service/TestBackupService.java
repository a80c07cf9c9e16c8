package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.backup.BackedUpFile;
import io.lagoa.backup.BackedUpTable;
import io.lagoa.backup.BackupListener;
import io.lagoa.backup.BackupLocation;
import io.lagoa.backup.BackupManifest;
import io.lagoa.backup.BackupResult;
import io.lagoa.backup.FileKind;
import io.lagoa.backup.PlannedRestore;
import io.lagoa.backup.RestoreRequest;
import io.lagoa.backup.RestoredTable;
import io.lagoa.backup.Restorer;
import io.lagoa.backup.RotationPlan;
import io.lagoa.backup.RotationPolicy;
import io.lagoa.backup.VerifyReport;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.error.Remedy;
import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backups and restores on real tables, the real engine and a real S3 API server (S3Proxy): backups
 * taken while a pipeline commits restore row for row; a dropped table and a deleted data file come
 * back; point-in-time restores land between two commits; verification names a damaged copy;
 * rotation keeps every file a kept backup needs.
 */
class TestBackupService {
  private static final TableIdentifier SOURCE = TableIdentifier.of("bk_raw", "source");
  private static final TableIdentifier EVENTS = TableIdentifier.of("bk", "events");
  private static TestingWarehouse warehouse;
  private static TestingS3 s3;
  private static Lakehouse lakehouse;
  private static StreamingFeed feed;
  private static MutableClock clock;
  private static BackupService backups;

  /** A clock tests move forward by days, for rotation; it also ticks with real time. */
  static final class MutableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  @BeforeAll
  static void start() {
    s3 = TestingS3.start();
    warehouse = TestingWarehouse.create();
    Map<String, String> env = new HashMap<>(s3.environment("unused"));
    env.remove("LAGOA_WAREHOUSE"); // tables on local disk; S3 only as a backup location
    lakehouse = Lakehouse.open(warehouse.config(env));
    clock = new MutableClock();
    backups = new BackupService(lakehouse, clock);
    feed = StreamingFeed.start(lakehouse, warehouse, "bk");
  }

  @AfterAll
  static void stop() {
    if (lakehouse != null) {
      lakehouse.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static String folder(String name) {
    return warehouse.root().resolve(name).toString();
  }

  private static List<List<Object>> rows(String query) {
    return lakehouse.sql().execute(query, 100_000).rows();
  }

  private static List<List<Object>> rowsAt(TableIdentifier table, long snapshotId) {
    return rows("SELECT * FROM " + table + " VERSION AS OF " + snapshotId + " ORDER BY id");
  }

  private static Table table(TableIdentifier identifier) {
    return lakehouse.catalog().loadTable(identifier);
  }

  private static RestoreRequest request(
      List<TableIdentifier> tables,
      Optional<TableIdentifier> as,
      Optional<Instant> at,
      boolean force) {
    return new RestoreRequest(Optional.empty(), tables, as, at, force);
  }

  private static List<RestoredTable> restore(String from, RestoreRequest request) {
    Restorer.Plan plan = backups.planRestore(from, request);
    return backups.restore(from, plan, BackupListener.NONE);
  }

  @Test
  void backupWhilePipelineCommitsRestoresRowForRow() throws Exception {
    String to = folder("backups-pipeline");
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 3 && !stop.get(); i++) {
                feed.insertAndRun();
              }
            });
    List<BackupResult> taken = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        taken.add(backups.create(to, List.of(), BackupListener.NONE));
      }
    } finally {
      stop.set(true);
      writer.get(3, TimeUnit.MINUTES);
    }
    BackupManifest last = taken.get(taken.size() - 1).manifest();
    assertThat(last.tables().stream().map(BackedUpTable::name))
        .contains("bk.events", "bk_raw.source");
    // incremental: later backups reuse what earlier ones copied
    BackupResult again = backups.create(to, List.of(), BackupListener.NONE);
    assertThat(again.manifest().copiedFiles()).isLessThan(again.manifest().files() / 2);

    // what the backup holds is a state the table had: its rows at that snapshot
    BackedUpTable events = again.manifest().table("bk.events").orElseThrow();
    List<List<Object>> expected = rowsAt(EVENTS, events.snapshotId());
    assertThat(expected).isNotEmpty();

    // the table is lost; restore it from the backup and compare row by row
    lakehouse.sql().run("DROP TABLE bk.events PURGE");
    restore(to, request(List.of(EVENTS), Optional.empty(), Optional.empty(), false));
    assertThat(rows("SELECT * FROM bk.events ORDER BY id")).isEqualTo(expected);
    assertThat(table(EVENTS).currentSnapshot().snapshotId()).isEqualTo(events.snapshotId());
    // and the restored streaming table carries on from its stored position
    feed.insertAndRun();
    assertThat(rows("SELECT count(*) FROM bk.events").get(0).get(0))
        .isEqualTo(rows("SELECT count(*) FROM bk_raw.source").get(0).get(0));
  }

  @Test
  void droppedTableAndDeletedDataFileComeBack() throws Exception {
    lakehouse.sql().run("CREATE TABLE bk_raw.lost (id INT, name STRING) USING iceberg");
    lakehouse.sql().run("INSERT INTO bk_raw.lost VALUES (1, 'ana'), (2, 'bia')");
    lakehouse.sql().run("INSERT INTO bk_raw.lost VALUES (3, 'caio')");
    TableIdentifier lost = TableIdentifier.of("bk_raw", "lost");
    List<List<Object>> expected = rows("SELECT * FROM bk_raw.lost ORDER BY id");
    String to = folder("backups-lost");
    backups.create(to, List.of(lost), BackupListener.NONE);

    // by hand: a data file deleted, then the table dropped from the catalog
    Path dataFile = local(anyDataFile(table(lost)));
    Files.delete(dataFile);
    assertThatThrownBy(() -> rows("SELECT * FROM bk_raw.lost"));
    // refused while the table is there, with the remedy
    assertThatThrownBy(
            () ->
                backups.planRestore(
                    to, request(List.of(lost), Optional.empty(), Optional.empty(), false)))
        .isInstanceOfSatisfying(
            LagoaException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TABLE_CONFLICT);
              assertThat(e.remedy()).contains(Remedy.REPLACE_TABLE);
              assertThat(e.getMessage()).contains("bk_raw.lost exists");
            });
    lakehouse.catalog().dropTable(lost, false);
    List<RestoredTable> restored =
        restore(to, request(List.of(lost), Optional.empty(), Optional.empty(), false));
    assertThat(restored.get(0).copiedFiles()).isEqualTo(1); // only the missing file
    assertThat(dataFile).exists();
    assertThat(rows("SELECT * FROM bk_raw.lost ORDER BY id")).isEqualTo(expected);

    // under a new name: a copy at the new table's location, paths rewritten, original untouched
    restore(
        to,
        request(
            List.of(lost),
            Optional.of(TableIdentifier.of("bk_raw", "found")),
            Optional.empty(),
            false));
    Table found = table(TableIdentifier.of("bk_raw", "found"));
    assertThat(found.location()).isNotEqualTo(table(lost).location()).endsWith("found");
    assertThat(anyDataFile(found)).startsWith(found.location());
    assertThat(rows("SELECT * FROM bk_raw.found ORDER BY id")).isEqualTo(expected);
    lakehouse.sql().run("INSERT INTO bk_raw.found VALUES (4, 'dani')");
    assertThat(rows("SELECT count(*) FROM bk_raw.lost").get(0).get(0)).isEqualTo(3L);
  }

  /** A local table file's path, written with or without the file: scheme. */
  private static Path local(String location) {
    return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
  }

  private static String anyDataFile(Table table) throws IOException {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        return file.location();
      }
    }
    throw new AssertionError("no data file in " + table);
  }

  @Test
  void pointInTimeLandsBetweenTwoCommits() throws Exception {
    lakehouse.sql().run("CREATE TABLE bk_raw.pit (id INT) USING iceberg");
    TableIdentifier pit = TableIdentifier.of("bk_raw", "pit");
    lakehouse.sql().run("INSERT INTO bk_raw.pit VALUES (1)");
    long first = table(pit).currentSnapshot().snapshotId();
    Thread.sleep(20);
    Instant between = Instant.now();
    Thread.sleep(20);
    lakehouse.sql().run("INSERT INTO bk_raw.pit VALUES (2)");
    String to = folder("backups-pit");
    backups.create(to, List.of(pit), BackupListener.NONE);

    // the live table still has the snapshot: rolled back to it, asked to replace it
    Restorer.Plan live =
        backups.planRestore(
            to, request(List.of(pit), Optional.empty(), Optional.of(between), true));
    PlannedRestore planned = live.tables().get(0);
    assertThat(planned.backupId()).isEmpty();
    assertThat(planned.snapshotId()).isEqualTo(first);
    backups.restore(to, live, BackupListener.NONE);
    assertThat(rows("SELECT id FROM bk_raw.pit")).containsExactly(List.of(1));

    // the table is gone: the state at that moment comes from the backup
    lakehouse.catalog().dropTable(pit, true);
    List<RestoredTable> fromBackup =
        restore(to, request(List.of(pit), Optional.empty(), Optional.of(between), false));
    assertThat(fromBackup.get(0).plan().backupId()).isPresent();
    assertThat(rows("SELECT id FROM bk_raw.pit")).containsExactly(List.of(1));
    assertThat(table(pit).currentSnapshot().snapshotId()).isEqualTo(first);

    assertThatThrownBy(
            () ->
                backups.planRestore(
                    to,
                    request(
                        List.of(pit),
                        Optional.empty(),
                        Optional.of(Instant.parse("2020-01-01T00:00:00Z")),
                        true)))
        .hasMessageContaining("Cannot restore bk_raw.pit to 2020-01-01T00:00:00Z")
        .hasMessageContaining("the oldest is of");
  }

  @Test
  void verifyNamesADamagedCopyAndRestoreRefusesIt() throws Exception {
    lakehouse.sql().run("CREATE TABLE bk_raw.checked (id INT, name STRING) USING iceberg");
    lakehouse.sql().run("INSERT INTO bk_raw.checked VALUES (1, 'ana'), (2, 'bia')");
    TableIdentifier checked = TableIdentifier.of("bk_raw", "checked");
    String to = folder("backups-verify");
    BackupManifest manifest = backups.create(to, List.of(checked), BackupListener.NONE).manifest();
    VerifyReport good = backups.verify(to, Optional.empty(), BackupListener.NONE);
    assertThat(good.problems()).isEmpty();
    assertThat(good.tables()).singleElement().satisfies(t -> assertThat(t.rows()).isEqualTo(2));

    BackedUpFile data =
        manifest.tables().get(0).files().stream()
            .filter(f -> f.kind() == FileKind.DATA)
            .findFirst()
            .orElseThrow();
    BackupLocation location = backups.location(to);
    Path copy = Path.of(location.copyOf(data.path()));
    try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
      file.seek(file.length() / 2);
      int b = file.read();
      file.seek(file.length() / 2);
      file.write(b ^ 0xFF); // one flipped byte, same size
    }
    // Hadoop's local file system keeps its own checksum beside each file; without it (as on S3)
    // only the manifest's CRC32C can tell
    Files.deleteIfExists(copy.resolveSibling("." + copy.getFileName() + ".crc"));
    VerifyReport bad = backups.verify(to, Optional.of(manifest.id()), BackupListener.NONE);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.problems())
        .singleElement()
        .asString()
        .contains("bk_raw.checked", copy.toString(), "has checksum", data.crc32c());

    // a restore that needs the damaged copy fails and leaves the live table as it was
    long before = table(checked).currentSnapshot().snapshotId();
    Files.delete(local(data.path()));
    lakehouse.sql().run("INSERT INTO bk_raw.checked VALUES (3, 'caio')");
    long live = table(checked).currentSnapshot().snapshotId();
    assertThat(live).isNotEqualTo(before);
    assertThatThrownBy(
            () -> restore(to, request(List.of(checked), Optional.empty(), Optional.empty(), true)))
        .hasMessageContaining("is damaged")
        .hasMessageContaining(copy.toString())
        .hasMessageContaining("the table was not changed");
    assertThat(table(checked).currentSnapshot().snapshotId()).isEqualTo(live);
    assertThat(local(data.path())).doesNotExist();

    // a table with a file missing that no backup holds cannot be backed up: the backup says so
    String other = folder("backups-verify-other");
    assertThatThrownBy(() -> backups.create(other, List.of(checked), BackupListener.NONE))
        .hasMessageContaining(
            "Cannot back up bk_raw.checked: a file its current snapshots need is missing")
        .hasMessageContaining("no backup was written");
    assertThat(backups.list(other, new ArrayList<>())).isEmpty();
    lakehouse.catalog().dropTable(checked, false); // the other tests back up every table
  }

  @Test
  void rotationKeepsEveryFileAKeptBackupNeeds() {
    lakehouse.sql().run("CREATE TABLE bk_raw.rotated (id INT) USING iceberg");
    TableIdentifier rotated = TableIdentifier.of("bk_raw", "rotated");
    String to = s3.location("backups-rotation"); // on the S3 API, through S3FileIO
    List<BackupManifest> taken = new ArrayList<>();
    for (int day = 0; day < 4; day++) {
      if (day == 2) {
        // the first days' rows replaced and their snapshots expired: their files are needed by
        // the first two backups only
        lakehouse.sql().run("INSERT OVERWRITE bk_raw.rotated VALUES (2)");
        table(rotated)
            .expireSnapshots()
            .expireOlderThan(System.currentTimeMillis())
            .retainLast(1)
            .commit();
      } else {
        lakehouse.sql().run("INSERT INTO bk_raw.rotated VALUES (" + day + ")");
      }
      taken.add(backups.create(to, List.of(rotated), BackupListener.NONE).manifest());
      clock.advance(Duration.ofDays(1));
    }
    RotationPlan dry = backups.rotate(to, new RotationPolicy(0, 2, 0, 0), false);
    assertThat(dry.removed()).containsExactly(taken.get(0).id(), taken.get(1).id());
    assertThat(backups.list(to, new ArrayList<>())).hasSize(4);

    int copiesBefore = s3.objectKeys("backups-rotation/files/").size();
    RotationPlan plan = backups.rotate(to, new RotationPolicy(0, 2, 0, 0), true);
    Set<String> needed =
        backups.list(to, new ArrayList<>()).stream()
            .flatMap(b -> b.tables().stream())
            .flatMap(t -> t.files().stream())
            .map(BackedUpFile::path)
            .collect(Collectors.toSet());
    assertThat(plan.files()).isNotEmpty().noneMatch(needed::contains);
    assertThat(s3.objectKeys("backups-rotation/files/"))
        .hasSize(copiesBefore - plan.files().size());
    assertThat(s3.objectKeys("backups-rotation/backups/")).hasSize(2);
    assertThat(backups.list(to, new ArrayList<>()).stream().map(BackupManifest::id))
        .containsExactly(taken.get(2).id(), taken.get(3).id());
    for (BackupManifest kept : backups.list(to, new ArrayList<>())) {
      assertThat(backups.verify(to, Optional.of(kept.id()), BackupListener.NONE).problems())
          .as(kept.id())
          .isEmpty();
    }

    // restore from S3 after the table is dropped with its files
    lakehouse.catalog().dropTable(rotated, true);
    restore(to, request(List.of(rotated), Optional.empty(), Optional.empty(), false));
    assertThat(rows("SELECT id FROM bk_raw.rotated ORDER BY id"))
        .containsExactly(List.of(2), List.of(3));
  }

  @Test
  void badInputIsRefusedWithWhatIsWrong() {
    String to = folder("backups-bad");
    assertThatThrownBy(
            () ->
                backups.create(
                    warehouse.warehouse().resolve("bk").toString(), List.of(), BackupListener.NONE))
        .hasMessageContaining("is inside the warehouse");
    assertThatThrownBy(
            () ->
                backups.create(
                    to, List.of(TableIdentifier.of("bk_raw", "sorce")), BackupListener.NONE))
        .hasMessageContaining("did you mean bk_raw.source?")
        .hasMessageContaining("no backup was written");
    assertThat(backups.list(to, new ArrayList<>())).isEmpty();
    assertThatThrownBy(() -> backups.verify(to, Optional.empty(), BackupListener.NONE))
        .hasMessageContaining("there is no backup in");
    backups.create(to, List.of(SOURCE), BackupListener.NONE);
    String id = backups.list(to, new ArrayList<>()).get(0).id();
    assertThatThrownBy(
            () ->
                backups.planRestore(
                    to,
                    new RestoreRequest(
                        Optional.of(id + "x"),
                        List.of(),
                        Optional.empty(),
                        Optional.empty(),
                        true)))
        .hasMessageContaining("did you mean " + id + "?");
    assertThatThrownBy(
            () ->
                backups.planRestore(
                    to,
                    request(
                        List.of(TableIdentifier.of("bk_raw", "sourc")),
                        Optional.empty(),
                        Optional.empty(),
                        true)))
        .hasMessageContaining("did you mean bk_raw.source?");
  }
}

package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.pipeline.ConcurrentRunException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.TableState;
import io.lagoa.pipeline.lease.PipelineBusyException;
import io.lagoa.pipeline.lease.PipelineLease;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.result.QueryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every Lagoa catalog must do, whatever database is behind it: the Iceberg {@code
 * CatalogTests} idea, run through Lagoa's own configuration path ({@link LagoaCatalogs#open}) and
 * through SQL. A subclass names the configuration and how to open a SQL session on it; the catalog
 * must start empty for each test class.
 *
 * <p>Engine-neutral on purpose: SQL goes through {@link SqlSession}, so lagoa-spark runs this suite
 * with Spark and a future server can run it against its REST catalog.
 */
public abstract class CatalogContract {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final int WRITERS = 2;

  /** Commits per writer through SQL, the contract Lagoa promises teams. */
  private static final int COMMITS_PER_WRITER = 20;

  /** Commits per writer through the Iceberg API: the same race without Spark, kept short. */
  private static final int API_COMMITS_PER_WRITER = 10;

  private static final Schema PEOPLE =
      new Schema(
          Types.NestedField.optional(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()));

  private final List<Catalog> opened = new ArrayList<>();

  /** One SQL session with its own catalog instance. */
  @FunctionalInterface
  public interface SqlSession {
    QueryResult execute(String sql);
  }

  /** The configuration under test; the same on every call. */
  protected abstract LagoaConfig config();

  /**
   * A new SQL session on {@link #config()} with its own catalog instance (as a second process would
   * have), so concurrent sessions really race each other in the catalog database.
   */
  protected abstract SqlSession newSqlSession();

  /**
   * Whether the catalog keeps pipeline leases ({@link PipelineLeases}): a row per pipeline in the
   * catalog database, which only a client of that database can take. A REST catalog's clients never
   * see the database, so they run without leases (the server's commit check still refuses a batch
   * that started before another run's commit, see {@link
   * #refusesAPipelineBatchThatStartedBeforeAnotherRunsCommit}).
   */
  protected boolean supportsPipelineLeases() {
    return true;
  }

  @AfterEach
  void closeCatalogs() throws Exception {
    for (Catalog catalog : opened) {
      if (catalog instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    opened.clear();
  }

  /** A fresh catalog instance through Lagoa's own configuration path, closed after the test. */
  protected Catalog openCatalog() {
    Catalog catalog = LagoaCatalogs.open(config());
    opened.add(catalog);
    return catalog;
  }

  /** A namespace name no other test uses. */
  protected static String uniqueName(String prefix) {
    return prefix + "_" + NAMES.incrementAndGet();
  }

  @Test
  void createsListsAndDropsNamespaces() {
    SupportsNamespaces catalog = (SupportsNamespaces) openCatalog();
    Namespace namespace = Namespace.of(uniqueName("ns"));
    assertThat(catalog.namespaceExists(namespace)).isFalse();

    // A HashMap: Iceberg's REST client asks the properties whether they hold a null key, which
    // Map.of answers with a NullPointerException.
    catalog.createNamespace(namespace, new HashMap<>(Map.of("owner", "data-team")));

    assertThat(catalog.namespaceExists(namespace)).isTrue();
    assertThat(catalog.listNamespaces()).contains(namespace);
    assertThat(catalog.loadNamespaceMetadata(namespace)).containsEntry("owner", "data-team");
    assertThatThrownBy(() -> catalog.createNamespace(namespace))
        .isInstanceOf(AlreadyExistsException.class);

    ((Catalog) catalog).createTable(TableIdentifier.of(namespace, "t"), PEOPLE);
    assertThatThrownBy(() -> catalog.dropNamespace(namespace))
        .isInstanceOf(NamespaceNotEmptyException.class);
    ((Catalog) catalog).dropTable(TableIdentifier.of(namespace, "t"), true);

    assertThat(catalog.dropNamespace(namespace)).isTrue();
    assertThat(catalog.namespaceExists(namespace)).isFalse();
    assertThat(catalog.listNamespaces()).doesNotContain(namespace);
    assertThat(catalog.dropNamespace(namespace)).isFalse();
  }

  @Test
  void createsListsRenamesAndDropsTables() {
    Catalog catalog = openCatalog();
    Namespace namespace = createNamespace(catalog);
    TableIdentifier people = TableIdentifier.of(namespace, "people");

    Table created = catalog.createTable(people, PEOPLE, PartitionSpec.unpartitioned());

    assertThat(catalog.tableExists(people)).isTrue();
    assertThat(catalog.listTables(namespace)).containsExactly(people);
    assertThat(catalog.loadTable(people).schema().asStruct()).isEqualTo(PEOPLE.asStruct());
    assertThat(created.currentSnapshot()).isNull();
    // Lagoa's table defaults reach every new table.
    assertThat(TableUtil.formatVersion(created)).isEqualTo(2);
    assertThat(created.properties()).containsEntry("commit.retry.num-retries", "20");
    assertThatThrownBy(() -> catalog.createTable(people, PEOPLE))
        .isInstanceOf(AlreadyExistsException.class);

    TableIdentifier renamed = TableIdentifier.of(namespace, "persons");
    catalog.renameTable(people, renamed);
    assertThat(catalog.listTables(namespace)).containsExactly(renamed);
    assertThatThrownBy(() -> catalog.loadTable(people)).isInstanceOf(NoSuchTableException.class);

    assertThat(catalog.dropTable(renamed, true)).isTrue();
    assertThat(catalog.tableExists(renamed)).isFalse();
    assertThat(catalog.listTables(namespace)).isEmpty();
    assertThat(catalog.dropTable(renamed, true)).isFalse();
  }

  @Test
  void aNewCatalogInstanceSeesWhatAnotherCommitted() throws Exception {
    Catalog first = openCatalog();
    Namespace namespace = createNamespace(first);
    TableIdentifier people = TableIdentifier.of(namespace, "people");
    Table written = first.createTable(people, PEOPLE);
    append(written, person(1, "ana"));
    closeCatalogs();

    Catalog second = openCatalog();
    Table loaded = second.loadTable(people);
    assertThat(loaded.currentSnapshot().snapshotId())
        .isEqualTo(written.currentSnapshot().snapshotId());
    assertThat(readPeople(loaded)).containsExactly(Map.entry(1L, "ana"));

    // Both instances open at once: each sees the other's commits after a refresh.
    Catalog third = openCatalog();
    append(third.loadTable(people), person(2, "bruno"));
    loaded.refresh();
    assertThat(readPeople(loaded)).isEqualTo(Map.of(1L, "ana", 2L, "bruno"));
    assertThat(second.loadTable(people).snapshots()).hasSize(2);

    assertThat(third.dropTable(people, true)).isTrue();
    assertThat(second.tableExists(people)).isFalse();
    assertThat(second.listTables(namespace)).isEmpty();
  }

  @Test
  void sqlWritesAreReadableThroughTheIcebergApi() {
    SqlSession sql = newSqlSession();
    String namespace = uniqueName("sql");
    sql.execute("CREATE NAMESPACE " + namespace);
    sql.execute(
        "CREATE TABLE "
            + namespace
            + ".orders (id BIGINT, customer STRING,"
            + " amount DECIMAL(10,2), day DATE) USING iceberg PARTITIONED BY (day)");
    sql.execute(
        "INSERT INTO "
            + namespace
            + ".orders VALUES (1, 'ana', 10.50, DATE'2026-01-01'),"
            + " (2, 'bruno', 7.25, DATE'2026-01-02')");

    Table table = openCatalog().loadTable(TableIdentifier.of(namespace, "orders"));
    assertThat(table.spec().fields()).extracting(field -> field.name()).containsExactly("day");
    assertThat(table.properties()).containsEntry("commit.retry.num-retries", "20");
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        rows.add(
            List.of(
                record.getField("id"),
                record.getField("customer"),
                record.getField("amount"),
                record.getField("day")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(rows)
        .containsExactlyInAnyOrder(
            List.of(1L, "ana", new BigDecimal("10.50"), LocalDate.of(2026, 1, 1)),
            List.of(2L, "bruno", new BigDecimal("7.25"), LocalDate.of(2026, 1, 2)));
  }

  @Test
  void icebergApiWritesAreReadableThroughSql() {
    Catalog catalog = openCatalog();
    Namespace namespace = createNamespace(catalog);
    TableIdentifier people = TableIdentifier.of(namespace, "people");
    append(catalog.createTable(people, PEOPLE), person(1, "ana"), person(2, "bruno"));

    SqlSession sql = newSqlSession();
    String name = namespace + ".people";
    assertThat(sql.execute("SELECT id, name FROM " + name + " ORDER BY id").rows())
        .containsExactly(List.of(1L, "ana"), List.of(2L, "bruno"));

    // A session that already read the table sees a later commit from another catalog at once.
    append(openCatalog().loadTable(people), person(3, "carla"));
    assertThat(sql.execute("SELECT count(*) FROM " + name).rows()).containsExactly(List.of(3L));

    sql.execute("INSERT INTO " + name + " VALUES (4, 'duda')");
    Table table = catalog.loadTable(people);
    assertThat(table.snapshots()).hasSize(3);
    assertThat(readPeople(table)).hasSize(4).containsEntry(4L, "duda");
  }

  /** Two writers with their own catalog instances commit at once; Iceberg's retry lands all. */
  @Test
  void concurrentApiCommitsFromTwoCatalogsAllLand() throws Exception {
    Namespace namespace = createNamespace(openCatalog());
    TableIdentifier events = TableIdentifier.of(namespace, "events");
    openCatalog().createTable(events, PEOPLE);

    List<Callable<Void>> writers = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      Table table = openCatalog().loadTable(events);
      int id = writer;
      writers.add(
          () -> {
            for (int i = 0; i < API_COMMITS_PER_WRITER; i++) {
              table
                  .newAppend()
                  .appendFile(writeFile(table, person(id * 1000L + i, "w" + id)))
                  .commit();
            }
            return null;
          });
    }
    runTogether(writers);

    Table table = openCatalog().loadTable(events);
    assertThat(table.snapshots()).hasSize(WRITERS * API_COMMITS_PER_WRITER);
    assertThat(readPeople(table).keySet()).isEqualTo(expectedIds(API_COMMITS_PER_WRITER));
  }

  /**
   * The contract that matters most to a team: two jobs inserting into one table at the same time
   * never lose a commit. Each session has its own catalog instance, so commits really conflict in
   * the catalog database and Iceberg's optimistic retry has to resolve them.
   */
  @Test
  void concurrentSqlWritersAllLand() throws Exception {
    SqlSession setup = newSqlSession();
    String namespace = uniqueName("race");
    String table = namespace + ".events";
    setup.execute("CREATE NAMESPACE " + namespace);
    setup.execute("CREATE TABLE " + table + " (id BIGINT, name STRING) USING iceberg");

    List<Callable<Void>> writers = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      SqlSession session = newSqlSession();
      int id = writer;
      writers.add(
          () -> {
            for (int i = 0; i < COMMITS_PER_WRITER; i++) {
              session.execute(
                  "INSERT INTO " + table + " VALUES (" + (id * 1000L + i) + ", 'w" + id + "')");
            }
            return null;
          });
    }
    runTogether(writers);

    Table loaded = openCatalog().loadTable(TableIdentifier.of(namespace, "events"));
    List<Snapshot> snapshots = new ArrayList<>();
    loaded.snapshots().forEach(snapshots::add);
    assertThat(snapshots).hasSize(WRITERS * COMMITS_PER_WRITER);
    assertThat(snapshots)
        .allSatisfy(snapshot -> assertThat(snapshot.operation()).isEqualTo("append"));
    // The writers really overlapped: in commit order, neither finished before the other began.
    List<Long> writerOrder = new ArrayList<>();
    int idField = loaded.schema().findField("id").fieldId();
    for (Snapshot snapshot : snapshots) {
      for (DataFile file : snapshot.addedDataFiles(loaded.io())) {
        long id =
            Conversions.<Long>fromByteBuffer(Types.LongType.get(), file.lowerBounds().get(idField));
        writerOrder.add(id / 1000);
      }
    }
    assertThat(changes(writerOrder))
        .as("writers in commit order: %s", writerOrder)
        .isGreaterThan(1);
    assertThat(readPeople(loaded).keySet()).isEqualTo(expectedIds(COMMITS_PER_WRITER));
    long total = (long) WRITERS * COMMITS_PER_WRITER;
    assertThat(setup.execute("SELECT count(*), count(DISTINCT id) FROM " + table).rows())
        .containsExactly(List.of(total, total));
  }

  // ---- helpers ----

  private static Namespace createNamespace(Catalog catalog) {
    Namespace namespace = Namespace.of(uniqueName("ns"));
    ((SupportsNamespaces) catalog).createNamespace(namespace);
    return namespace;
  }

  private static int changes(List<Long> values) {
    int changes = 0;
    for (int i = 1; i < values.size(); i++) {
      if (!values.get(i).equals(values.get(i - 1))) {
        changes++;
      }
    }
    return changes;
  }

  private static Set<Long> expectedIds(int commitsPerWriter) {
    Set<Long> ids = new HashSet<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      for (int i = 0; i < commitsPerWriter; i++) {
        ids.add(writer * 1000L + i);
      }
    }
    return ids;
  }

  /** Starts every task at the same moment and fails with the first task's error. */
  private static void runTogether(List<Callable<Void>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CyclicBarrier start = new CyclicBarrier(tasks.size());
      List<Future<Void>> futures = new ArrayList<>();
      for (Callable<Void> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await(1, TimeUnit.MINUTES);
                  return task.call();
                }));
      }
      for (Future<Void> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Record person(long id, String name) {
    GenericRecord record = GenericRecord.create(PEOPLE);
    record.setField("id", id);
    record.setField("name", name);
    return record;
  }

  private static void append(Table table, Record... records) {
    table.newAppend().appendFile(writeFile(table, records)).commit();
  }

  /** Writes one Parquet data file through the Iceberg API, as a non-Spark writer would. */
  private static DataFile writeFile(Table table, Record... records) {
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    DataWriter<Record> writer =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .build()
            .newDataWriter(files.newOutputFile(), table.spec(), null);
    try (writer) {
      for (Record record : records) {
        writer.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  /** A pipeline batch whose table got another pipeline commit since it started is refused. */
  @Test
  void refusesAPipelineBatchThatStartedBeforeAnotherRunsCommit() {
    Catalog catalog = openCatalog();
    Namespace namespace = Namespace.of(uniqueName("batches"));
    ((SupportsNamespaces) catalog).createNamespace(namespace);
    TableIdentifier name = TableIdentifier.of(namespace, "events");
    Table table = catalog.createTable(name, PEOPLE);
    String key = PipelineCommits.expectedBaseKey(name.toString());
    table
        .newAppend()
        .appendFile(writeFile(table, person(1, "a")))
        .set(PipelineCommits.RUN_ID, "run-1")
        .set(key, PipelineCommits.NONE)
        .commit();
    long first = catalog.loadTable(name).currentSnapshot().snapshotId();
    Table stale = openCatalog().loadTable(name);
    table
        .newAppend()
        .appendFile(writeFile(table, person(2, "b")))
        .set(PipelineCommits.RUN_ID, "run-2")
        .set(key, Long.toString(first))
        .commit();

    assertThatThrownBy(
            () ->
                stale
                    .newAppend()
                    .appendFile(writeFile(stale, person(2, "b")))
                    .set(PipelineCommits.RUN_ID, "run-3")
                    .set(key, Long.toString(first))
                    .commit())
        .isInstanceOf(ConcurrentRunException.class);
    assertThat(readPeople(catalog.loadTable(name))).containsOnlyKeys(1L, 2L);
  }

  /** One runner of a pipeline at a time; a dead or expired holder's lease is taken over. */
  @Test
  void pipelineLeasesAllowOneHolderAtATime() {
    assumeTrue(supportsPipelineLeases(), "the catalog keeps no pipeline leases");
    String pipeline = uniqueName("pipeline");
    MutableClock clock = new MutableClock();
    PipelineLeases first = leases(clock, "first");
    PipelineLeases second = leases(clock, "second");
    try (PipelineLease lease = first.acquire(pipeline, false)) {
      assertThat(lease.interrupted()).isEmpty();
      assertThatThrownBy(() -> second.acquire(pipeline, false))
          .isInstanceOf(PipelineBusyException.class)
          .hasMessageContaining("pipeline " + pipeline + " is already running on first-host (pid")
          .hasMessageContaining("since ");
      assertThat(first.lookup(pipeline))
          .get()
          .extracting(info -> info.holder().host())
          .isEqualTo("first-host");
    }
    // released: the next runner gets it at once
    second.acquire(pipeline, false).close();
    assertThat(first.lookup(pipeline)).isEmpty();
  }

  @Test
  void anExpiredLeaseIsTakenOverWithTheRunItLeftUnfinished() {
    assumeTrue(supportsPipelineLeases(), "the catalog keeps no pipeline leases");
    String pipeline = uniqueName("pipeline");
    MutableClock clock = new MutableClock();
    PipelineLeases first = leases(clock, "first");
    PipelineLease crashed = first.acquire(pipeline, false);
    crashed.begin(
        "run-1",
        clock.instant(),
        Map.of(
            "bronze.events",
            new TableState(TableIdentifier.of("bronze", "events"), java.util.Optional.empty())));
    crashedWithoutRelease(crashed);

    assertThatThrownBy(() -> leases(clock, "second").acquire(pipeline, false))
        .isInstanceOf(PipelineBusyException.class);
    clock.advance(java.time.Duration.ofSeconds(61));
    try (PipelineLease lease = leases(clock, "second").acquire(pipeline, false)) {
      assertThat(lease.takenFrom()).isEmpty();
      assertThat(lease.interrupted())
          .get()
          .satisfies(
              run -> {
                assertThat(run.runId()).isEqualTo("run-1");
                assertThat(run.holder()).startsWith("first-host");
                assertThat(run.tables()).containsEntry("bronze.events", java.util.Optional.empty());
              });
      lease.recovered(lease.interrupted().get());
    }
    try (PipelineLease lease = leases(clock, "third").acquire(pipeline, false)) {
      assertThat(lease.interrupted()).isEmpty();
    }
  }

  @Test
  void aLiveLeaseIsTakenOnlyByForceAndItsHolderLearnsItLostIt() {
    assumeTrue(supportsPipelineLeases(), "the catalog keeps no pipeline leases");
    String pipeline = uniqueName("pipeline");
    MutableClock clock = new MutableClock();
    PipelineLease held = leases(clock, "first").acquire(pipeline, false);
    try (PipelineLease forced = leases(clock, "second").acquire(pipeline, true)) {
      assertThat(forced.takenFrom())
          .get()
          .extracting(PipelineLeases.Holder::host)
          .isEqualTo("first-host");
      assertThatThrownBy(() -> held.begin("run-9", clock.instant(), Map.of()))
          .hasMessageContaining("was taken over by another runner");
      assertThat(held.lost()).isTrue();
      held.close(); // must not release the new holder's lease
      assertThatThrownBy(() -> leases(clock, "third").acquire(pipeline, false))
          .isInstanceOf(PipelineBusyException.class)
          .hasMessageContaining("second-host");
    }
  }

  /** A holder on this host whose process is gone is taken over without waiting for expiry. */
  @Test
  void aLeaseOfADeadProcessOnThisHostIsTakenOverAtOnce() throws Exception {
    assumeTrue(supportsPipelineLeases(), "the catalog keeps no pipeline leases");
    String pipeline = uniqueName("pipeline");
    MutableClock clock = new MutableClock();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    PipelineLeases.Holder dead = new PipelineLeases.Holder("dead", "this-host", gone.pid());
    PipelineLease lease =
        PipelineLeases.of(config(), clock, java.time.Duration.ofSeconds(60), dead)
            .orElseThrow()
            .acquire(pipeline, false);
    crashedWithoutRelease(lease);
    PipelineLeases.Holder alive =
        new PipelineLeases.Holder("alive", "this-host", ProcessHandle.current().pid());
    PipelineLeases.of(config(), clock, java.time.Duration.ofSeconds(60), alive)
        .orElseThrow()
        .acquire(pipeline, false)
        .close();
  }

  private PipelineLeases leases(MutableClock clock, String name) {
    return PipelineLeases.of(
            config(),
            clock,
            java.time.Duration.ofSeconds(60),
            new PipelineLeases.Holder(name, name + "-host", ProcessHandle.current().pid()))
        .orElseThrow();
  }

  /** Stops renewing without releasing: what a killed process leaves behind. */
  private static void crashedWithoutRelease(PipelineLease lease) {
    try {
      java.lang.reflect.Field field = PipelineLease.class.getDeclaredField("renewals");
      field.setAccessible(true);
      ((java.util.concurrent.ExecutorService) field.get(lease)).shutdownNow();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** A clock the test moves forward. */
  static final class MutableClock extends java.time.Clock {
    private java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");

    void advance(java.time.Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  private static Map<Long, String> readPeople(Table table) {
    Map<Long, String> people = new HashMap<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        Long id = (Long) record.getField("id");
        if (people.put(id, (String) record.getField("name")) != null) {
          throw new AssertionError("row " + id + " is in " + table.name() + " twice");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return people;
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.AutoCdc;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CDC writer against real Spark and Iceberg: changes delivered in order, out of order,
 * duplicated and replayed give the table a plain fold of the changes in sequence order gives.
 */
class TestCdcWriter {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
    fixture = new PipelineFixture(spark, warehouse, "cdc");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  /** One change: a key, a value, whether it deletes or truncates, and its sequence value. */
  record Change(Integer id, String name, String op, long seq) {
    boolean delete() {
      return op.equals("d");
    }

    boolean truncate() {
      return op.equals("t");
    }

    String values() {
      return "("
          + (id == null ? "NULL" : id)
          + ", "
          + (name == null ? "NULL" : "'" + name + "'")
          + ", '"
          + op
          + "', "
          + seq
          + ")";
    }
  }

  private static Change upsert(int id, String name, long seq) {
    return new Change(id, name, "u", seq);
  }

  private static Change delete(int id, long seq) {
    return new Change(id, null, "d", seq);
  }

  private static Change truncate(long seq) {
    return new Change(null, null, "t", seq);
  }

  @Test
  void typeOneKeepsTheLatestRowAndNeverBringsADeletedRowBack() {
    Cdc cdc = new Cdc("c1", AutoCdc.ScdType.TYPE_1);
    cdc.apply(List.of(upsert(1, "a", 1), upsert(2, "b", 2), upsert(3, "c", 3)));
    assertThat(cdc.current()).containsExactly("1:a", "2:b", "3:c");

    // an update, a delete, a replayed change and one older than what the table holds
    cdc.apply(List.of(upsert(1, "a2", 5), delete(2, 6), upsert(1, "a", 1), upsert(3, "old", 0)));
    assertThat(cdc.current()).containsExactly("1:a2", "3:c");

    // a late update older than the delete, two changes of one key in one batch, a new key
    cdc.apply(
        List.of(upsert(2, "late", 4), upsert(3, "c8", 8), upsert(3, "c7", 7), upsert(4, "d", 9)));
    assertThat(cdc.current()).containsExactly("1:a2", "3:c8", "4:d");
    assertThat(sql.execute("SELECT count(*) FROM " + cdc.state() + " WHERE __deleted", 10).rows())
        .containsExactly(List.of(1L));

    // a truncate removes everything before it, also what arrives late
    cdc.apply(List.of(truncate(10), upsert(5, "e", 11), upsert(1, "late", 9)));
    assertThat(cdc.current()).containsExactly("5:e");
    cdc.apply(List.of(upsert(3, "late", 10), upsert(6, "f", 12)));
    assertThat(cdc.current()).containsExactly("5:e", "6:f");
  }

  @Test
  void typeOneGivesTheSameTableWhateverTheOrderAndRepetitionOfDelivery() {
    List<Change> changes = randomChanges(new Random(7), 40, 6);
    List<String> expected = foldType1(changes);
    Random random = new Random(11);
    for (int attempt = 0; attempt < 1; attempt++) {
      Cdc cdc = new Cdc("c1r" + attempt, AutoCdc.ScdType.TYPE_1);
      List<Change> delivered = new ArrayList<>(changes);
      delivered.addAll(changes.subList(0, 10)); // at-least-once: some twice
      Collections.shuffle(delivered, random);
      for (List<Change> batch : batches(delivered, 3)) {
        cdc.apply(batch);
      }
      assertThat(cdc.current()).as("delivery %s", delivered).isEqualTo(expected);
    }
  }

  @Test
  void typeTwoKeepsEveryVersionWhateverTheOrderOfDelivery() {
    List<Change> changes =
        List.of(
            upsert(1, "a", 1),
            upsert(1, "b", 3),
            delete(1, 5),
            upsert(1, "c", 7),
            upsert(2, "x", 2),
            upsert(2, "x", 4), // no change of a tracked column: no new version
            upsert(2, "y", 6));
    List<String> expected = List.of("1:a:1-3", "1:b:3-5", "1:c:7-", "2:x:2-6", "2:y:6-");
    Cdc inOrder = new Cdc("c2", AutoCdc.ScdType.TYPE_2);
    inOrder.apply(changes);
    assertThat(inOrder.versions()).isEqualTo(expected);

    Cdc shuffled = new Cdc("c2s", AutoCdc.ScdType.TYPE_2);
    List<Change> delivered = new ArrayList<>(changes);
    delivered.add(upsert(1, "b", 3)); // a duplicate
    Collections.shuffle(delivered, new Random(3));
    for (List<Change> batch : batches(delivered, 4)) {
      shuffled.apply(batch);
    }
    assertThat(shuffled.versions()).isEqualTo(expected);
  }

  @Test
  void typeTwoGivesTheSameHistoryForRandomDeliveries() {
    List<Change> changes = randomChanges(new Random(5), 30, 4);
    List<String> expected = foldType2(changes);
    Cdc cdc = new Cdc("c2r", AutoCdc.ScdType.TYPE_2);
    List<Change> delivered = new ArrayList<>(changes);
    delivered.addAll(changes.subList(0, 5));
    Collections.shuffle(delivered, new Random(13));
    for (List<Change> batch : batches(delivered, 3)) {
      cdc.apply(batch);
    }
    assertThat(cdc.versions()).isEqualTo(expected);
  }

  @Test
  void aChangeStateLeftOneBatchAheadByACrashIsPutBackFirst() throws Exception {
    Cdc cdc = new Cdc("c1x", AutoCdc.ScdType.TYPE_1);
    cdc.apply(List.of(upsert(1, "a", 1), upsert(2, "b", 2)));
    // a process that died after the state's commit of batch 2 and before the table's
    org.apache.iceberg.spark.CommitMetadata.withCommitProperties(
        Map.of(CdcWriter.BATCH_PROPERTY, "2", FlowExecutor.RUN_ID_PROPERTY, "crashed"),
        () -> {
          sql.run("UPDATE " + cdc.state() + " SET __sequence = 100 WHERE id = 1");
          return null;
        },
        RuntimeException.class);
    cdc.apply(List.of(upsert(1, "a5", 5)));
    assertThat(cdc.current()).containsExactly("1:a5", "2:b");
  }

  @Test
  void theChangeStateIsALogThatBatchesCompactAndExpiredTombstonesLeave() {
    Cdc cdc = new Cdc("c1g", AutoCdc.ScdType.TYPE_1);
    cdc.apply(IntStream.range(0, 1200).mapToObj(i -> upsert(i, "a", 1)).toList());
    cdc.apply(IntStream.range(0, 600).mapToObj(i -> delete(i, 2)).toList());
    cdc.apply(IntStream.range(1200, 1700).mapToObj(i -> upsert(i, "b", 3)).toList());
    // appended: one row per change, the old ones stay
    assertThat(stateCount(cdc, "true")).isEqualTo(2300L);

    // three days later: the batch that finds 1,100 rows appended since the last compaction
    // rewrites the state with one row per key and without the tombstones past their two days
    cdc.clock = Clock.offset(Clock.systemUTC(), Duration.ofDays(3));
    cdc.apply(List.of(upsert(0, "late", 1), upsert(1700, "c", 4)));
    assertThat(targetCount(cdc, "true")).isEqualTo(1101L);
    assertThat(targetCount(cdc, "id = 0")).isZero();
    assertThat(stateCount(cdc, "__deleted")).isZero();
    assertThat(stateCount(cdc, "true")).isEqualTo(1101L);
    assertThat(
            sql.execute(
                    "SELECT count(DISTINCT id) = count(*) FROM " + cdc.state() + " WHERE id >= 0",
                    1)
                .rows())
        .containsExactly(List.of(true));

    // the tombstone is gone, so an update older than the delete comes back (as documented)
    cdc.apply(List.of(upsert(0, "late", 1)));
    assertThat(targetCount(cdc, "true")).isEqualTo(1102L);
    assertThat(targetCount(cdc, "id = 0 AND name = 'late'")).isEqualTo(1L);
  }

  private static long stateCount(Cdc cdc, String condition) {
    return count(cdc.state(), condition);
  }

  private static long targetCount(Cdc cdc, String condition) {
    return count(cdc.target(), condition);
  }

  private static long count(String table, String condition) {
    return (Long)
        sql.execute("SELECT count(*) FROM " + table + " WHERE " + condition, 1)
            .rows()
            .get(0)
            .get(0);
  }

  @Test
  void snapshotsAreDiffedIntoInsertsUpdatesAndDeletes() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS snap_raw");
    sql.run("CREATE TABLE snap_raw.export (id INT, name STRING) USING iceberg");
    Cdc history = new Cdc("snap2", AutoCdc.ScdType.TYPE_2, "snap_raw.export");
    Cdc current = new Cdc("snap1", AutoCdc.ScdType.TYPE_1, "snap_raw.export");
    sql.run("INSERT INTO snap_raw.export VALUES (1, 'a'), (2, 'b')");
    history.run();
    current.run();
    sql.run("INSERT OVERWRITE snap_raw.export VALUES (1, 'a2'), (3, 'c')");
    history.run();
    current.run();
    assertThat(current.current()).containsExactly("1:a2", "3:c");
    List<List<Object>> versions =
        sql.execute("SELECT id, name, __END_AT IS NULL FROM snap2.t ORDER BY id, __START_AT", 100)
            .rows();
    assertThat(versions)
        .containsExactly(
            List.of(1, "a", false),
            List.of(1, "a2", true),
            List.of(2, "b", false),
            List.of(3, "c", true));
    long commits = sql.execute("SELECT count(*) FROM snap2.t.snapshots", 10).rows().size();
    history.run(); // the snapshot has not changed: nothing to do
    assertThat(sql.execute("SELECT count(*) FROM snap2.t.snapshots", 10).rows())
        .hasSize((int) commits);
  }

  @Test
  void aFolderHoldingTheLatestExportIsASnapshot() {
    Path exports = warehouse.root().resolve("exports");
    warehouse.writeFile("exports/accounts.csv", "id,name\n1,a\n2,b\n");
    Path folder =
        fixture.pipeline(
            "snapf",
            "t.sql",
            "CREATE FLOW accounts AS AUTO CDC FROM SNAPSHOT INTO t\nFROM read_files('"
                + exports
                + "', format => 'csv', schema => 'id INT, name STRING')\n"
                + "KEYS (id)\nCOLUMNS (id, name)\nSTORED AS SCD TYPE 1");
    fixture.run(folder);
    warehouse.writeFile("exports/accounts.csv", "id,name\n1,a2\n3,c\n"); // the next export
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id, name FROM snapf.t ORDER BY id"))
        .containsExactly(List.of(1, "a2"), List.of(3, "c"));
    int commits = fixture.rows("SELECT * FROM snapf.t.snapshots").size();
    fixture.run(folder); // the same export again: nothing changes
    assertThat(fixture.rows("SELECT * FROM snapf.t.snapshots")).hasSize(commits);
  }

  // ------------------------------------------------------------------ reference folds

  /** Distinct sequence values, so the order of changes is defined. */
  private static List<Change> randomChanges(Random random, int count, int keys) {
    List<Long> sequence = new ArrayList<>();
    for (long i = 1; i <= count; i++) {
      sequence.add(i);
    }
    List<Change> changes = new ArrayList<>();
    for (long seq : sequence) {
      int id = 1 + random.nextInt(keys);
      int kind = random.nextInt(10);
      changes.add(kind < 3 ? delete(id, seq) : upsert(id, "v" + random.nextInt(3), seq));
    }
    return changes;
  }

  private static List<String> foldType1(List<Change> changes) {
    Map<Integer, Change> latest = new TreeMap<>();
    for (Change change : changes.stream().sorted(Comparator.comparingLong(Change::seq)).toList()) {
      latest.put(change.id(), change);
    }
    return latest.values().stream()
        .filter(change -> !change.delete())
        .map(change -> change.id() + ":" + change.name())
        .toList();
  }

  private static List<String> foldType2(List<Change> changes) {
    Map<Integer, List<Change>> byKey = new TreeMap<>();
    changes.stream()
        .sorted(Comparator.comparingLong(Change::seq))
        .forEach(change -> byKey.computeIfAbsent(change.id(), k -> new ArrayList<>()).add(change));
    List<String> versions = new ArrayList<>();
    for (List<Change> keyChanges : byKey.values()) {
      Change open = null;
      long start = 0;
      for (Change change : keyChanges) {
        if (change.delete()) {
          if (open != null) {
            versions.add(open.id() + ":" + open.name() + ":" + start + "-" + change.seq());
            open = null;
          }
        } else if (open == null || !open.name().equals(change.name())) {
          if (open != null) {
            versions.add(open.id() + ":" + open.name() + ":" + start + "-" + change.seq());
          }
          open = change;
          start = change.seq();
        }
      }
      if (open != null) {
        versions.add(open.id() + ":" + open.name() + ":" + start + "-");
      }
    }
    return versions.stream().sorted().toList();
  }

  private static List<List<Change>> batches(List<Change> changes, int count) {
    List<List<Change>> batches = new ArrayList<>();
    int size = (changes.size() + count - 1) / count;
    for (int i = 0; i < changes.size(); i += size) {
      batches.add(changes.subList(i, Math.min(changes.size(), i + size)));
    }
    return batches;
  }

  // ------------------------------------------------------------------ the pipeline under test

  /** A pipeline applying the changes appended to a source table to one AUTO CDC table. */
  private static final class Cdc {
    private final String namespace;
    private final AutoCdc.ScdType type;
    private final Path folder;
    private final boolean snapshots;
    Clock clock = Clock.systemUTC();

    /** AUTO CDC FROM SNAPSHOT of a table. */
    Cdc(String namespace, AutoCdc.ScdType type, String snapshot) {
      this.namespace = namespace;
      this.type = type;
      this.snapshots = true;
      folder =
          fixture.pipeline(
              namespace,
              "t.sql",
              "AUTO CDC FROM SNAPSHOT INTO t FROM "
                  + snapshot
                  + "\nKEYS (id)\nSTORED AS SCD TYPE "
                  + (type == AutoCdc.ScdType.TYPE_1 ? 1 : 2));
    }

    Cdc(String namespace, AutoCdc.ScdType type) {
      this.namespace = namespace;
      this.type = type;
      this.snapshots = false;
      sql.run("CREATE NAMESPACE IF NOT EXISTS " + namespace + "_raw");
      sql.run(
          "CREATE TABLE "
              + namespace
              + "_raw.changes (id INT, name STRING, op STRING, seq BIGINT) USING iceberg");
      folder =
          fixture.pipeline(
              namespace,
              "t.sql",
              "CREATE OR REFRESH STREAMING TABLE t COMMENT 'current rows';\n"
                  + "CREATE FLOW t_changes AS AUTO CDC INTO t\n"
                  + "FROM STREAM("
                  + namespace
                  + "_raw.changes)\n"
                  + "KEYS (id)\n"
                  + "APPLY AS DELETE WHEN op = 'd'\n"
                  + (type == AutoCdc.ScdType.TYPE_1 ? "APPLY AS TRUNCATE WHEN op = 't'\n" : "")
                  + "SEQUENCE BY seq\n"
                  + "COLUMNS * EXCEPT (op, seq)\n"
                  + "STORED AS SCD TYPE "
                  + (type == AutoCdc.ScdType.TYPE_1 ? 1 : 2));
    }

    String target() {
      return namespace + ".t";
    }

    String state() {
      return namespace + ".t_cdc_state";
    }

    void apply(List<Change> batch) {
      sql.run(
          "INSERT INTO "
              + namespace
              + "_raw.changes VALUES "
              + batch.stream().map(Change::values).collect(Collectors.joining(", ")));
      run();
    }

    void run() {
      RunResult result =
          new PipelineRunner(spark, PipelineListener.NONE, clock)
              .run(compile(), RunOptions.defaults());
      assertThat(result.error()).isEmpty();
    }

    List<String> current() {
      return sql.execute("SELECT id, name FROM " + target() + " ORDER BY id", 1000).rows().stream()
          .map(row -> row.get(0) + ":" + row.get(1))
          .toList();
    }

    List<String> versions() {
      return sql
          .execute(
              "SELECT id, name, __START_AT, __END_AT FROM " + target() + " ORDER BY id, __START_AT",
              1000)
          .rows()
          .stream()
          .map(
              row ->
                  row.get(0)
                      + ":"
                      + row.get(1)
                      + ":"
                      + row.get(2)
                      + "-"
                      + (row.get(3) == null ? "" : row.get(3)))
          .sorted()
          .toList();
    }

    private CompiledPipeline compile() {
      return fixture.compile(folder);
    }
  }
}

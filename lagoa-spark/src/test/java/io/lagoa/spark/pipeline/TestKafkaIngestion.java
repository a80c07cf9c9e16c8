package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingKafka.Message;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** read_kafka in pipelines against a real broker. */
class TestKafkaIngestion {
  private static TestingWarehouse warehouse;
  private static TestingKafka kafka;
  private static SparkSession spark;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture =
        new PipelineFixture(
            spark,
            warehouse,
            "k",
            namespace -> "variables:\n  kafka: " + kafka.bootstrapServers() + "\n");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
    kafka.close();
  }

  private static List<String> events(int from, int to) {
    List<String> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.add("{\"id\": " + i + ", \"artist\": \"a" + (i % 3) + "\"}");
    }
    return events;
  }

  @Test
  void ingestsEachRecordOnceAndQuarantinesWhatItCannotRead() {
    kafka.createTopic("plays", 2);
    kafka.produce("plays", events(0, 10));
    kafka.produce(
        "plays",
        List.of(
            "{\"id\": \"not a number\", \"artist\": \"x\"}",
            "this is not json",
            "[1, 2, 3]",
            "{\"id\": 11, \"artist\": \"" + "y".repeat(300) + "\"}",
            "{\"id\": 12, \"artist\": \"a0\", \"venue\": {\"city\": \"Porto\"}}"));
    kafka.produceMessages(
        "plays", List.of(new Message("gone", null), new Message("e", ""), new Message("w", " ")));
    Path folder =
        fixture.pipeline(
            "kb",
            "bronze.sql",
            "CREATE STREAMING TABLE plays AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}', topic => 'plays',\n"
                + "  schema => 'id BIGINT, artist STRING', max_record_bytes => 200)",
            "silver.sql",
            "CREATE STREAMING TABLE plays_by_artist KEYS (artist) AS\n"
                + "SELECT artist, count(*) AS n FROM STREAM(plays) GROUP BY artist");
    RunResult first = fixture.run(folder);
    FlowResult bronze = PipelineFixture.flow(first, "kb.plays");
    assertThat(bronze.rowsWritten()).isEqualTo(11);
    assertThat(bronze.rowsQuarantined()).isEqualTo(7);
    assertThat(
            fixture.rows(
                "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset) FROM kb.plays"))
        .containsExactly(List.of(11L, 11L));
    assertThat(fixture.rows("SELECT _rescued_data FROM kb.plays WHERE id = 12"))
        .containsExactly(List.of("{\"venue\":\"{\\\"city\\\":\\\"Porto\\\"}\"}"));
    List<List<Object>> poison =
        fixture.rows(
            "SELECT _source, _error, CAST(_raw AS STRING)"
                + " FROM kb.plays_source_quarantine ORDER BY _error");
    assertThat(poison).hasSize(7);
    assertThat(poison).extracting(row -> row.get(0)).containsOnly("kafka:plays");
    assertThat(poison)
        .extracting(row -> (String) row.get(1))
        .containsExactly(
            "not a JSON object: invalid JSON, or JSON that is not {...}",
            "not a JSON object: invalid JSON, or JSON that is not {...}",
            "not a JSON object: the value is empty or white space",
            "not a JSON object: the value is empty or white space",
            "the record has 324 bytes, more than max_record_bytes (200)",
            "the record has no value (a tombstone)",
            "values do not match the schema: id (BIGINT)");
    assertThat(
            fixture.rows(
                "SELECT count(*) FROM kb.plays_source_quarantine WHERE _kafka_topic = 'plays'"
                    + " AND _kafka_partition IS NOT NULL AND _kafka_offset IS NOT NULL AND _raw IS NOT NULL"))
        .containsExactly(List.of(6L)); // all but the tombstone

    // nothing new: nothing is written
    RunResult idle = fixture.run(folder);
    assertThat(idle.flows()).extracting(FlowResult::status).containsOnly(FlowStatus.UP_TO_DATE);

    // new records: only they are read, and silver follows bronze
    kafka.produce("plays", events(100, 106));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "kb.plays").rowsWritten()).isEqualTo(6);
    assertThat(PipelineFixture.flow(second, "kb.plays").action()).isEqualTo("append");
    assertThat(
            fixture.rows(
                "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset) FROM kb.plays"))
        .containsExactly(List.of(17L, 17L));
    assertThat(fixture.rows("SELECT count(*) FROM kb.plays_source_quarantine"))
        .containsExactly(List.of(7L));
    assertThat(fixture.rows("SELECT id FROM kb.plays WHERE id >= 100 ORDER BY id"))
        .extracting(row -> row.get(0))
        .containsExactly(100L, 101L, 102L, 103L, 104L, 105L);
  }

  @Test
  void learnsTheSchemaAndAddsNewFieldsAsColumns() {
    kafka.createTopic("users", 1);
    kafka.produce(
        "users", List.of("{\"id\": 1, \"name\": \"ana\"}", "{\"id\": 2, \"name\": \"rui\"}"));
    Path folder =
        fixture.pipeline(
            "ku",
            "users.sql",
            "CREATE STREAMING TABLE users AS SELECT * FROM STREAM read_kafka(\n"
                + "  bootstrap_servers => '${kafka}', topic => 'users', max_records_per_batch => 1000)");
    fixture.run(folder);
    assertThat(fixture.rows("SELECT id, name FROM ku.users ORDER BY id"))
        .containsExactly(List.of(1L, "ana"), List.of(2L, "rui"));

    kafka.produce(
        "users",
        List.of(
            "{\"id\": 3, \"name\": \"eva\", \"email\": \"eva@x\"}",
            "{\"id\": \"four\", \"name\": \"bad\"}"));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "ku.users").rowsQuarantined()).isEqualTo(1);
    assertThat(spark.table("ku.users").columns()).contains("id", "name", "email", "_kafka");
    assertThat(fixture.rows("SELECT id, name, email FROM ku.users ORDER BY id"))
        .containsExactly(
            java.util.Arrays.asList(1L, "ana", null),
            java.util.Arrays.asList(2L, "rui", null),
            List.of(3L, "eva", "eva@x"));
    assertThat(fixture.rows("SELECT _error FROM ku.users_source_quarantine"))
        .containsExactly(List.of("values do not match the schema: id (BIGINT)"));
  }

  @Test
  void limitsEachBatchAndReadsTheRestNextRun() {
    kafka.createTopic("clicks", 1);
    kafka.produce("clicks", events(0, 25));
    Path folder =
        fixture.pipeline(
            "kc",
            "clicks.sql",
            "CREATE STREAMING TABLE clicks AS SELECT id FROM STREAM read_kafka(\n"
                + "  bootstrap_servers => '${kafka}', topic => 'clicks', schema => 'id INT',\n"
                + "  max_records_per_batch => 10)");
    assertThat(PipelineFixture.flow(fixture.run(folder), "kc.clicks").rowsWritten()).isEqualTo(10);
    assertThat(PipelineFixture.flow(fixture.run(folder), "kc.clicks").rowsWritten()).isEqualTo(10);
    // a compaction commits a snapshot without the stored offsets: reading goes on where it was
    assertThat(
            fixture
                .rows(
                    "CALL lagoa.system.rewrite_data_files(table => 'kc.clicks',"
                        + " options => map('min-input-files', '2'))")
                .get(0)
                .get(0))
        .isEqualTo(2);
    assertThat(PipelineFixture.flow(fixture.run(folder), "kc.clicks").rowsWritten()).isEqualTo(5);
    assertThat(fixture.run(folder).flows().get(0).status()).isEqualTo(FlowStatus.UP_TO_DATE);
    assertThat(fixture.rows("SELECT count(DISTINCT id), min(id), max(id) FROM kc.clicks"))
        .containsExactly(List.of(25L, 0, 24));
  }

  /**
   * With a run journal (what the CLI runs with), a batch is not cached: its rows are written
   * straight from Kafka while its rejected records are counted, and those are read again and
   * quarantined after the rows' commit only when there are some.
   */
  @Test
  void withAJournalRejectedRecordsFollowTheRowsAndACleanBatchIsReadOnce() {
    kafka.createTopic("streams", 2);
    kafka.produce("streams", events(0, 10));
    kafka.produce(
        "streams",
        List.of(
            "{\"id\": \"not a number\", \"artist\": \"x\"}",
            "this is not json",
            "{\"id\": 12, \"artist\": \"a0\", \"venue\": {\"city\": \"Porto\"}}"));
    Path folder =
        fixture.pipeline(
            "kj",
            "bronze.sql",
            "CREATE STREAMING TABLE streams AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',"
                + " topic => 'streams',\n  schema => 'id BIGINT, artist STRING')");
    NotedRuns journal = new NotedRuns();
    KafkaReads reads = new KafkaReads();
    spark.sparkContext().addSparkListener(reads);
    try {
      RunResult first = fixture.attempt(folder, RunOptions.defaults(), journal);
      assertThat(first.error()).isEmpty();
      FlowResult bronze = PipelineFixture.flow(first, "kj.streams");
      assertThat(bronze.rowsWritten()).isEqualTo(11);
      assertThat(bronze.rowsQuarantined()).isEqualTo(2);
      assertThat(bronze.rowsRead()).isEqualTo(13);
      assertThat(
              fixture.rows(
                  "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset)"
                      + " FROM kj.streams"))
          .containsExactly(List.of(11L, 11L));
      assertThat(fixture.rows("SELECT _rescued_data FROM kj.streams WHERE id = 12"))
          .containsExactly(List.of("{\"venue\":\"{\\\"city\\\":\\\"Porto\\\"}\"}"));
      assertThat(
              fixture.rows(
                  "SELECT _error, CAST(_raw AS STRING) FROM kj.streams_source_quarantine"
                      + " ORDER BY _error"))
          .containsExactly(
              List.of(
                  "not a JSON object: invalid JSON, or JSON that is not {...}", "this is not json"),
              List.of(
                  "values do not match the schema: id (BIGINT)",
                  "{\"id\": \"not a number\", \"artist\": \"x\"}"));
      // the quarantine commit follows the rows' commit, in the same run
      assertThat(
              fixture.rows(
                  "SELECT max(q.committed_at) >= max(t.committed_at)"
                      + " FROM kj.streams_source_quarantine.snapshots q, kj.streams.snapshots t"))
          .containsExactly(List.of(true));
      assertThat(journal.open).isEmpty();

      // a batch without rejected records reads Kafka once: the rows' write is the only read
      kafka.produce("streams", events(100, 120));
      reads.reset();
      RunResult clean = fixture.attempt(folder, RunOptions.defaults(), journal);
      assertThat(clean.error()).isEmpty();
      assertThat(PipelineFixture.flow(clean, "kj.streams").rowsWritten()).isEqualTo(20);
      assertThat(PipelineFixture.flow(clean, "kj.streams").rowsQuarantined()).isZero();
      assertThat(reads.stages()).isEqualTo(1);
      assertThat(fixture.rows("SELECT count(*) FROM kj.streams_source_quarantine"))
          .containsExactly(List.of(2L));

      // the same batch through the cached first pass (no journal) takes more than one pass
      kafka.produce("streams", events(200, 220));
      reads.reset();
      RunResult cached = fixture.run(folder);
      assertThat(PipelineFixture.flow(cached, "kj.streams").rowsWritten()).isEqualTo(20);
      assertThat(reads.stages()).isGreaterThan(1);
      assertThat(
              fixture.rows(
                  "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset)"
                      + " FROM kj.streams"))
          .containsExactly(List.of(51L, 51L));
    } finally {
      spark.sparkContext().removeSparkListener(reads);
    }
  }

  /**
   * A failure between the rows' commit and the quarantine's puts the rows' commit back, so the
   * batch's end position is not stored without its rejected records: the next run reads the batch
   * again and writes both tables once.
   */
  @Test
  void withAJournalAQuarantineThatCannotBeWrittenPutsTheRowsBack() {
    kafka.createTopic("tunes", 1);
    kafka.produce("tunes", events(0, 5));
    Path folder =
        fixture.pipeline(
            "kt",
            "bronze.sql",
            "CREATE STREAMING TABLE tunes AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',"
                + " topic => 'tunes',\n  schema => 'id BIGINT, artist STRING')");
    NotedRuns journal = new NotedRuns();
    assertThat(fixture.attempt(folder, RunOptions.defaults(), journal).error()).isEmpty();
    long before = snapshotOf("kt.tunes");
    // someone broke the quarantine table: the rejected records cannot be written there
    fixture.rows("DROP TABLE lagoa.kt.tunes_source_quarantine");
    fixture.rows("CREATE TABLE lagoa.kt.tunes_source_quarantine (_raw INT) USING iceberg");
    kafka.produce("tunes", List.of("not json"));
    kafka.produce("tunes", events(5, 8));

    RunResult failed = fixture.attempt(folder, RunOptions.defaults(), journal);

    assertThat(failed.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(failed.restored()).anySatisfy(line -> assertThat(line).contains("kt.tunes"));
    assertThat(snapshotOf("kt.tunes")).isEqualTo(before);
    assertThat(fixture.rows("SELECT count(*) FROM kt.tunes")).containsExactly(List.of(5L));
    assertThat(journal.open).isEmpty();

    fixture.rows("DROP TABLE lagoa.kt.tunes_source_quarantine");
    RunResult again = fixture.attempt(folder, RunOptions.defaults(), journal);
    assertThat(again.error()).isEmpty();
    assertThat(PipelineFixture.flow(again, "kt.tunes").rowsWritten()).isEqualTo(3);
    assertThat(PipelineFixture.flow(again, "kt.tunes").rowsQuarantined()).isEqualTo(1);
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT _kafka.offset) FROM kt.tunes"))
        .containsExactly(List.of(8L, 8L));
    assertThat(fixture.rows("SELECT _kafka_offset FROM kt.tunes_source_quarantine"))
        .containsExactly(List.of(5L));
  }

  private static long snapshotOf(String table) {
    return PipelineRunner.icebergCatalog(spark)
        .loadTable(org.apache.iceberg.catalog.TableIdentifier.parse(table))
        .currentSnapshot()
        .snapshotId();
  }

  /** A run journal in memory: the runs begun and not ended. */
  private static final class NotedRuns implements RunJournal {
    final Map<String, Map<String, TableState>> open = new ConcurrentHashMap<>();

    @Override
    public void begin(String runId, Instant startedAt, Map<String, TableState> tables) {
      open.put(runId, tables);
    }

    @Override
    public void end(String runId) {
      open.remove(runId);
    }
  }

  /** Counts the Spark stages that read Kafka. */
  private static final class KafkaReads extends SparkListener {
    private final AtomicInteger stages = new AtomicInteger();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
      boolean readsKafka =
          scala.jdk.javaapi.CollectionConverters.asJava(completed.stageInfo().rddInfos()).stream()
              .anyMatch(KafkaReads::readsKafka);
      if (readsKafka) {
        stages.incrementAndGet();
      }
    }

    /** Spark's V2 Kafka scan ("BatchScan KafkaTable"), or its V1 relation's RDD. */
    private static boolean readsKafka(org.apache.spark.storage.RDDInfo rdd) {
      return rdd.name().contains("KafkaSourceRDD")
          || (rdd.scope().isDefined() && rdd.scope().get().name().contains("KafkaTable"));
    }

    void reset() {
      drain();
      stages.set(0);
    }

    int stages() {
      drain();
      return stages.get();
    }

    /** Waits until the listeners have seen every event posted so far. */
    private static void drain() {
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.Dataset;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several runners of one pipeline at once, without a lease between them (what an expired lease,
 * {@code --force}, or a REST catalog leaves): Kafka, landing-folder and table sources, append and
 * merge, continuous and once, while data keeps arriving. Every record must land exactly once: the
 * catalog refuses a batch whose table got another run's commit since the batch started, and the
 * loser plans the batch again.
 */
class TestConcurrentRunners {
  private static final int RECORDS = 1200;
  private static final int POISON = 4;
  private static final int FILES = 6;
  private static final int LINES_PER_FILE = 20;

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
            "cr",
            namespace ->
                "variables:\n  kafka: "
                    + kafka.bootstrapServers()
                    + "\n  landing: "
                    + landing(namespace)
                    + "\ntrigger-interval: 100ms\ncompact-every: 0\n");
  }

  @AfterAll
  static void stop() {
    // either may be missing when start() failed; its error is the one to read
    if (warehouse != null) {
      warehouse.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void threeRunnersStoreEveryRecordOnce() throws Exception {
    race("three", 3);
  }

  private void race(String namespace, int runners) throws Exception {
    String topic = "events_" + namespace;
    kafka.createTopic(topic, 2);
    Files.createDirectories(landing(namespace));
    Path folder =
        fixture.pipeline(
            namespace,
            "bronze.sql",
            "CREATE STREAMING TABLE events AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}', topic => '"
                + topic
                + "',\n  schema => 'id BIGINT, v STRING', max_records_per_batch => 150)",
            "files.sql",
            "CREATE STREAMING TABLE landed AS\n"
                + "SELECT * FROM STREAM read_files('${landing}', format => 'json',"
                + " schema_hints => 'id BIGINT')",
            "silver.sql",
            "CREATE STREAMING TABLE events_copy AS SELECT id, v FROM STREAM(events)",
            "latest.sql",
            "CREATE STREAMING TABLE latest KEYS (k) SEQUENCE BY id AS\n"
                + "SELECT id % 40 AS k, id, v FROM STREAM(events)");
    CompiledPipeline pipeline = fixture.compile(folder);

    AtomicBoolean produced = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger replanned = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    PipelineListener counting =
        new PipelineListener() {
          @Override
          public void replanned(Dataset dataset, String reason) {
            replanned.incrementAndGet();
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(runners + 1);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      tasks.add(
          pool.submit(
              () -> {
                produce(namespace, topic);
                produced.set(true);
                return null;
              }));
      for (int i = 0; i < runners; i++) {
        ContinuousRunner.Mode mode =
            i % 2 == 0 ? ContinuousRunner.Mode.CONTINUOUS : ContinuousRunner.Mode.ONCE;
        tasks.add(
            pool.submit(
                () -> {
                  PipelineRunner runner = new PipelineRunner(spark, counting, Clock.systemUTC());
                  ContinuousRunner loop = new ContinuousRunner(runner, spark, Clock.systemUTC());
                  do {
                    ContinuousRunner.Summary summary =
                        loop.run(
                            pipeline,
                            new RunOptions(List.of(), false, false, 2, false, true),
                            mode,
                            stop::get,
                            new ContinuousRunner.Observer() {
                              @Override
                              public void runFinished(RunResult result) {
                                // A batch that kept losing to the others gives up and is rolled
                                // back; the
                                // next batch goes on from there. Any other failure is a fault.
                                if (result.status() == RunResult.Status.FAILED
                                    && !result.error().orElse("").contains("attempts")) {
                                  failures.add(
                                      result.error().orElse("")
                                          + " "
                                          + result.flows().stream()
                                              .map(
                                                  f ->
                                                      f.flow()
                                                          + "="
                                                          + f.status()
                                                          + f.error()
                                                              .map(e -> " (" + e + ")")
                                                              .orElse(""))
                                              .toList()
                                          + " restored "
                                          + result.restored()
                                          + " unrestored "
                                          + result.unrestored());
                                }
                              }
                            });
                    if (summary.last() != null) {
                      assertThat(
                              summary.last().error().filter(error -> !error.contains("attempts")))
                          .as("a runner's last batch; failures: " + failures)
                          .isEmpty();
                    }
                  } while (!stop.get());
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (!(produced.get() && caughtUp(namespace))
          && System.nanoTime() < deadline
          && tasks.stream().skip(1).noneMatch(Future::isDone)) {
        Thread.sleep(200);
      }
      stop.set(true);
      for (Future<?> task : tasks) {
        task.get(120, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    // whatever is left, one more runner takes
    ContinuousRunner.Summary rest =
        new ContinuousRunner(
                new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC()),
                spark,
                Clock.systemUTC())
            .run(
                pipeline,
                RunOptions.defaults(),
                ContinuousRunner.Mode.ONCE,
                () -> false,
                new ContinuousRunner.Observer() {});
    assertThat(rest.last().error()).as("the last runner").isEmpty();
    String context =
        runners
            + " runners, "
            + replanned.get()
            + " batches planned again, "
            + rest.runs()
            + " batches left for the last runner, whose last batch did "
            + rest.last().flows().stream()
                .map(f -> f.flow() + " " + f.status() + " " + f.rowsWritten())
                .toList()
            + "; failed batches "
            + failures
            + "; events' history:\n"
            + history(namespace + ".events")
            + "quarantine:\n"
            + quarantineHistory(namespace + ".events_source_quarantine");

    String ns = namespace;
    assertThat(
            fixture.rows(
                "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset)"
                    + " FROM "
                    + ns
                    + ".events"))
        .as(context)
        .containsExactly(List.of((long) RECORDS, (long) RECORDS));
    assertThat(
            fixture.rows(
                "SELECT count(*), count(DISTINCT _kafka_partition, _kafka_offset)"
                    + " FROM "
                    + ns
                    + ".events_source_quarantine"))
        .as(context)
        .containsExactly(List.of((long) POISON, (long) POISON));
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT id) FROM " + ns + ".events_copy"))
        .containsExactly(List.of((long) RECORDS, (long) RECORDS));
    assertThat(fixture.rows("SELECT count(*), max(id) FROM " + ns + ".latest"))
        .containsExactly(List.of(40L, (long) RECORDS - 1));
    assertThat(fixture.rows("SELECT count(*), count(DISTINCT id) FROM " + ns + ".landed"))
        .containsExactly(List.of((long) FILES * LINES_PER_FILE, (long) FILES * LINES_PER_FILE));
    assertThat(failures).as("failed batches").isEmpty();
    // the race really happened: some batches lost their commit and were planned again
    assertThat(replanned.get()).as("batches planned again after losing a commit").isPositive();
  }

  /** The table's snapshots as the runners left them, to tell what happened when a check fails. */
  private static String history(String table) {
    StringBuilder text = new StringBuilder();
    for (List<Object> row :
        fixture.rows(
            "SELECT h.made_current_at, h.snapshot_id, h.parent_id,"
                + " h.is_current_ancestor, s.operation, s.summary['added-records'],"
                + " s.summary['lagoa.pipeline.run-id'],"
                + " s.summary['lagoa.pipeline.expected-base."
                + table
                + "'],"
                + " map_filter(s.summary, (k, v) -> k LIKE 'lagoa.source.kafka.%')"
                + " FROM "
                + table
                + ".history h JOIN "
                + table
                + ".snapshots s"
                + " ON h.snapshot_id = s.snapshot_id ORDER BY h.made_current_at")) {
      text.append(row).append('\n');
    }
    return text.toString();
  }

  private static String quarantineHistory(String table) {
    StringBuilder text = new StringBuilder();
    for (List<Object> row :
        fixture.rows(
            "SELECT h.made_current_at, h.snapshot_id,"
                + " h.is_current_ancestor, s.summary['added-records'],"
                + " s.summary['lagoa.pipeline.run-id'], s.summary['lagoa.pipeline.target-snapshot'],"
                + " map_filter(s.summary, (k, v) -> k LIKE 'lagoa.source.kafka.%')"
                + " FROM "
                + table
                + ".history h JOIN "
                + table
                + ".snapshots s"
                + " ON h.snapshot_id = s.snapshot_id ORDER BY h.made_current_at")) {
      text.append(row).append('\n');
    }
    return text.toString();
  }

  private static boolean caughtUp(String namespace) {
    try {
      return fixture
              .rows("SELECT count(*) FROM " + namespace + ".events_copy")
              .equals(List.of(List.of((long) RECORDS)))
          && fixture
              .rows("SELECT count(*) FROM " + namespace + ".landed")
              .equals(List.of(List.of((long) FILES * LINES_PER_FILE)));
    } catch (RuntimeException e) {
      return false; // not created yet
    }
  }

  /** Records in chunks, poison among them, and landing files, while the runners run. */
  private static void produce(String namespace, String topic) throws InterruptedException {
    int chunk = RECORDS / FILES;
    for (int f = 0; f < FILES; f++) {
      List<String> values = new ArrayList<>();
      for (int i = f * chunk; i < (f + 1) * chunk; i++) {
        values.add("{\"id\": " + i + ", \"v\": \"v" + i + "\"}");
        if (i % (RECORDS / POISON) == 7) {
          values.add("not json " + i);
        }
      }
      kafka.produce(topic, values);
      StringBuilder lines = new StringBuilder();
      for (int l = 0; l < LINES_PER_FILE; l++) {
        lines.append("{\"id\": ").append(f * LINES_PER_FILE + l).append("}\n");
      }
      try {
        Path file = landing(namespace).resolve("part-" + f + ".json");
        Path partial = landing(namespace).resolve(".part-" + f + ".json");
        Files.writeString(partial, lines);
        Files.move(partial, file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Thread.sleep(Duration.ofMillis(300).toMillis());
    }
  }

  private static Path landing(String namespace) {
    return warehouse.root().resolve("landing-" + namespace);
  }
}

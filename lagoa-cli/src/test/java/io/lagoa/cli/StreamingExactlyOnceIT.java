package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly once from Kafka to bronze and on to silver, proven the hard way: the packaged CLI runs a
 * continuous pipeline against a real broker while records keep arriving, and is killed with SIGKILL
 * at random moments (starting up, reading, writing, committing), then restarted. At the end every
 * produced record is in bronze or its source quarantine exactly once, and silver holds bronze's
 * rows exactly once. The records are also changes of 300 keys (updates and deletes, some late, some
 * sent twice), which two AUTO CDC flows apply as SCD type 1 and 2: at the end both equal a fold of
 * the changes in sequence order, whatever the kills interrupted (a state committed without its
 * table among them).
 */
class StreamingExactlyOnceIT {
  private static final int RECORDS = 9_000;
  private static final int POISON_EVERY = 997;
  private static final int KEYS = 300;

  /** A change to key {@code k}: value {@code v}, or a delete, at sequence {@code seq}. */
  record Change(int k, long v, boolean delete, long seq) {
    String json() {
      return ", \"k\": "
          + k
          + ", \"v\": "
          + v
          + ", \"op\": \""
          + (delete ? "d" : "u")
          + "\", \"seq\": "
          + seq;
    }
  }

  /**
   * Record {@code n}'s change: mostly updates with seq = n; every 11th a delete; every 37th late
   * (its seq 150 before its place); every 50th a repeat of an earlier record's change
   * (at-least-once delivery).
   */
  static Change change(int n, Random random) {
    if (n % 50 == 49) {
      return change(n - 7, new Random(n - 7));
    }
    long seq = n % 37 == 36 ? n - 150 : n;
    return new Change(n % KEYS, random.nextInt(3), n % 11 == 10, seq);
  }

  private TestingWarehouse warehouse;
  private TestingKafka kafka;

  @BeforeEach
  void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
  }

  @AfterEach
  void stop() {
    warehouse.close();
    kafka.close();
  }

  @Test
  void survivesKillNineAtRandomMomentsWithEachRecordExactlyOnce() throws Exception {
    kafka.createTopic("events", 3);
    warehouse.writeFile(
        "p/pipeline.yaml", "name: events\ntrigger-interval: 200ms\ncompact-every: 5\n");
    warehouse.writeFile(
        "p/bronze.sql",
        "CREATE STREAMING TABLE bronze.events AS\n"
            + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '"
            + kafka.bootstrapServers()
            + "',\n  topic => 'events',"
            + " schema => 'id BIGINT, kind STRING, k INT, v BIGINT, op STRING, seq BIGINT',"
            + " max_records_per_batch => 1500)");
    warehouse.writeFile(
        "p/silver.sql",
        "CREATE STREAMING TABLE silver.events AS\n"
            + "SELECT id, upper(kind) AS kind, _kafka.partition AS p, _kafka.offset AS o\n"
            + "FROM STREAM(bronze.events)");
    String changes =
        "FROM STREAM(bronze.events)\nKEYS (k)\nAPPLY AS DELETE WHEN op = 'd'\nSEQUENCE BY seq\n"
            + "COLUMNS (k, v)\n";
    warehouse.writeFile(
        "p/current.sql",
        "CREATE FLOW current AS AUTO CDC INTO silver.current\n" + changes + "STORED AS SCD TYPE 1");
    warehouse.writeFile(
        "p/history.sql",
        "CREATE FLOW history AS AUTO CDC INTO silver.history\n" + changes + "STORED AS SCD TYPE 2");
    Path pipeline = warehouse.root().resolve("p");

    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong produced = new AtomicLong();
    Thread producer =
        new Thread(
            () -> {
              int sent = 0;
              while (sent < RECORDS) {
                List<String> batch = new ArrayList<>();
                for (int i = 0; i < 400 && sent < RECORDS; i++, sent++) {
                  batch.add(
                      sent % POISON_EVERY == 0
                          ? "{\"id\": " + sent + ", broken"
                          : "{\"id\": "
                              + sent
                              + ", \"kind\": \"k"
                              + (sent % 7)
                              + "\""
                              + change(sent, new Random(sent)).json()
                              + "}");
                }
                kafka.produce("events", batch);
                produced.addAndGet(batch.size());
                sleep(150);
              }
              producing.set(false);
            },
            "producer");
    producer.start();

    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<String> kills = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      Process process = start(pipeline, "--continuous");
      waitUntilRunning(process);
      long wait = 500 + random.nextInt(9_000);
      boolean exited = process.waitFor(wait, TimeUnit.MILLISECONDS);
      assertThat(exited).as("exited early: " + read("stderr.txt")).isFalse();
      process.destroyForcibly().waitFor(); // SIGKILL
      kills.add(wait + " ms after starting (" + batches(read("stderr.txt")) + " batches)");
    }
    producer.join(120_000);
    assertThat(producing.get()).isFalse();

    // SIGTERM: the running batch commits, then the process exits 0
    Process process = start(pipeline, "--continuous");
    waitUntilRunning(process);
    Thread.sleep(1_500);
    process.destroy();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("no exit after SIGTERM").isTrue();
    assertThat(process.exitValue()).as(read("stderr.txt")).isZero();
    assertThat(read("stderr.txt")).contains("SIGTERM: stopping after the running batch commits");

    Process rest = start(pipeline, "--once");
    boolean finished = rest.waitFor(15, TimeUnit.MINUTES); // the rest of the records, four flows
    assertThat(finished).as("--once did not finish: " + read("stderr.txt")).isTrue();
    assertThat(rest.exitValue()).as(read("stderr.txt")).isZero();

    String context = "seed " + seed + ", killed after " + kills;
    long poison = (RECORDS - 1) / POISON_EVERY + 1;
    // one CLI run reads bronze (3 counts), its quarantine (2), silver (2) and the CDC tables (3, 5)
    List<Long> counts =
        sql(
            "SELECT * FROM (SELECT count(*) AS b1,"
                + " count(DISTINCT _kafka.topic, _kafka.partition, _kafka.offset) AS b2,"
                + " count(DISTINCT id) AS b3 FROM bronze.events)"
                + " CROSS JOIN (SELECT count(*) AS q1,"
                + " count(DISTINCT _kafka_topic, _kafka_partition, _kafka_offset) AS q2"
                + " FROM bronze.events_source_quarantine)"
                + " CROSS JOIN (SELECT count(*) AS s1, count(DISTINCT p, o) AS s2"
                + " FROM silver.events)"
                + " CROSS JOIN (SELECT count(*) AS c1, count(DISTINCT k) AS c2,"
                + " coalesce(sum(k * 10 + v), 0) AS c3 FROM silver.current)"
                + " CROSS JOIN (SELECT count(*) AS h1, count_if(__END_AT IS NULL) AS h2,"
                + " sum(__START_AT) AS h3, coalesce(sum(__END_AT), 0) AS h4,"
                + " sum(k * 10 + v) AS h5 FROM silver.history)");
    assertThat(counts.subList(0, 3))
        .as(context + ": bronze.events")
        .isEqualTo(List.of(RECORDS - poison, RECORDS - poison, RECORDS - poison));
    assertThat(counts.subList(3, 5))
        .as(context + ": bronze.events_source_quarantine")
        .isEqualTo(List.of(poison, poison));
    assertThat(counts.subList(5, 7))
        .as(context + ": silver.events")
        .isEqualTo(List.of(RECORDS - poison, RECORDS - poison));
    assertThat(produced.get()).isEqualTo(RECORDS);

    List<Change> applied = new ArrayList<>();
    for (int n = 0; n < RECORDS; n++) {
      if (n % POISON_EVERY != 0) {
        applied.add(change(n, new Random(n)));
      }
    }
    assertThat(counts.subList(7, 10))
        .as(context + ": silver.current (SCD type 1)")
        .isEqualTo(currentRows(applied));
    assertThat(counts.subList(10, 15))
        .as(context + ": silver.history (SCD type 2)")
        .isEqualTo(historyRows(applied));
  }

  /** SCD type 1 by hand: count, distinct keys and a checksum of the latest change of each key. */
  private static List<Long> currentRows(List<Change> changes) {
    java.util.Map<Integer, Change> latest = new java.util.TreeMap<>();
    changes.stream()
        .sorted(java.util.Comparator.comparingLong(Change::seq))
        .forEach(change -> latest.put(change.k(), change));
    List<Change> rows = latest.values().stream().filter(change -> !change.delete()).toList();
    long checksum = rows.stream().mapToLong(change -> change.k() * 10L + change.v()).sum();
    return List.of((long) rows.size(), (long) rows.size(), checksum);
  }

  /** SCD type 2 by hand: versions, current ones, sums of their starts, ends and values. */
  private static List<Long> historyRows(List<Change> changes) {
    java.util.Map<Integer, List<Change>> byKey = new java.util.TreeMap<>();
    changes.stream()
        .distinct()
        .sorted(java.util.Comparator.comparingLong(Change::seq))
        .forEach(change -> byKey.computeIfAbsent(change.k(), k -> new ArrayList<>()).add(change));
    long versions = 0;
    long current = 0;
    long starts = 0;
    long ends = 0;
    long values = 0;
    for (List<Change> keyChanges : byKey.values()) {
      Change open = null;
      for (Change change : keyChanges) {
        boolean closes = change.delete() || (open != null && open.v() != change.v());
        if (open != null && closes) {
          ends += change.seq();
          open = null;
        }
        if (!change.delete() && open == null) {
          open = change;
          versions++;
          starts += change.seq();
          values += change.k() * 10L + change.v();
        }
      }
      if (open != null) {
        current++;
      }
    }
    return List.of(versions, current, starts, ends, values);
  }

  private void waitUntilRunning(Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (read("stderr.txt").contains("running events continuously")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the continuous run did not start:\n" + read("stderr.txt"));
  }

  private static long batches(String stderr) {
    return stderr.lines().filter(line -> line.contains(" batch ")).count();
  }

  private List<Long> sql(String query) throws Exception {
    Process process = start(null, "sql", query, "--format", "csv");
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(read("stderr.txt")).isZero();
    String[] lines = read("stdout.txt").strip().split("\r?\n");
    List<Long> values = new ArrayList<>();
    for (String value : lines[1].split(",")) {
      values.add(Long.parseLong(value.strip()));
    }
    return values;
  }

  /** Starts the packaged CLI: `pipeline run DIR MODE`, or other arguments. */
  private Process start(Path pipeline, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    if (pipeline != null) {
      command.addAll(List.of("pipeline", "run", pipeline.toString()));
    }
    command.addAll(Arrays.asList(args));
    return PackagedCli.start(warehouse, "stdout.txt", "stderr.txt", command);
  }

  private String read(String file) throws IOException {
    return Files.readString(warehouse.root().resolve(file), StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

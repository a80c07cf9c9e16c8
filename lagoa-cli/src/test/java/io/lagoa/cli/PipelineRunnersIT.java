package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runners of one pipeline as users start them, through the packaged CLI: a batch run killed with
 * SIGKILL at several points is put back by the next run; a second runner beside a live one exits
 * with 3 and says who runs the pipeline, or waits with --wait.
 *
 * <p>The pipeline is a chain of materialized views over a table, each step slow enough (a few
 * seconds of computation) that the test can kill the run between two commits, watching the catalog
 * database to know where the run is.
 */
class PipelineRunnersIT {
  private static TestingWarehouse warehouse;
  private static Path pipeline;
  private static int round;
  private static long sourceRows; // rows of raw.source: addRows is its only writer

  @BeforeAll
  static void create() throws Exception {
    warehouse = TestingWarehouse.create();
    warehouse.writeFile("p/pipeline.yaml", "name: chain\n");
    // each step waits for a large range to be summed: seconds, not milliseconds
    String slow = "(SELECT sum(id % 7) FROM range(0, 60000000))";
    warehouse.writeFile(
        "p/copy.sql",
        "CREATE MATERIALIZED VIEW silver.copy AS\n"
            + "SELECT id, v, "
            + slow
            + " AS work FROM raw.source");
    warehouse.writeFile(
        "p/agg.sql",
        "CREATE MATERIALIZED VIEW silver.agg AS\n"
            + "SELECT count(*) AS n, sum(v) AS total, max(work) + "
            + slow
            + " AS work"
            + " FROM silver.copy");
    warehouse.writeFile(
        "p/gold.sql",
        "CREATE MATERIALIZED VIEW gold.summary AS\n"
            + "SELECT n, total, "
            + slow
            + " AS work FROM silver.agg");
    pipeline = warehouse.root().resolve("p");
    run(
        null,
        "sql",
        "CREATE NAMESPACE IF NOT EXISTS lagoa.raw;"
            + " CREATE TABLE raw.source (id BIGINT, v BIGINT) USING iceberg");
    addRows(10);
    Process first = start(pipeline);
    assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(first.exitValue()).as(read("stderr.txt")).isZero();
    assertThat(counts()).containsExactly(10L, 10L, 10L, 10L);
  }

  @AfterAll
  static void close() {
    warehouse.close();
  }

  @Test
  void aRunKilledBetweenCommitsIsPutBackByTheNextRun() throws Exception {
    for (int committed : List.of(0, 1, 2)) {
      long before = sourceRows; // what silver.copy held when the last round ended consistent
      addRows(5);
      Process process = start(pipeline);
      if (committed == 0) {
        waitFor(process, () -> runNoted());
      } else {
        waitFor(process, () -> newSnapshots() >= committed);
      }
      process.destroyForcibly().waitFor(); // SIGKILL
      String context = "killed after " + committed + " commits";
      if (committed > 0) {
        assertThat(count("silver.copy")).as(context).isGreaterThan(before); // tables disagree now
      }

      Process status = start(null, "pipeline", "status", pipeline.toString());
      assertThat(status.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(read("stderr.txt"))
          .as(context)
          .contains("pipeline chain is not running (its last runner,")
          .contains("has not ended and was interrupted: the next run puts its tables back");

      Process next = start(pipeline);
      assertThat(next.waitFor(5, TimeUnit.MINUTES)).as(context).isTrue();
      String stderr = read("stderr.txt");
      assertThat(next.exitValue()).as(context + "\n" + stderr).isZero();
      assertThat(stderr).as(context).contains("was interrupted");
      if (committed > 0) {
        assertThat(stderr)
            .as(context)
            .contains("its tables were put back:")
            .contains("restored silver.copy to snapshot");
      } else {
        assertThat(stderr).as(context).contains("before it committed anything");
      }
      assertThat(stderr).as(context).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(counts()).as(context).containsOnly(sourceRows);
    }
    assertThat(sql("SELECT count(*) FROM lagoa_system.pipeline_runs WHERE status = 'interrupted'"))
        .isEqualTo(3L);
  }

  @Test
  void aSecondRunnerExitsWithThreeOrWaits() throws Exception {
    addRows(1);
    Process first = startTo(pipeline, "stdout-1.txt", "stderr-1.txt");
    waitFor(first, PipelineRunnersIT::runNoted);

    Process second = startTo(pipeline, "stdout-2.txt", "stderr-2.txt");
    Process waiting = startTo(pipeline, "stdout-3.txt", "stderr-3.txt", "--wait", "5m");
    assertThat(second.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String refused = read("stderr-2.txt");
    assertThat(second.exitValue()).as(refused).isEqualTo(3);
    assertThat(refused)
        .contains("error: pipeline chain is already running on ")
        .contains("(pid " + first.pid() + ") since ");

    assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(first.exitValue()).as(read("stderr-1.txt")).isZero();
    assertThat(waiting.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String waited = read("stderr-3.txt");
    assertThat(waited).contains("pipeline chain succeeded");
    assertThat(waiting.exitValue()).as(waited).isZero();
    if (waited.contains("is already running on")) { // it started before the first one ended
      assertThat(waited).contains("waiting for it to end");
    }
    assertThat(counts()).containsOnly(sourceRows);
  }

  /** Whether the running batch has noted itself in the lease (before its first commit). */
  private static boolean runNoted() {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + warehouse.warehouse().resolve("catalog.db"));
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM lagoa_pipeline_leases WHERE run_id IS NOT NULL")) {
      return rows.next() && rows.getLong(1) > 0;
    } catch (Exception e) {
      return false; // not created yet, or busy
    }
  }

  /** Tables of silver.copy and silver.agg whose catalog pointer moved since this round began. */
  private static int newSnapshots() {
    int found = 0;
    for (String table : List.of("silver.copy", "silver.agg")) {
      String location = metadataLocation(table);
      if (location != null && !location.equals(VERSIONS.get(table + "@" + round))) {
        found++;
      }
    }
    return found;
  }

  private static final Map<String, String> VERSIONS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The table's current metadata file as the catalog database has it: committed, not written. */
  private static String metadataLocation(String table) {
    String[] parts = table.split("\\.");
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + warehouse.warehouse().resolve("catalog.db"));
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT metadata_location FROM iceberg_tables"
                    + " WHERE table_namespace = '"
                    + parts[0]
                    + "' AND table_name = '"
                    + parts[1]
                    + "'")) {
      return rows.next() ? rows.getString(1) : null;
    } catch (Exception e) {
      return null; // busy: ask again
    }
  }

  private static void waitFor(Process process, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the run did not get there:\n" + read("stderr.txt"));
  }

  /**
   * The rows of raw.source that silver.copy, silver.agg and gold.summary cover, then the rows of
   * raw.source itself: one CLI run reads all four.
   */
  private static List<Long> counts() throws Exception {
    run(
        null,
        "sql",
        "SELECT (SELECT count(*) FROM silver.copy), (SELECT n FROM silver.agg),"
            + " (SELECT n FROM gold.summary), (SELECT count(*) FROM raw.source)",
        "--format",
        "csv");
    String[] lines = read("stdout.txt").strip().split("\r?\n");
    List<Long> values = new ArrayList<>();
    for (String value : lines[1].split(",")) {
      values.add(Long.parseLong(value.strip()));
    }
    return values;
  }

  private static void addRows(int rows) throws Exception {
    run(
        null,
        "sql",
        "INSERT INTO raw.source SELECT id, id * 10 FROM range("
            + sourceRows
            + ", "
            + (sourceRows + rows)
            + ")");
    sourceRows += rows;
    round++;
    for (String table : List.of("silver.copy", "silver.agg")) {
      String location = metadataLocation(table);
      VERSIONS.put(table + "@" + round, location == null ? "" : location);
    }
  }

  private static long count(String table) throws Exception {
    return sql("SELECT count(*) FROM " + table);
  }

  private static long sql(String query) throws Exception {
    run(null, "sql", query, "--format", "csv");
    String[] lines = read("stdout.txt").strip().split("\r?\n");
    return Long.parseLong(lines[1].strip());
  }

  private static void run(Path folder, String... args) throws Exception {
    Process process = start(folder, args);
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(read("stderr.txt")).isZero();
  }

  private static Process start(Path folder, String... args) throws IOException {
    return startTo(folder, "stdout.txt", "stderr.txt", args);
  }

  /** Starts the packaged CLI: `pipeline run DIR ARGS`, or (without a folder) other arguments. */
  private static Process startTo(Path folder, String stdout, String stderr, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (folder != null) {
      command.addAll(List.of("pipeline", "run", folder.toString()));
    }
    command.addAll(Arrays.asList(args));
    return PackagedCli.start(warehouse, stdout, stderr, command);
  }

  private static String read(String file) throws IOException {
    return Files.readString(warehouse.root().resolve(file), StandardCharsets.UTF_8);
  }
}

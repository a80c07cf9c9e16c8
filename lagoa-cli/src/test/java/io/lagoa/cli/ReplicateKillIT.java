package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replicator killed with SIGKILL in the middle of copying a table, through the packaged CLI: the
 * replica's catalog never names a file that was not copied, and the next replication takes over the
 * dead process's lease, copies only what is missing and leaves the replica row for row equal.
 */
class ReplicateKillIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int COMMITS = 40;
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void create() throws Exception {
    warehouse = TestingWarehouse.create();
    StringBuilder sql =
        new StringBuilder(
            "CREATE NAMESPACE IF NOT EXISTS lagoa.raw;"
                + " CREATE TABLE raw.many (id BIGINT, v STRING) USING iceberg;");
    for (int i = 0; i < COMMITS; i++) {
      sql.append(" INSERT INTO raw.many VALUES (").append(i).append(", 'v").append(i).append("');");
    }
    run(Map.of(), "sql", sql.toString());
  }

  @AfterAll
  static void close() {
    warehouse.close();
  }

  /** Runs lagoa to its end; returns its standard output, failing on a non-zero exit. */
  private static String run(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder builder = PackagedCli.command(warehouse, env, List.of("-Xmx1g"), List.of(args));
    builder.redirectOutput(warehouse.root().resolve("out.txt").toFile());
    builder.redirectError(warehouse.root().resolve("err.txt").toFile());
    Process process = builder.start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String out = Files.readString(warehouse.root().resolve("out.txt"));
    assertThat(process.exitValue())
        .as(out + Files.readString(warehouse.root().resolve("err.txt")))
        .isZero();
    return out;
  }

  private static long files(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void killedMidCopyThenResumedReplicaEqualsThePrimary() throws Exception {
    Path replica = warehouse.root().resolve("replica");
    Path data = replica.resolve("raw/many/data");
    Process killed =
        PackagedCli.start(
            warehouse, "killed-out.txt", "killed-err.txt", List.of("replicate", "--to", "replica"));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (files(data) < 5 && killed.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    killed.destroyForcibly().waitFor(); // SIGKILL
    long onDisk = files(data);
    assertThat(onDisk).as("killed before it copied anything").isPositive();
    assertThat(onDisk).as("finished before the kill; make the table bigger").isLessThan(COMMITS);

    // the replica's catalog has the table only once all its files are there: not yet
    try (Connection catalog =
            DriverManager.getConnection("jdbc:sqlite:" + replica.resolve("catalog.db"));
        ResultSet tables =
            catalog
                .createStatement()
                .executeQuery("SELECT count(*) FROM iceberg_tables WHERE table_name = 'many'")) {
      assertThat(tables.next()).isTrue();
      assertThat(tables.getLong(1)).isZero();
    }

    // the next replication takes over the dead process's lease and copies what is missing
    Map<String, Object> resumed =
        JSON.readValue(
            run(Map.of(), "replicate", "--to", "replica", "--json"),
            new TypeReference<Map<String, Object>>() {});
    assertThat(((Number) resumed.get("copied_files")).longValue())
        .isLessThanOrEqualTo(COMMITS - onDisk + 1);
    List<Map<String, Object>> lags = (List<Map<String, Object>>) resumed.get("tables");
    assertThat(lags)
        .filteredOn(lag -> lag.get("table").equals("raw.many"))
        .singleElement()
        .satisfies(lag -> assertThat(lag).containsEntry("status", "in_sync"));
    // read through the replica's own catalog: every row the primary has (ids 0..39)
    String rows =
        run(
            Map.of("LAGOA_WAREHOUSE", replica.toString()),
            "sql",
            "SELECT count(*) AS n, sum(id) AS ids, max(v) AS v FROM raw.many",
            "--format",
            "csv");
    assertThat(rows).isEqualToNormalizingNewlines("n,ids,v\n40,780,v9\n");
  }
}

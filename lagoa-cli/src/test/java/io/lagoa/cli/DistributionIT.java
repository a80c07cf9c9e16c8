package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged distribution (target/lagoa) the way the ./lagoa launcher does: a separate JVM
 * with only the flags from jvm.options and lib/* on the class path. Catches what in-process tests
 * cannot: a missing runtime dependency, a missing --add-opens, noisy logging.
 */
class DistributionIT {
  private TestingWarehouse warehouse;

  @BeforeEach
  void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterEach
  void delete() {
    warehouse.close();
  }

  @Test
  void runsSqlFromThePackagedDistribution() throws Exception {
    Result result =
        run(
            Map.of(),
            "sql",
            "CREATE NAMESPACE IF NOT EXISTS bronze; CREATE TABLE bronze.t (id BIGINT) USING iceberg;"
                + " INSERT INTO bronze.t VALUES (1), (2); SELECT count(*) AS n FROM bronze.t",
            "--format",
            "csv");
    assertThat(result.exitCode).as(result.stderr).isZero();
    assertThat(result.stdout).isEqualTo("n\n2\n");
    // Quiet logging: stderr holds the statements' own lines and nothing from Spark, Hadoop,
    // Iceberg or the JDBC drivers.
    assertThat(result.stderr).matches("(OK \\(\\d+\\.\\d s\\)\n){3}\\(\\d+\\.\\d s\\)\n");
    assertThat(warehouse.warehouse().resolve("catalog.db")).exists();

    // SET -v: Spark would warn, with a stack trace, that it has no Hive settings to list.
    Result settings = run(Map.of(), "sql", "SET -v", "--format", "csv");
    assertThat(settings.exitCode).as(settings.stderr).isZero();
    assertThat(settings.stderr).matches("\\(\\d+\\.\\d s\\)\n");
  }

  @Test
  void runsSqlOnAnS3Warehouse() throws Exception {
    try (TestingS3 s3 = TestingS3.start()) {
      Map<String, String> env = new HashMap<>(s3.environment("dist"));
      env.put("LAGOA_CATALOG_URI", "jdbc:sqlite:" + warehouse.root().resolve("catalog.db"));
      Result result =
          run(
              env,
              "sql",
              "CREATE NAMESPACE IF NOT EXISTS bronze; CREATE TABLE bronze.t (id BIGINT) USING"
                  + " iceberg; INSERT INTO bronze.t VALUES (1); SELECT count(*) AS n FROM bronze.t",
              "--format",
              "csv");
      assertThat(result.exitCode).as(result.stderr).isZero();
      assertThat(result.stdout).isEqualTo("n\n1\n");
      // The AWS SDK ships in lib/ and stays quiet.
      assertThat(result.stderr).doesNotContain(" INFO ").doesNotContain(" WARN ");
      assertThat(s3.objectKeys("dist/bronze/t/data/")).isNotEmpty();
    }
  }

  @Test
  void badConfigurationExitsWithTwo() throws Exception {
    Result result = run(Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "many"), "sql", "select 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.stderr)
        .startsWith("error: environment variable LAGOA_SPARK_SHUFFLE_PARTITIONS:")
        .contains("'many'");
  }

  @Test
  void shellReadsPipedInput() throws Exception {
    Path input = warehouse.writeFile("input.sql", "SELECT 40 +\n 2 AS answer;\nexit\n");
    Result result = run(input, Map.of(), "shell", "--no-history");
    assertThat(result.exitCode).as(result.stderr).isZero();
    assertThat(result.stdout).contains("answer\n------\n    42\n(1 row)");
    // No terminal: JLine falls back to plain reading without a warning.
    assertThat(result.stderr).doesNotContain("WARNING").doesNotContain(" WARN ");
  }

  @Test
  void devKafkaAndProduceRunFromTheDistribution() throws Exception {
    // The broker's jars come from lib/kafka-broker, outside the CLI's lib/* class path.
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    assertThat(distribution.resolve("lib").resolve("kafka-broker")).isDirectory();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path devOut = warehouse.root().resolve("dev-kafka.txt");
    Process dev =
        start(
            devOut,
            Map.of("LAGOA_KAFKA_JAVA_OPTS", "-XX:TieredStopAtLevel=1"),
            "dev",
            "kafka",
            "--port",
            String.valueOf(port),
            "--temporary");
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!Files.readString(devOut).contains("Stop it with Ctrl-C")) {
        assertThat(dev.isAlive()).as(Files.readString(devOut)).isTrue();
        assertThat(System.nanoTime()).as("not running after 2 minutes").isLessThan(deadline);
        Thread.sleep(100);
      }
      warehouse.writeFile("events.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");
      Result produced =
          run(
              Map.of(),
              "produce",
              "events",
              "events.jsonl",
              "--create-topic",
              "--bootstrap-servers",
              "127.0.0.1:" + port,
              "--json");
      assertThat(produced.exitCode).as(produced.stderr).isZero();
      assertThat(produced.stdout).contains("\"records\" : 2");
      // The Kafka client stays quiet.
      assertThat(produced.stderr).doesNotContain(" INFO ").doesNotContain(" WARN ");
      // So does a pipeline reading the topic (Spark warns about the group id Lagoa gives it).
      warehouse.writeFile("kafka-pipeline/pipeline.yaml", "name: kafka-check\n");
      warehouse.writeFile(
          "kafka-pipeline/bronze.sql",
          "CREATE STREAMING TABLE bronze.events AS SELECT * FROM STREAM read_kafka("
              + "bootstrap_servers => '127.0.0.1:"
              + port
              + "', topic => 'events', schema => 'id BIGINT')");
      Result ran =
          run(
              Map.of(),
              "pipeline",
              "run",
              warehouse.root().resolve("kafka-pipeline").toString(),
              "--once");
      assertThat(ran.exitCode).as(ran.stderr).isZero();
      assertThat(ran.stdout + ran.stderr).contains("bronze.events +2");
      assertThat(ran.stderr).doesNotContain(" INFO ").doesNotContain(" WARN ");
    } finally {
      dev.destroy(); // SIGTERM, as kill does
      assertThat(dev.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(Files.readString(devOut)).contains("Kafka stopped.");
  }

  /** Starts the distribution's lagoa without waiting; stdout and stderr go to one file. */
  private Process start(Path output, Map<String, String> extraEnv, String... args)
      throws IOException {
    ProcessBuilder builder =
        PackagedCli.command(warehouse, extraEnv, List.of(), Arrays.asList(args));
    builder.redirectErrorStream(true).redirectOutput(output.toFile());
    return builder.start();
  }

  private Result run(Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    return run(null, extraEnv, args);
  }

  private Result run(Path input, Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    String flags = Files.readString(distribution.resolve("jvm.options")).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(flags.split("\\s+")));
    command.addAll(PackagedCli.fastStartOptions(Arrays.asList(args)));
    command.add("-cp");
    command.add(distribution.resolve("lib") + "/*");
    command.add("io.lagoa.cli.Main");
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(warehouse.root().toFile());
    builder.environment().remove("LAGOA_CONFIG");
    builder.environment().putAll(warehouse.environment(extraEnv));
    Path stdout = warehouse.root().resolve("stdout.txt");
    Path stderr = warehouse.root().resolve("stderr.txt");
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    if (input != null) {
      builder.redirectInput(input.toFile());
    }
    Process process = builder.start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("lagoa did not finish within 3 minutes");
    }
    return new Result(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String stdout, String stderr) {}
}

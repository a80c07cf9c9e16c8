package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lagoa command on an S3 warehouse served by a real S3 API server. */
class TestS3Storage {
  private static TestingS3 s3;
  private static TestingWarehouse local;

  @BeforeAll
  static void start() {
    s3 = TestingS3.start();
    local = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void runsSqlOnAnS3Warehouse() {
    Result result =
        run(
            env("cli", Map.of()),
            "sql",
            "CREATE NAMESPACE IF NOT EXISTS gold; CREATE TABLE gold.totals (id BIGINT) USING"
                + " iceberg; INSERT INTO gold.totals VALUES (1), (2); SELECT count(*) AS n FROM"
                + " gold.totals",
            "--format",
            "csv");
    assertThat(result.exitCode).as(result.err).isZero();
    assertThat(result.out).isEqualTo("n\r\n2\r\n");
    assertThat(s3.objectKeys("cli/gold/totals/"))
        .anyMatch(key -> key.startsWith("cli/gold/totals/data/") && key.endsWith(".parquet"))
        .anyMatch(key -> key.endsWith(".metadata.json"));
    // Nothing lands in the current folder besides the catalog file the configuration names.
    assertThat(local.root().toFile().list()).allMatch(name -> name.startsWith("catalog.db"));
  }

  @Test
  void wrongSecretKeyIsOneClearError() {
    Result result =
        run(
            env("cli", Map.of("LAGOA_STORAGE_S3_SECRET_ACCESS_KEY", "not-the-key")),
            "sql",
            "SELECT 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.out).isEmpty();
    assertThat(result.err)
        .startsWith(
            "error: cannot reach the warehouse s3://lagoa/cli at "
                + s3.endpoint()
                + " (storage.s3.endpoint, from built-in defaults): ")
        .contains("Status Code: 403")
        .contains("Check storage.s3.access-key-id and storage.s3.secret-access-key")
        .doesNotContain("not-the-key")
        .doesNotContain("\tat ");
    assertThat(result.err.strip().lines()).hasSize(1);
  }

  @Test
  void unreachableEndpointIsOneClearError() {
    String closed = "http://127.0.0.1:" + closedPort();
    Result result = run(env("cli", Map.of("LAGOA_STORAGE_S3_ENDPOINT", closed)), "sql", "SELECT 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.err)
        .startsWith("error: cannot reach the warehouse s3://lagoa/cli at " + closed)
        .contains("Connection refused")
        .contains("Check that the server is running and storage.s3.endpoint is right")
        .doesNotContain("\tat ");
  }

  @Test
  void missingBucketIsOneClearError() {
    Result result =
        run(env("cli", Map.of("LAGOA_WAREHOUSE", "s3://no-such-bucket/wh")), "sql", "SELECT 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.err)
        .startsWith("error: cannot reach the warehouse s3://no-such-bucket/wh")
        .contains("Create the bucket, or fix the bucket name in warehouse");
  }

  @Test
  void s3SettingsWithALocalWarehouseAreAConfigurationError() {
    Map<String, String> env = new HashMap<>(local.environment(Map.of()));
    env.put("LAGOA_STORAGE_S3_ENDPOINT", s3.endpoint());
    Result result = run(env, "sql", "SELECT 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.err)
        .startsWith(
            "error: environment variable LAGOA_STORAGE_S3_ENDPOINT: storage.s3.endpoint is set,"
                + " but the warehouse is the local folder ");
  }

  private static Map<String, String> env(String prefix, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(s3.environment(prefix));
    env.put("LAGOA_CATALOG_URI", "jdbc:sqlite:" + local.root().resolve("catalog.db"));
    env.put("LAGOA_SPARK_SHUFFLE_PARTITIONS", "2");
    env.putAll(overrides);
    return env;
  }

  private static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.run(args, env, local.root(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exitCode, out.toString(), err.toString());
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Result(int exitCode, String out, String err) {}
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lagoa command on an S3 warehouse served by a real S3 API server. */
class TestS3Storage {
  private static TestingS3 s3;
  private static TestingWarehouse local;

  /** Pipeline folders: kept out of local, whose contents a test checks. */
  private static TestingWarehouse scratch;

  @BeforeAll
  static void start() {
    s3 = TestingS3.start();
    local = TestingWarehouse.create();
    scratch = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    if (scratch != null) {
      scratch.close();
    }
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
    assertThat(result.out).isEqualTo("n\n2\n");
    assertThat(s3.objectKeys("cli/gold/totals/"))
        .anyMatch(key -> key.startsWith("cli/gold/totals/data/") && key.endsWith(".parquet"))
        .anyMatch(key -> key.endsWith(".metadata.json"));
    // Nothing lands in the current folder besides the catalog file the configuration names.
    assertThat(local.root().toFile().list()).allMatch(name -> name.startsWith("catalog.db"));
  }

  @Test
  void pipelineReadsALandingFolderOnS3() throws IOException {
    Path folder = Files.createTempDirectory(scratch.root(), "landing");
    Files.writeString(folder.resolve("pipeline.yaml"), "name: landing\n");
    Files.writeString(
        folder.resolve("bronze.sql"),
        "CREATE STREAMING TABLE bronze.clicks AS\n"
            + "SELECT * FROM STREAM read_files('s3://lagoa/landing/clicks', format => 'json');\n");
    Files.writeString(
        folder.resolve("wrong.sql"),
        "CREATE STREAMING TABLE bronze.wrong AS\n"
            + "SELECT * FROM STREAM read_files('s3://no-such-bucket/clicks', format => 'json');\n");
    Result wrong =
        run(env("cli", Map.of()), "pipeline", "run", folder.toString(), "--select", "bronze.wrong");
    assertThat(wrong.exitCode).isEqualTo(1);
    assertThat(wrong.err)
        .contains(
            "wrong.sql:2:",
            "s3://no-such-bucket/clicks",
            "the bucket no-such-bucket does not exist",
            "storage.s3.endpoint");
    Files.delete(folder.resolve("wrong.sql"));

    try (FileIO io =
        CatalogUtil.loadFileIO(
            "org.apache.iceberg.aws.s3.S3FileIO",
            Map.of(
                "s3.endpoint",
                s3.endpoint(),
                "s3.path-style-access",
                "true",
                "client.region",
                "us-east-1",
                "s3.access-key-id",
                s3.accessKeyId(),
                "s3.secret-access-key",
                s3.secretAccessKey()),
            new Configuration())) {
      upload(io, "landing/clicks/a.json", "{\"id\": 1}\n{\"id\": 2}\n");
      Result first = run(env("cli", Map.of()), "pipeline", "run", folder.toString());
      assertThat(first.exitCode).as(first.err).isZero();
      upload(io, "landing/clicks/b.json", "{\"id\": 3}\n");
    }
    Result status =
        run(env("cli", Map.of()), "pipeline", "status", folder.toString(), "--format", "csv");
    assertThat(status.exitCode).as(status.err).isZero();
    // one file waits; one was ingested
    assertThat(status.out)
        .contains("bronze.clicks,files:s3://lagoa/landing/clicks,1,")
        .contains(",1 files,");
    Result second = run(env("cli", Map.of()), "pipeline", "run", folder.toString());
    assertThat(second.exitCode).as(second.err).isZero();
    Result rows =
        run(
            env("cli", Map.of()),
            "sql",
            "SELECT id, _source_file.path AS path FROM" + " bronze.clicks ORDER BY id",
            "--format",
            "csv");
    assertThat(rows.out)
        .isEqualTo(
            "id,path\n1,s3://lagoa/landing/clicks/a.json\n"
                + "2,s3://lagoa/landing/clicks/a.json\n3,s3://lagoa/landing/clicks/b.json\n");
  }

  private static void upload(FileIO io, String key, String content) throws IOException {
    try (OutputStream out = io.newOutputFile(s3.location(key)).createOrOverwrite()) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
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

  /** A key passed through catalog.properties is masked like storage.s3.secret-access-key. */
  @Test
  void aSecretKeyInCatalogPropertiesIsNeverPrinted() {
    String secret = "props-wrong-key-s3cr3t";
    String config =
        scratch
            .writeFile(
                "props-secret.yaml",
                "catalog:\n  properties:\n    s3.secret-access-key: " + secret + "\n")
            .toString();

    Result result = run(env("cli", Map.of()), "--verbose", "--config", config, "sql", "SELECT 1");
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.err).contains("Status Code: 403").doesNotContain(secret);

    Result shown = run(env("cli", Map.of()), "--config", config, "config", "--json");
    assertThat(shown.exitCode).as(shown.err).isZero();
    assertThat(shown.out)
        .contains("\"catalog.properties[s3.secret-access-key]\"")
        .doesNotContain(secret);
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
  void localWarehouseReadsALandingFolderWithTheS3Settings() throws IOException {
    // The warehouse is a local folder; the storage.s3 keys are only for the landing bucket.
    Path warehouse = Files.createTempDirectory(scratch.root(), "warehouse");
    Map<String, String> env = new HashMap<>(s3.environment("unused"));
    env.put("LAGOA_WAREHOUSE", warehouse.toString());
    env.put("LAGOA_SPARK_SHUFFLE_PARTITIONS", "2");
    Path folder = Files.createTempDirectory(scratch.root(), "landing");
    Files.writeString(folder.resolve("pipeline.yaml"), "name: local\n");
    Files.writeString(
        folder.resolve("bronze.sql"),
        "CREATE STREAMING TABLE bronze.orders AS\n"
            + "SELECT * FROM STREAM read_files('s3://lagoa/landing/orders', format => 'json');\n");
    // Only an S3 warehouse is probed at start: with the landing store down, local tables work.
    // (Starting also relaxes the SDK's upload checksums for an endpoint, as S3Proxy needs for the
    // uploads below.)
    Map<String, String> storeDown = new HashMap<>(env);
    storeDown.put("LAGOA_STORAGE_S3_ENDPOINT", "http://127.0.0.1:" + closedPort());
    Result started =
        run(
            storeDown,
            "sql",
            "CREATE NAMESPACE IF NOT EXISTS bronze; SELECT 1 AS n",
            "--format",
            "csv");
    assertThat(started.exitCode).as(started.err).isZero();
    assertThat(started.out).isEqualTo("n\n1\n");

    try (FileIO io =
        CatalogUtil.loadFileIO(
            "org.apache.iceberg.aws.s3.S3FileIO",
            Map.of(
                "s3.endpoint",
                s3.endpoint(),
                "s3.path-style-access",
                "true",
                "client.region",
                "us-east-1",
                "s3.access-key-id",
                s3.accessKeyId(),
                "s3.secret-access-key",
                s3.secretAccessKey()),
            new Configuration())) {
      upload(io, "landing/orders/a.json", "{\"id\": 1}\n{\"id\": 2}\n");
      upload(io, "landing/orders/b.json", "{\"id\": 3}\n");
    }

    Result run = run(env, "pipeline", "run", folder.toString());
    assertThat(run.exitCode).as(run.err).isZero();
    Result rows =
        run(
            env,
            "sql",
            "SELECT id, _source_file.path AS path FROM bronze.orders" + " ORDER BY id",
            "--format",
            "csv");
    assertThat(rows.exitCode).as(rows.err).isZero();
    assertThat(rows.out)
        .isEqualTo(
            "id,path\n1,s3://lagoa/landing/orders/a.json\n"
                + "2,s3://lagoa/landing/orders/a.json\n3,s3://lagoa/landing/orders/b.json\n");
    // The table is in the local warehouse; nothing but the landing files is in the bucket.
    try (Stream<Path> files = Files.walk(warehouse.resolve("bronze/orders"))) {
      assertThat(files.map(Path::toString))
          .anyMatch(name -> name.endsWith(".parquet"))
          .anyMatch(name -> name.endsWith(".metadata.json"));
    }
    assertThat(s3.objectKeys(""))
        .allMatch(key -> key.startsWith("landing/") || key.startsWith("cli/"));

    // The keys are what reach the bucket: a wrong secret is the pipeline's store error.
    Map<String, String> wrongSecret = new HashMap<>(env);
    wrongSecret.put("LAGOA_STORAGE_S3_SECRET_ACCESS_KEY", "not-the-key");
    Files.writeString(
        folder.resolve("bronze.sql"),
        "CREATE STREAMING TABLE bronze.more AS\n"
            + "SELECT * FROM STREAM read_files('s3://lagoa/landing/orders', format => 'json');\n");
    Result denied = run(wrongSecret, "pipeline", "run", folder.toString());
    assertThat(denied.exitCode).isEqualTo(1);
    assertThat(denied.err)
        .contains(
            "bronze.sql:2:",
            "s3://lagoa/landing/orders",
            "check storage.s3.access-key-id and storage.s3.secret-access-key")
        .doesNotContain("not-the-key");

    // lagoa config says where the S3 settings came from.
    Result shown = run(env, "config", "--format", "csv");
    assertThat(shown.exitCode).as(shown.err).isZero();
    assertThat(shown.out)
        .contains(
            "storage.s3.endpoint,"
                + s3.endpoint()
                + ",environment variable LAGOA_STORAGE_S3_ENDPOINT");
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

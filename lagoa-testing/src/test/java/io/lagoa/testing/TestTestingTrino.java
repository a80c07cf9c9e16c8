package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lagoa.testing.TestingTrino.QueryResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts real Trino 476 servers. No Lagoa REST server exists in this module, so the catalogs point
 * at a port where nothing listens: Trino's REST catalog connects lazily, so the server starts,
 * plain queries run, and a query on the catalog fails with Trino's own error.
 */
class TestTestingTrino {
  @Test
  void startsWithAnIcebergRestCatalogRunsQueriesAndStops() throws Exception {
    String nowhere = "http://127.0.0.1:" + unusedPort() + "/catalog";
    Path directory;
    long pid;
    String uri;
    try (TestingTrino trino =
        TestingTrino.start(
            Map.of(
                "iceberg.catalog.type", "rest",
                "iceberg.rest-catalog.uri", nowhere,
                "iceberg.rest-catalog.security", "OAUTH2",
                "iceberg.rest-catalog.oauth2.credential", "lagoa-client:lagoa-secret",
                "fs.native-local.enabled", "true",
                "local.location", "/"))) {
      directory = trino.directory();
      pid = trino.pid();
      uri = trino.uri();
      assertThat(trino.version()).isEqualTo("476");
      assertThat(Files.readString(directory.resolve("etc/catalog/lagoa.properties")))
          .contains("connector.name=iceberg", "iceberg.rest-catalog.uri=" + nowhere);
      // the watchdog that ends Trino when this JVM dies
      assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse(""))
          .contains(ChildProcessMain.class.getName(), "io.trino.server.TrinoServer");

      assertThat(trino.query("SELECT 1")).containsExactly(List.of(1));
      assertThat(
              trino.query(
                  "SELECT BIGINT '7', 'a', CAST(NULL AS varchar), DECIMAL '1.50', DATE '2024-01-31',"
                      + " 1e0 / 0, true, ARRAY[1, 2]"))
          .containsExactly(
              Arrays.asList(
                  7L,
                  "a",
                  null,
                  new BigDecimal("1.50"),
                  "2024-01-31",
                  Double.POSITIVE_INFINITY,
                  true,
                  List.of(1, 2)));
      assertThat(trino.query("SELECT x FROM UNNEST(sequence(1, 3000)) AS t(x)")).hasSize(3000);
      assertThat(trino.query("SHOW CATALOGS"))
          .containsExactlyInAnyOrder(List.of("lagoa"), List.of("system"));
      QueryResult columns = trino.execute("SELECT 1 AS one, 'x' AS letter");
      assertThat(columns.columns())
          .extracting(TestingTrino.Column::name, TestingTrino.Column::type)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("one", "integer"),
              org.assertj.core.groups.Tuple.tuple("letter", "varchar(1)"));

      assertThatThrownBy(() -> trino.query("SELEC 1"))
          .isInstanceOfSatisfying(
              TrinoQueryException.class,
              e -> {
                assertThat(e.errorName()).isEqualTo("SYNTAX_ERROR");
                assertThat(e.errorType()).isEqualTo("USER_ERROR");
                assertThat(e.queryId()).isNotBlank();
              })
          .hasMessageContaining("mismatched input 'SELEC'")
          .hasMessageContaining("in: SELEC 1");
      assertThatThrownBy(() -> trino.query("SELECT * FROM lagoa.nowhere.missing"))
          .isInstanceOf(TrinoQueryException.class)
          .satisfies(
              e -> assertThat(((TrinoQueryException) e).errorType()).isNotEqualTo("USER_ERROR"));
      // the server is still fine after failed queries
      assertThat(trino.query("SELECT 2")).containsExactly(List.of(2));
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(directory).doesNotExist();
    HttpRequest info = HttpRequest.newBuilder(URI.create(uri + "/v1/info")).build();
    assertThatThrownBy(
            () -> HttpClient.newHttpClient().send(info, HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void sharedServerTakesCatalogsAtRunTimeAndOutlivesClose() throws IOException {
    TestingTrino trino = TestingTrino.shared();
    assertThat(TestingTrino.shared()).isSameAs(trino);
    trino.close(); // ignored: the shared server stops when the JVM exits
    assertThat(trino.isAlive()).isTrue();

    trino.createCatalog(
        "interop_a",
        Map.of(
            "iceberg.catalog.type", "rest",
            "iceberg.rest-catalog.uri", "http://127.0.0.1:" + unusedPort() + "/catalog",
            "fs.native-local.enabled", "true",
            "local.location", "/"));
    assertThat(trino.query("SHOW CATALOGS")).contains(List.of("interop_a"));
    // What docs/server-trino.md gives for an S3 warehouse and a bearer token: Trino 476 takes it.
    trino.createCatalog(
        "interop_s3",
        Map.of(
            "iceberg.catalog.type", "rest",
            "iceberg.rest-catalog.uri", "http://127.0.0.1:" + unusedPort(),
            "iceberg.rest-catalog.security", "OAUTH2",
            "iceberg.rest-catalog.oauth2.token", "a-token",
            "fs.native-s3.enabled", "true",
            "s3.endpoint", "http://127.0.0.1:9000",
            "s3.region", "us-east-1",
            "s3.path-style-access", "true",
            "s3.aws-access-key", "lagoa-access-key",
            "s3.aws-secret-key", "lagoa-secret-key"));
    trino.dropCatalog("interop_s3");
    assertThatThrownBy(
            () ->
                trino.createCatalog(
                    "interop_bad",
                    Map.of("iceberg.catalog.type", "rest", "iceberg.no-such-property", "1")))
        .isInstanceOf(TrinoQueryException.class)
        .hasMessageContaining("iceberg.no-such-property");
    trino.dropCatalog("interop_a");
    assertThat(trino.query("SHOW CATALOGS")).doesNotContain(List.of("interop_a"));
  }

  @Test
  void findsAJava24OrRefusesAnOlderOneByName() {
    Optional<Path> java = TestingTrino.findJava24();
    assumeTrue(java.isPresent(), "no Java 24+ on this machine");
    assertThat(TrinoDistribution.featureVersion(java.get())).isGreaterThanOrEqualTo(24);

    int own = Runtime.version().feature();
    assumeTrue(own < 24, "the test JVM is itself Java 24+");
    String before = System.getProperty(TrinoDistribution.JAVA_PROPERTY);
    System.setProperty(TrinoDistribution.JAVA_PROPERTY, System.getProperty("java.home"));
    try {
      assertThatThrownBy(TestingTrino::findJava24)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("it is Java " + own)
          .hasMessageContaining("Trino needs Java 24 or later");
    } finally {
      if (before == null) {
        System.clearProperty(TrinoDistribution.JAVA_PROPERTY);
      } else {
        System.setProperty(TrinoDistribution.JAVA_PROPERTY, before);
      }
    }
  }

  @Test
  void unpacksTheServerAndTheIcebergPluginWithItsHardLinks(@TempDir Path folder)
      throws IOException, InterruptedException {
    // A small tarball shaped like Trino's: PAX long names, plugin jars hard-linked to lib/ and to
    // an earlier plugin, written by the system's tar (GNU tar on Linux).
    Path server = folder.resolve("trino-server-1");
    Files.createDirectories(server.resolve("lib"));
    Files.createDirectories(server.resolve("plugin/delta-lake"));
    Files.createDirectories(server.resolve("plugin/iceberg/hdfs"));
    Files.createDirectories(server.resolve("bin"));
    Files.writeString(server.resolve("lib/core.jar"), "core");
    Files.writeString(server.resolve("bin/launcher"), "launcher");
    String longName = "com.faster...on.module_" + "x".repeat(120) + ".jar";
    Files.writeString(server.resolve("plugin/delta-lake/" + longName), "shared by plugins");
    Files.createLink(
        server.resolve("plugin/iceberg/hdfs/" + longName),
        server.resolve("plugin/delta-lake/" + longName));
    Files.createLink(server.resolve("plugin/iceberg/core.jar"), server.resolve("lib/core.jar"));
    Files.writeString(server.resolve("plugin/iceberg/iceberg.jar"), "iceberg");
    Path tarball = folder.resolve("trino-server-1.tar.gz");
    Process tar =
        new ProcessBuilder(
                "tar",
                "--format=pax",
                "-czf",
                tarball.toString(),
                "-C",
                folder.toString(),
                "trino-server-1")
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "no GNU tar: " + output);

    Path target = folder.resolve("unpacked");
    TrinoDistribution.unpack(tarball, target);

    try (Stream<Path> files = Files.walk(target)) {
      assertThat(files.filter(Files::isRegularFile).map(f -> target.relativize(f).toString()))
          .containsExactlyInAnyOrder(
              "lib/core.jar",
              "plugin/iceberg/core.jar",
              "plugin/iceberg/iceberg.jar",
              "plugin/iceberg/hdfs/" + longName);
    }
    assertThat(target.resolve("plugin/iceberg/hdfs/" + longName)).hasContent("shared by plugins");
    assertThat(target.resolve("plugin/iceberg/core.jar")).hasContent("core");
    assertThat(target.resolve("plugin/delta-lake")).doesNotExist();
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

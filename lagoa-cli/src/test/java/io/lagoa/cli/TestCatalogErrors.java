package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bad or unreachable catalog is one clear {@code error:} line with exit code 2, naming what to
 * fix and where it was set, and never showing the password.
 */
class TestCatalogErrors {
  private static final String DATABASE = "lagoa_cli";
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
    postgres.createDatabase(DATABASE);
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void unreachablePostgresNamesTheUriAndWhereItWasSet() throws IOException {
    String uri = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/lagoa";
    Map<String, String> env = postgresEnv(uri, postgres.password());

    Run run = lagoa(env, "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .contains("cannot connect to the postgres catalog at " + uri)
        .contains("environment variable LAGOA_CATALOG_URI")
        .contains("refused");
    assertThat(run.all()).doesNotContain(postgres.password());
  }

  @Test
  @Timeout(60) // without the timeouts the driver would wait for an answer forever
  void aServerThatNeverAnswersFailsWithinTheConnectTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // accept, then say nothing
                  }
                } catch (IOException e) {
                  // closed at the end of the test
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      Map<String, String> env =
          postgresEnv("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/lagoa", "pw");
      env.put("LAGOA_CATALOG_CONNECT_TIMEOUT_SECONDS", "2");

      long started = System.nanoTime();
      Run run = lagoa(env, "sql", "select 1");
      long seconds = (System.nanoTime() - started) / 1_000_000_000;

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.errorLine())
          .contains("cannot connect to the postgres catalog")
          .contains("catalog.connect-timeout-seconds");
      assertThat(seconds).isLessThan(10);
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void wrongPasswordNamesUserAndPasswordSettingsButNotThePassword() {
    String wrong = "wrong-" + postgres.password();
    Run run = lagoa(postgresEnv(postgres.jdbcUrl(DATABASE), wrong), "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .contains("password authentication failed for user \"" + postgres.user() + "\"")
        .contains(
            "catalog.user (" + postgres.user() + ", from environment variable LAGOA_CATALOG_USER)")
        .contains("catalog.password (from environment variable LAGOA_CATALOG_PASSWORD)");
    assertThat(run.all()).doesNotContain(wrong).doesNotContain(postgres.password());
  }

  @Test
  void wrongPasswordFromAPasswordFileNamesTheFileKey() {
    warehouse.writeFile("secrets/catalog-password", "wrong-" + postgres.password() + "\n");
    warehouse.writeFile(
        "password-file.yaml",
        "catalog:\n"
            + "  type: postgres\n"
            + "  uri: "
            + postgres.jdbcUrl(DATABASE)
            + "\n"
            + "  user: "
            + postgres.user()
            + "\n"
            + "  password-file: secrets/catalog-password\n");

    Run run = lagoa(Map.of(), "--config", "password-file.yaml", "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .contains("catalog.uri, from password-file.yaml:3:8")
        .contains("catalog.password (from catalog.password-file at password-file.yaml:5:18)");
    assertThat(run.all()).doesNotContain(postgres.password());
  }

  @Test
  void aMissingDatabaseSaysToCreateIt() {
    Run run =
        lagoa(postgresEnv(postgres.jdbcUrl("no_such_db"), postgres.password()), "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .contains("database \"no_such_db\" does not exist")
        .contains("CREATE DATABASE");
  }

  @Test
  void postgresWithoutUriFromTheEnvironmentSaysHowToSetIt() {
    Run run = lagoa(Map.of("LAGOA_CATALOG_TYPE", "postgres"), "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .startsWith("error: environment variable LAGOA_CATALOG_TYPE: catalog.type is postgres,")
        .contains("catalog.uri must be set")
        .contains("LAGOA_CATALOG_URI")
        .contains("jdbc:postgresql://");
  }

  @Test
  void postgresWithoutUriInTheFileNamesTheLine() {
    warehouse.writeFile("no-uri.yaml", "catalog:\n  type: postgres\n  user: lagoa\n");

    Run run = lagoa(Map.of(), "--config", "no-uri.yaml", "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine())
        .startsWith("error: no-uri.yaml:2:9: catalog.type is postgres, so catalog.uri must be set");
  }

  @Test
  void aPasswordWrittenIntoTheUriIsMasked() throws IOException {
    String secret = "uri-secret-" + postgres.password();
    String uri = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/lagoa?password=" + secret;
    Map<String, String> env = new HashMap<>();
    env.put("LAGOA_CATALOG_TYPE", "postgres");
    env.put("LAGOA_CATALOG_URI", uri);

    Run run = lagoa(env, "--verbose", "sql", "select 1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("/lagoa?password=******");
    assertThat(run.all()).doesNotContain(secret);
  }

  /**
   * A working PostgreSQL catalog: queries run, and neither results, SET output, errors nor stack
   * traces show the password.
   */
  @Test
  void thePasswordNeverAppearsInAnyOutput() {
    Map<String, String> env = postgresEnv(postgres.jdbcUrl(DATABASE), postgres.password());
    List<Run> runs = new ArrayList<>();

    Run query = lagoa(env, "sql", "select 1 AS one");
    assertThat(query.exitCode()).as(query.err()).isEqualTo(0);
    assertThat(query.out()).contains("one");
    runs.add(query);
    runs.add(lagoa(env, "sql", "SET"));
    runs.add(lagoa(env, "sql", "SET -v"));
    runs.add(lagoa(env, "--verbose", "sql", "select * from nowhere.missing"));
    Map<String, String> wrong = postgresEnv(postgres.jdbcUrl(DATABASE), postgres.password() + "x");
    runs.add(lagoa(wrong, "--verbose", "sql", "select 1"));

    assertThat(runs.get(1).out()).contains("spark.sql.catalog.lagoa.uri");
    for (Run run : runs) {
      assertThat(run.all()).doesNotContain(postgres.password());
    }
  }

  // ---- helpers ----

  private static Map<String, String> postgresEnv(String uri, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("LAGOA_CATALOG_TYPE", "postgres");
    env.put("LAGOA_CATALOG_URI", uri);
    env.put("LAGOA_CATALOG_USER", postgres.user());
    env.put("LAGOA_CATALOG_PASSWORD", password);
    return env;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static Run lagoa(Map<String, String> extraEnv, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.run(
            args,
            warehouse.environment(extraEnv),
            warehouse.root(),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Run(exitCode, out.toString(), err.toString());
  }

  private record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }

    /** The one line that says what is wrong; fails if there is not exactly one. */
    String errorLine() {
      List<String> lines = err.lines().filter(line -> line.startsWith("error:")).toList();
      assertThat(lines).as("error lines in: %s", err).hasSize(1);
      assertThat(err.lines().count()).as("stderr: %s", err).isEqualTo(1);
      return lines.get(0);
    }
  }
}

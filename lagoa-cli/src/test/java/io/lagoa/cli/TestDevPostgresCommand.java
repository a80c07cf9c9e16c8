package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.postgres.PostgresServer;
import io.lagoa.postgres.ServerUser;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa dev postgres} run in-process on a thread (interrupting the thread is how a test
 * stops it, like Ctrl-C does for a person), reached over JDBC and by {@code --sql}.
 */
class TestDevPostgresCommand {
  private static TestingWarehouse warehouse;
  private static Path folders;

  @BeforeAll
  static void create() throws IOException {
    warehouse = TestingWarehouse.create();
    // a folder the server can reach when it runs as nobody (tests may run as root)
    folders =
        Files.createTempDirectory(
            PostgresServer.defaultRoot(ServerUser.detect()),
            "test-dev-postgres-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  @AfterAll
  static void delete() {
    warehouse.close();
    PostgresServer.deleteRecursively(folders);
  }

  /** A running {@code lagoa dev postgres}. */
  private static final class Running {
    final Thread thread;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exitCode = new AtomicInteger(-1);

    Running(String... args) {
      thread =
          new Thread(
              () ->
                  exitCode.set(
                      Main.run(
                          args,
                          warehouse.environment(java.util.Map.of()),
                          warehouse.root(),
                          new PrintWriter(out, true),
                          new PrintWriter(err, true))),
              "dev-postgres");
      thread.start();
    }

    Running awaitRunning() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!out.toString().contains("Stop it with Ctrl-C")) {
        assertThat(thread.isAlive()).as("stopped early:\n%s\n%s", out, err).isTrue();
        assertThat(System.nanoTime()).as("not running after 90 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      return this;
    }

    String printed(String label) {
      Matcher matcher =
          Pattern.compile("(?m)^  " + Pattern.quote(label) + ":\\s+(\\S+)").matcher(out.toString());
      assertThat(matcher.find()).as("no %s in:\n%s", label, out).isTrue();
      return matcher.group(1);
    }

    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(60_000);
      assertThat(thread.isAlive()).isFalse();
      return exitCode.get();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Connection connect(String url, String password) throws SQLException {
    return DriverManager.getConnection(url, "lagoa", password);
  }

  private static String single(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      assertThat(result.next()).isTrue();
      return result.getString(1);
    }
  }

  @Test
  void servesLogicalDecodingRunsInitOnceAndKeepsTheClusterAcrossRestarts() throws Exception {
    int port = freePort();
    Path data = folders.resolve("shop");
    Path init =
        warehouse.writeFile(
            "init.sql",
            "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT);\n"
                + "INSERT INTO customers VALUES (1, 'Ana'), (2, 'Rui');\n");
    Path more = warehouse.writeFile("more.sql", "INSERT INTO customers VALUES (3, 'Eva');\n");
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/shop";

    Running first =
        new Running(
                "dev",
                "postgres",
                "--port",
                String.valueOf(port),
                "--data",
                data.toString(),
                "--database",
                "shop",
                "--init",
                init.toString())
            .awaitRunning();
    String password = first.printed("password");
    assertThat(first.out.toString())
        .contains("is running on 127.0.0.1:" + port)
        .contains("JDBC URL: " + url)
        .contains("kept across restarts")
        .contains("Ran " + init)
        .contains("read_postgres_cdc(url => '" + url + "', user => 'lagoa', password => '");
    assertThat(Files.readString(data.resolve("password")).strip()).isEqualTo(password);
    try (Connection connection = connect(url, password)) {
      assertThat(single(connection, "SHOW wal_level")).isEqualTo("logical");
      assertThat(Integer.parseInt(single(connection, "SHOW max_replication_slots"))).isPositive();
      assertThat(single(connection, "SELECT rolreplication FROM pg_roles WHERE rolname = 'lagoa'"))
          .isEqualTo("t");
      assertThat(single(connection, "SELECT count(*) FROM customers")).isEqualTo("2");
    }

    // --sql runs a file against the running server, found through the data folder
    CliRunner.Result sql =
        new CliRunner(warehouse)
            .run(
                "dev",
                "postgres",
                "--sql",
                more.toString(),
                "--data",
                data.toString(),
                "--database",
                "shop");
    assertThat(sql.exitCode()).as(sql.toString()).isZero();
    assertThat(sql.out()).contains("Ran " + more + " in database shop on 127.0.0.1:" + port);
    assertThat(first.stop()).isZero();
    assertThat(first.out.toString()).contains("PostgreSQL stopped.");

    // Same folder: the rows and the stored password are still there, --init does not run again.
    Running second =
        new Running(
                "dev",
                "postgres",
                "--port",
                String.valueOf(port),
                "--data",
                data.toString(),
                "--database",
                "shop",
                "--init",
                init.toString())
            .awaitRunning();
    try {
      assertThat(second.printed("password")).isEqualTo(password);
      assertThat(second.out.toString()).contains("Not running " + init);
      try (Connection connection = connect(url, password)) {
        assertThat(single(connection, "SELECT count(*) FROM customers")).isEqualTo("3");
      }
    } finally {
      assertThat(second.stop()).isZero();
    }

    CliRunner.Result otherPassword =
        new CliRunner(warehouse)
            .run(
                "dev",
                "postgres",
                "--port",
                String.valueOf(port),
                "--data",
                data.toString(),
                "--password",
                "not-the-one");
    assertThat(otherPassword.exitCode()).as(otherPassword.toString()).isEqualTo(2);
    assertThat(otherPassword.err()).contains("was created with another password");
  }

  @Test
  void aTemporaryFolderIsDeletedOnStop() throws Exception {
    Running running =
        new Running("dev", "postgres", "--temporary", "--port", String.valueOf(freePort()))
            .awaitRunning();
    Path folder = Path.of(running.printed("data"));
    assertThat(folder.resolve("data").resolve("PG_VERSION")).exists();
    try (Connection connection =
        connect(running.printed("JDBC URL"), running.printed("password"))) {
      assertThat(single(connection, "SHOW wal_level")).isEqualTo("logical");
      assertThat(single(connection, "SELECT current_database()")).isEqualTo("lagoa");
    }
    assertThat(running.stop()).isZero();
    assertThat(folder).doesNotExist();
  }

  @Test
  void aTakenPortIsAClearError() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRunner.Result result =
          new CliRunner(warehouse)
              .run(
                  "dev", "postgres", "--temporary", "--port", String.valueOf(taken.getLocalPort()));
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
      assertThat(result.err())
          .contains("cannot start PostgreSQL on 127.0.0.1:" + taken.getLocalPort())
          .contains("the port is in use");
    }
  }

  @Test
  void sqlWithoutARunningServerSaysSo() throws IOException {
    Path file = warehouse.writeFile("nothing.sql", "SELECT 1;\n");
    CliRunner.Result result =
        new CliRunner(warehouse)
            .run(
                "dev",
                "postgres",
                "--sql",
                file.toString(),
                "--port",
                String.valueOf(freePort()),
                "--password",
                "x");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .contains("cannot reach PostgreSQL at 127.0.0.1:")
        .contains("lagoa dev postgres");
  }
}

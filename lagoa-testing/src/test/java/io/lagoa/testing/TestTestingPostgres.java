package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestTestingPostgres {
  private static TestingPostgres postgres;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @Test
  void servesNewDatabasesOnLoopbackWithPasswordLogin() throws SQLException {
    postgres.createDatabase("contract");
    try (Connection connection = postgres.connect("contract");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT current_database(), current_user, inet_server_addr()::text,"
                    + " inet_server_port()")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getString(1)).isEqualTo("contract");
      assertThat(result.getString(2)).isEqualTo(postgres.user());
      assertThat(result.getString(3)).startsWith("127.0.0.1");
      assertThat(result.getInt(4)).isEqualTo(postgres.port());
    }
    assertThat(postgres.jdbcUrl("contract"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/contract");
  }

  @Test
  void rejectsAWrongPassword() {
    Properties properties = new Properties();
    properties.setProperty("user", postgres.user());
    properties.setProperty("password", "not-" + postgres.password());
    assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl("postgres"), properties))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void neverRunsTheServerAsRoot() {
    String serverUser = ProcessHandle.of(postgres.pid()).orElseThrow().info().user().orElseThrow();
    assertThat(serverUser).isNotEqualTo("root");
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(serverUser).isEqualTo("nobody");
    }
  }

  @Test
  void closeStopsTheServerAndDeletesItsFiles() {
    TestingPostgres second = TestingPostgres.start();
    long pid = second.pid();
    assertThat(second.port()).isNotEqualTo(postgres.port());
    assertThat(Files.isDirectory(second.directory())).isTrue();

    second.close();

    assertThat(second.isRunning()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    assertThat(second.directory()).doesNotExist();
    assertThatThrownBy(() -> second.connect("postgres")).isInstanceOf(SQLException.class);
    second.close(); // closing twice is harmless
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What reaches stderr besides Lagoa's own lines: every log event that passes the shipped
 * log4j2.properties (the tests have no log4j configuration of their own) is captured, and must not
 * happen for ordinary commands.
 */
class TestQuietStderr {
  private static final Path VENDAS =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples/vendas")
          .normalize();

  private static TestingWarehouse warehouse;
  private static final StringWriter LOGGED = new StringWriter();
  private static WriterAppender appender;

  @BeforeAll
  static void capture() {
    warehouse = TestingWarehouse.create();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    appender =
        WriterAppender.newBuilder()
            .setName("captured")
            .setTarget(LOGGED)
            .setLayout(PatternLayout.newBuilder().withPattern("%level %c: %msg%n%ex").build())
            .build();
    appender.start();
    context.getConfiguration().getRootLogger().addAppender(appender, null, null);
    context.updateLoggers();
  }

  @BeforeEach
  void forget() {
    LOGGED.getBuffer().setLength(0);
  }

  @AfterAll
  static void release() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().removeAppender("captured");
    context.updateLoggers();
    appender.stop();
    warehouse.close();
  }

  @Test
  void sqlAndAPipelineRunPrintOnlyTheirOwnLines() {
    CliRunner lagoa = new CliRunner(warehouse);
    CliRunner.Result select = lagoa.run("sql", "select 1");
    assertThat(select.exitCode()).as(select.toString()).isZero();
    assertThat(select.err()).matches("\\(\\d+\\.\\d s\\)\\R");

    // Spark warns with a stack trace that Hive's settings are not there to list.
    CliRunner.Result settings = lagoa.run("sql", "SET -v", "--format", "csv");
    assertThat(settings.exitCode()).as(settings.toString()).isZero();
    assertThat(settings.out()).contains("spark.sql.ansi.enabled");
    assertThat(settings.err()).matches("\\(\\d+\\.\\d s\\)\\R");

    CliRunner.Result run = lagoa.run("pipeline", "run", VENDAS.toString(), "--format", "csv");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<String> lines = run.err().lines().toList();
    assertThat(lines)
        .allSatisfy(
            line ->
                assertThat(line)
                    .matches(
                        "\\[\\d/4] \\S+: create materialized view\\.\\.\\."
                            + "|      \\S+: succeeded, .*\\(\\d+\\.\\d s\\)"
                            + "|pipeline vendas succeeded in .*"));
    assertThat(lines).hasSize(9);

    assertThat(LOGGED.toString()).isEmpty();
  }

  @Test
  void aStatementFailingInATaskIsOneError() {
    CliRunner.Result failed =
        new CliRunner(warehouse).run("sql", "SELECT assert_true(id < 3) FROM range(5)");
    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
    assertThat(failed.err())
        .startsWith("error: ")
        .contains("[USER_RAISED_EXCEPTION] '(id < 3)' is not true!")
        .doesNotContain("\tat ");
    // Spark's executor logs the task's exception with its stack trace, and the scheduler that it
    // aborts the job; both only repeat the error above.
    assertThat(LOGGED.toString()).isEmpty();
  }

  @Test
  void aBadPostgresUrlIsOneErrorLine() {
    CliRunner lagoa =
        new CliRunner(
            warehouse,
            Map.of(
                "LAGOA_CATALOG_TYPE", "postgres",
                "LAGOA_CATALOG_URI", "jdbc:postgresql://127.0.0.1:99999/lagoa"));
    CliRunner.Result tables = lagoa.run("tables");
    assertThat(tables.exitCode()).as(tables.toString()).isEqualTo(2);
    assertThat(tables.err().lines())
        .singleElement()
        .asString()
        .startsWith(
            "error: cannot connect to the postgres catalog at jdbc:postgresql://127.0.0.1:99999");
    // The driver's own "WARNING: JDBC URL port: 99999 not valid" went through log4j (where the
    // shipped configuration drops it), not straight to stderr through java.util.logging.
    assertThat(java.util.logging.Logger.getLogger("").getHandlers())
        .noneMatch(handler -> handler instanceof ConsoleHandler);
    assertThat(LOGGED.toString()).isEmpty();
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exit-code rule, over several commands: 2 when the input (arguments, configuration, a
 * pipeline's files) is rejected before anything runs, 1 when the work itself fails.
 */
class TestExitCodes {
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
    warehouse.writeFile("bad-config.yaml", "warehouse: ./w\ncatalgo:\n  type: sqlite\n");
    warehouse.writeFile(
        "libraries/pipeline.yaml", "name: x\nlibraries:\n  - glob: {include: '*.sql'}\n");
    warehouse.writeFile("libraries/a.sql", "CREATE MATERIALIZED VIEW s.a AS SELECT 1 AS x");
    warehouse.writeFile("syntax/pipeline.yaml", "name: syntax\n");
    warehouse.writeFile("syntax/a.sql", "CREATE MATERIALIZED VIEW s.a AS SELEC 1");
    warehouse.writeFile("unknown-input/pipeline.yaml", "name: unknown\n");
    warehouse.writeFile(
        "unknown-input/a.sql", "CREATE MATERIALIZED VIEW s.a AS SELECT * FROM nowhere.t");
    warehouse.writeFile("failing/pipeline.yaml", "name: failing\n");
    warehouse.writeFile(
        "failing/a.sql",
        "CREATE MATERIALIZED VIEW exit_codes.a (\n"
            + "  CONSTRAINT never EXPECT (x > 1) ON VIOLATION FAIL UPDATE\n"
            + ") AS SELECT 1 AS x");
    warehouse.writeFile("kafka-down/pipeline.yaml", "name: kafka_down\n");
    warehouse.writeFile(
        "kafka-down/a.sql",
        "CREATE STREAMING TABLE exit_codes.k AS SELECT * FROM STREAM read_kafka(\n"
            + "  bootstrap_servers => '127.0.0.1:1', topic => 't', schema => 'id BIGINT')");
    warehouse.writeFile("comments.sql", "-- nothing yet\n");
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // 2: bad arguments
        exit(2, "no statement", List.of("sql")),
        exit(2, "unknown format", List.of("sql", "select 1", "--format", "xml")),
        exit(2, "unknown option", List.of("tables", "--fromat", "csv")),
        exit(2, "missing SQL file", List.of("sql", "-f", "missing.sql")),
        exit(2, "only comments", List.of("sql", "-f", "comments.sql")),
        exit(2, "not a pipeline folder", List.of("pipeline", "validate", "missing")),
        // 2: bad configuration
        exit(2, "unknown lagoa.yaml key", List.of("--config", "bad-config.yaml", "tables")),
        exit(
            2,
            "bad environment variable",
            List.of("tables"),
            Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "many")),
        // 2: a pipeline that does not validate, whatever the command
        exit(2, "unknown pipeline.yaml key", List.of("pipeline", "validate", "libraries")),
        exit(2, "unknown pipeline.yaml key, run", List.of("pipeline", "run", "libraries")),
        exit(2, "pipeline syntax error", List.of("pipeline", "validate", "syntax")),
        exit(2, "pipeline reads an unknown table", List.of("pipeline", "run", "unknown-input")),
        exit(
            2,
            "--select names no table",
            List.of("pipeline", "run", "failing", "--select", "nope")),
        // 2: a Kafka that does not answer before the run wrote anything, as in produce
        exit(2, "pipeline's Kafka unreachable", List.of("pipeline", "run", "kafka-down")),
        // 1: the work failed
        exit(1, "unknown table in SQL", List.of("sql", "SELECT * FROM nowhere.t")),
        exit(1, "SQL syntax error", List.of("sql", "SELEC 1")),
        exit(1, "SQL fails while running", List.of("sql", "SELECT assert_true(1 > 2)")),
        exit(1, "unknown table", List.of("table", "show", "nowhere.t")),
        exit(1, "pipeline run fails", List.of("pipeline", "run", "failing")));
  }

  private static Arguments exit(int code, String name, List<String> args) {
    return exit(code, name, args, Map.of());
  }

  private static Arguments exit(int code, String name, List<String> args, Map<String, String> env) {
    return Arguments.of(name, code, args, env);
  }

  @ParameterizedTest(name = "{0}: exit {1}")
  @MethodSource("cases")
  void exitsWithTheCodeOfTheRule(
      String name, int expected, List<String> args, Map<String, String> env) {
    CliRunner.Result result = new CliRunner(warehouse, env).run(args.toArray(String[]::new));
    assertThat(result.exitCode()).as(name + ": " + args + "\n" + result).isEqualTo(expected);
    assertThat(result.err()).as(name).containsPattern("(?m)^error: ");
  }
}

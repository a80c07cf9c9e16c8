package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A command that only groups subcommands, run without one, prints its usage and exits 0. */
class TestCommandGroups {
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  static List<List<String>> groups() {
    return List.of(
        List.of("admin"),
        List.of("admin", "principal"),
        List.of("admin", "role"),
        List.of("table"),
        List.of("identity"),
        List.of("dev"),
        List.of("backup"),
        List.of("bench"),
        List.of("pipeline"));
  }

  @ParameterizedTest(name = "lagoa {0}")
  @MethodSource("groups")
  void printsItsUsage(List<String> group) {
    CliRunner.Result result = new CliRunner(warehouse).run(group.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .startsWith("Usage: lagoa " + String.join(" ", group) + " ")
        .contains("Commands:");
    assertThat(result.err()).isEmpty();
  }
}

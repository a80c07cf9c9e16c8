package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration mistakes, made the way users make them, through the CLI: each prints one {@code
 * error:} line naming the file, line and column (or the variable), exits 2, and creates nothing. No
 * test here gets as far as starting Spark.
 */
class TestConfigErrors {
  private TestingWarehouse warehouse;

  @BeforeEach
  void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterEach
  void delete() {
    warehouse.close();
  }

  /** Runs a command that needs the configuration, with a lagoa.yaml (null for none) and env. */
  private String failure(String yaml, Map<String, String> env, String... args) {
    if (yaml != null) {
      warehouse.writeFile("lagoa.yaml", yaml);
    }
    List<String> before = files();
    String[] command = args.length == 0 ? new String[] {"sql", "SELECT 1"} : args;
    CliRunner.Result result = new CliRunner(warehouse, env).run(command);
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines()).as(result.toString()).hasSize(1);
    assertThat(result.err()).startsWith("error: ");
    // Nothing was created: no warehouse, no catalog, no Spark folders.
    assertThat(warehouse.warehouse()).doesNotExist();
    assertThat(files()).isEqualTo(before);
    // lagoa config reports the same error the same way.
    if (args.length == 0) {
      CliRunner.Result config = new CliRunner(warehouse, env).run("config");
      assertThat(config.exitCode()).isEqualTo(2);
      assertThat(config.err()).isEqualTo(result.err());
    }
    return result.err().strip();
  }

  private List<String> files() {
    try (Stream<Path> paths = Files.walk(warehouse.root())) {
      return paths.map(path -> warehouse.root().relativize(path).toString()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void unknownKeySuggestsTheRightOne() {
    assertThat(failure("warehouse: data\ncatalog:\n  tpye: sqlite\n", Map.of()))
        .isEqualTo(
            "error: lagoa.yaml:3:3: unknown key 'catalog.tpye' (did you mean 'catalog.type'?)");
  }

  @Test
  void wrongType() {
    assertThat(failure("spark:\n  shuffle-partitions: many\n", Map.of()))
        .isEqualTo(
            "error: lagoa.yaml:2:23: spark.shuffle-partitions: expected a positive integer or"
                + " 'auto' but got 'many'");
  }

  @Test
  void invalidYaml() {
    assertThat(failure("spark:\n  master: local\n  conf: {a: 1\n", Map.of()))
        .matches("error: lagoa\\.yaml:\\d+:\\d+: invalid YAML: .+");
  }

  @Test
  void duplicateKey() {
    assertThat(failure("spark:\n  master: local[1]\n  master: local[2]\n", Map.of()))
        .isEqualTo(
            "error: lagoa.yaml:3:3: duplicate key 'spark.master' (first set at lagoa.yaml:2:3);"
                + " keep one of them");
  }

  @Test
  void missingConfigOption() {
    assertThat(failure(null, Map.of(), "--config", "conf/nope.yaml", "sql", "SELECT 1"))
        .startsWith(
            "error: --config: config file not found: "
                + warehouse.root().resolve("conf/nope.yaml"));
    assertThat(failure(null, Map.of(), "config", "--config", "nope.yaml"))
        .startsWith("error: --config: config file not found: ");
  }

  @Test
  void lagoaConfigPointingNowhere() {
    assertThat(failure(null, Map.of("LAGOA_CONFIG", "/nowhere/lagoa.yaml")))
        .startsWith("error: LAGOA_CONFIG: config file not found: /nowhere/lagoa.yaml");
  }

  @Test
  void badEnvironmentOverride() {
    assertThat(
            failure(
                "spark:\n  shuffle-partitions: 4\n",
                Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "lots")))
        .isEqualTo(
            "error: environment variable LAGOA_SPARK_SHUFFLE_PARTITIONS: spark.shuffle-partitions:"
                + " expected a positive integer or 'auto' but got 'lots'");
  }

  @Test
  void unsetEnvironmentReference() {
    assertThat(
            failure(
                "catalog:\n  type: postgres\n  uri: jdbc:postgresql://localhost/lagoa\n"
                    + "  password: ${env:LAGOA_TEST_UNSET_PASSWORD}\n",
                Map.of()))
        .startsWith(
            "error: lagoa.yaml:4:13: environment variable LAGOA_TEST_UNSET_PASSWORD is not set");
  }

  @Test
  void passwordAndPasswordFileBothSet() {
    warehouse.writeFile("pg-password", "secret");
    assertThat(
            failure(
                "catalog:\n  type: postgres\n  uri: jdbc:postgresql://localhost/lagoa\n"
                    + "  password: inline\n  password-file: pg-password\n",
                Map.of()))
        .isEqualTo(
            "error: lagoa.yaml:5:18: set either catalog.password (set at lagoa.yaml:4:13) or"
                + " catalog.password-file, not both");
  }

  @Test
  void unreadablePasswordFile() {
    String yaml =
        "catalog:\n  type: postgres\n  uri: jdbc:postgresql://localhost/lagoa\n"
            + "  password-file: secrets/pg\n";
    assertThat(failure(yaml, Map.of()))
        .isEqualTo(
            "error: lagoa.yaml:4:18: cannot read catalog.password-file: "
                + warehouse.root().resolve("secrets/pg")
                + " does not exist");
    // A folder where the file should be, named through the environment this time.
    warehouse.writeFile("secrets/pg/inside", "x");
    assertThat(
            failure(
                "catalog:\n  type: postgres\n  uri: jdbc:postgresql://localhost/lagoa\n",
                Map.of("LAGOA_CATALOG_PASSWORD_FILE", "secrets/pg")))
        .isEqualTo(
            "error: environment variable LAGOA_CATALOG_PASSWORD_FILE: cannot read"
                + " catalog.password-file: "
                + warehouse.root().resolve("secrets/pg")
                + " is a folder, not a file");
  }

  @Test
  void emptyWarehouse() {
    assertThat(failure(null, Map.of("LAGOA_WAREHOUSE", "")))
        .startsWith("error: environment variable LAGOA_WAREHOUSE: warehouse is empty;");
    // From the file (the test environment's LAGOA_WAREHOUSE would override it: run without).
    warehouse.writeFile("lagoa.yaml", "warehouse: \"\"\n");
    CliRunner.Result result = runWithout("LAGOA_WAREHOUSE", "sql", "SELECT 1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "error: lagoa.yaml:1:12: warehouse is empty; name a folder (relative to this file) or"
                + " s3://bucket/prefix, or leave the key out for the default,"
                + " ./lagoa-warehouse\n");
    assertThat(runWithout("LAGOA_WAREHOUSE", "config").err()).isEqualTo(result.err());
  }

  @Test
  void warehouseUnderARegularFile() {
    warehouse.writeFile("data", "a file, not a folder");
    warehouse.writeFile("lagoa.yaml", "warehouse: data/lake\n");
    Path data = warehouse.root().resolve("data");
    String expected =
        "error: lagoa.yaml:1:12: cannot use "
            + data.resolve("lake")
            + " as the warehouse: "
            + data
            + " is a file, not a folder; set warehouse to a folder you can write, or fix the"
            + " permissions\n";
    for (String[] command : List.of(new String[] {"sql", "SELECT 1"}, new String[] {"tables"})) {
      CliRunner.Result result = runWithout("LAGOA_WAREHOUSE", command);
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
      assertThat(result.out()).isEmpty();
      assertThat(result.err()).isEqualTo(expected);
    }
    // Through the environment, the variable is named.
    CliRunner.Result result =
        new CliRunner(warehouse, Map.of("LAGOA_WAREHOUSE", data.resolve("lake").toString()))
            .run("sql", "SELECT 1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .startsWith(
            "error: environment variable LAGOA_WAREHOUSE: cannot use " + data.resolve("lake"))
        .contains(data + " is a file, not a folder");
  }

  /** Runs with the test environment minus one variable (which CliRunner can only override). */
  private CliRunner.Result runWithout(String variable, String... args) {
    Map<String, String> env = new HashMap<>(warehouse.environment(Map.of()));
    env.remove(variable);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.run(
            args, env, warehouse.root(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRunner.Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void secretsNeverAppearInErrors() {
    String error =
        failure(
            "catalog:\n  type: postgres\n  uri: jdbc:mysql://localhost/lagoa\n"
                + "  password: hunter2-very-secret\n",
            Map.of());
    assertThat(error)
        .startsWith(
            "error: lagoa.yaml:3:8: a postgres catalog.uri must start with jdbc:postgresql:")
        .doesNotContain("hunter2");
  }
}

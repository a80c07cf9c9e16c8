package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code lagoa pipeline run} with the lineage.* settings: the CLI wiring of OpenLineage. */
class TestPipelineLineage {
  private static final Path USERS =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples/users")
          .normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static CliRunner.Result lagoa(Map<String, String> env, String... args) {
    return new CliRunner(warehouse, env).run(args);
  }

  private static List<JsonNode> events(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  @Test
  void theUsersExampleSendsItsLineage() throws IOException {
    Path file = warehouse.root().resolve("lineage/events.jsonl");
    Map<String, String> env =
        Map.of(
            "LAGOA_LINEAGE_TRANSPORT",
            "file",
            "LAGOA_LINEAGE_FILE",
            "lineage/events.jsonl"); // relative to the current folder

    CliRunner.Result dryRun = lagoa(env, "pipeline", "run", USERS.toString(), "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(file).doesNotExist(); // a dry run runs nothing, so it has no lineage

    CliRunner.Result run = lagoa(env, "pipeline", "run", USERS.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).doesNotContain("warning");
    List<JsonNode> events = events(file);
    List<String> jobs =
        events.stream()
            .map(e -> e.get("eventType").asText() + " " + e.at("/job/name").asText())
            .toList();
    assertThat(jobs.get(0)).isEqualTo("START users");
    assertThat(jobs.get(jobs.size() - 1)).isEqualTo("COMPLETE users");
    for (String table :
        List.of("bronze.users", "bronze.ssn", "silver.users", "gold.users_by_title")) {
      assertThat(jobs).containsOnlyOnce("START users." + table, "COMPLETE users." + table);
    }
    assertThat(jobs).hasSize(10); // no jobs for the temporary views

    // bronze.users reads a JSON file: named by its path, as the naming spec names files.
    JsonNode bronze =
        events.stream()
            .filter(
                e ->
                    e.at("/job/name").asText().equals("users.bronze.users")
                        && e.get("eventType").asText().equals("COMPLETE"))
            .findFirst()
            .orElseThrow();
    assertThat(bronze.at("/inputs/0/namespace").asText()).isEqualTo("file");
    assertThat(bronze.at("/inputs/0/name").asText())
        .isEqualTo(USERS.resolve("data/users.jsonl").toString());
    assertThat(bronze.at("/inputs/0/facets/storage/fileFormat").asText()).isEqualTo("json");

    // silver.users reads bronze.users through two temporary views, and writes its quarantine.
    JsonNode silver =
        events.stream()
            .filter(
                e ->
                    e.at("/job/name").asText().equals("users.silver.users")
                        && e.get("eventType").asText().equals("COMPLETE"))
            .findFirst()
            .orElseThrow();
    List<String> inputs = new ArrayList<>();
    silver
        .get("inputs")
        .forEach(input -> inputs.add(input.at("/facets/symlinks/identifiers/0/name").asText()));
    assertThat(inputs).containsExactlyInAnyOrder("bronze.users", "bronze.ssn");
    assertThat(silver.at("/outputs/0/facets/symlinks/identifiers/0/name").asText())
        .isEqualTo("silver.users");
    assertThat(silver.at("/outputs/0/outputFacets/outputStatistics/rowCount").asLong())
        .isEqualTo(4);
    assertThat(silver.at("/outputs/1/facets/symlinks/identifiers/0/name").asText())
        .isEqualTo("silver.users_quarantine");
    assertThat(silver.at("/outputs/1/outputFacets/outputStatistics/rowCount").asLong())
        .isEqualTo(1);
    List<String> checks = new ArrayList<>();
    silver
        .at("/outputs/0/outputFacets/dataQualityAssertions/assertions")
        .forEach(
            check ->
                checks.add(
                    check.get("assertion").asText()
                        + " "
                        + check.get("success").asText()
                        + " "
                        + check.path("column").asText("-")));
    assertThat(checks)
        .containsExactly(
            "valid_id false user_id", "valid_email false email", "has_title false title");
  }

  @Test
  void anUnreachableEndpointIsOneWarningAndTheRunSucceeds() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRunner.Result run =
        lagoa(
            Map.of(
                "LAGOA_LINEAGE_TRANSPORT",
                "http",
                "LAGOA_LINEAGE_URL",
                "http://127.0.0.1:" + port,
                "LAGOA_LINEAGE_API_KEY",
                "hush-123"),
            "pipeline",
            "run",
            USERS.toString(),
            "--select",
            "bronze.ssn");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .containsOnlyOnce(
            "warning: cannot send OpenLineage events to http://127.0.0.1:"
                + port
                + "/api/v1/lineage")
        .contains("pipeline users succeeded")
        .doesNotContain("hush-123");
  }

  @Test
  void badLineageSettingsStopTheRunBeforeItStarts() {
    CliRunner.Result run =
        lagoa(Map.of("LAGOA_LINEAGE_TRANSPORT", "http"), "pipeline", "run", USERS.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "error: environment variable LAGOA_LINEAGE_TRANSPORT:"
                + " lineage.transport is http, so lineage.url must be set too");
  }
}

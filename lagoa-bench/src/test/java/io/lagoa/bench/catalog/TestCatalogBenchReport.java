package io.lagoa.bench.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bench's own arithmetic and output: percentiles, rows, JSON, the aim, option checks. */
class TestCatalogBenchReport {
  @Test
  void percentilesOfKnownLatencies() {
    Latency latency = new Latency();
    for (int millis = 1; millis <= 1000; millis++) {
      latency.record(millis * 1_000_000L);
    }
    assertThat(latency.count()).isEqualTo(1000);
    // HdrHistogram keeps three significant digits: within 0.1% of the exact order statistic.
    assertThat(latency.millisAt(50)).isCloseTo(500, within(0.5));
    assertThat(latency.millisAt(99)).isCloseTo(990, within(1.0));
    assertThat(latency.millisAt(99.9)).isCloseTo(999, within(1.0));
    assertThat(latency.maxMillis()).isCloseTo(1000, within(1.0));
  }

  @Test
  void histogramsOfClientsAddUp() {
    Latency fast = new Latency();
    Latency slow = new Latency();
    for (int i = 0; i < 98; i++) {
      fast.record(2_000_000L); // 2 ms
    }
    slow.record(300_000_000L); // 300 ms
    slow.record(400_000_000L); // 400 ms
    fast.add(slow);
    assertThat(fast.count()).isEqualTo(100);
    assertThat(fast.millisAt(50)).isCloseTo(2, within(0.01));
    assertThat(fast.millisAt(99)).isCloseTo(300, within(0.5));
    assertThat(fast.maxMillis()).isCloseTo(400, within(0.5));
  }

  @Test
  void emptyHistogramAndSubMicrosecondValues() {
    Latency latency = new Latency();
    assertThat(latency.millisAt(99)).isZero();
    assertThat(latency.maxMillis()).isZero();
    latency.record(10); // 10 ns counts as the smallest unit, 1 µs
    assertThat(latency.millisAt(50)).isEqualTo(0.001);
  }

  @Test
  void rowsForPeopleAndForCsv() {
    List<CatalogRunResult> runs = List.of(run(CatalogTarget.REST, 8, 12_345, 4.56, 3));
    assertThat(CatalogBenchReport.rows(runs, true))
        .containsExactly(
            List.of(
                "load-table",
                "rest",
                8,
                "12,345",
                "1,235",
                "1.50",
                "4.56",
                "250.5",
                "1,250",
                3L,
                0L));
    assertThat(CatalogBenchReport.rows(runs, false))
        .containsExactly(
            List.of("load-table", "rest", 8, 12_345L, 1234.5, 1.5, 4.56, 250.5, 1250.0, 3L, 0L));
    assertThat(CatalogBenchReport.COLUMNS).hasSize(11).contains("p99.9 ms", "errors");
  }

  @Test
  void jsonHasOptionsEnvironmentAndRuns() throws Exception {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("cores", "2");
    environment.put("load_average_start", "1.00 0.50 0.25");
    CatalogBenchResults results =
        new CatalogBenchResults(
            Instant.parse("2026-12-02T11:00:00Z"),
            environment,
            CatalogBenchOptions.defaults(),
            List.of(
                run(CatalogTarget.REST, 8, 12_345, 4.56, 0),
                new CatalogRunResult(
                    CatalogTarget.DIRECT,
                    CatalogOperation.HOT_COMMIT,
                    8,
                    10,
                    0,
                    0,
                    7,
                    0,
                    0,
                    0,
                    0,
                    Optional.of("CommitFailedException: lost"))));
    JsonNode json = new ObjectMapper().readTree(CatalogBenchReport.json(results));
    assertThat(json.get("format_version").asInt()).isEqualTo(1);
    assertThat(json.get("bench").asText()).isEqualTo("catalog");
    assertThat(json.get("started_at").asText()).isEqualTo("2026-12-02T11:00:00Z");
    assertThat(json.get("environment").get("load_average_start").asText())
        .isEqualTo("1.00 0.50 0.25");
    assertThat(json.get("options").get("clients").toString()).isEqualTo("[1,8,32]");
    assertThat(json.get("options").get("seconds").asDouble()).isEqualTo(20.0);
    assertThat(json.get("options").get("operations").toString())
        .isEqualTo("[\"load-table\",\"commit\",\"hot-commit\"]");
    JsonNode first = json.get("runs").get(0);
    assertThat(first.get("operation").asText()).isEqualTo("load-table");
    assertThat(first.get("operations_per_second").asDouble()).isEqualTo(1234.5);
    assertThat(first.get("p99_ms").asDouble()).isEqualTo(4.56);
    assertThat(first.get("p99_9_ms").asDouble()).isEqualTo(250.5);
    assertThat(first.has("first_error")).isFalse();
    JsonNode second = json.get("runs").get(1);
    assertThat(second.get("target").asText()).isEqualTo("direct");
    assertThat(second.get("errors").asLong()).isEqualTo(7);
    assertThat(second.get("first_error").asText()).isEqualTo("CommitFailedException: lost");
  }

  @Test
  void aimComparesRestLoadsWithTheDirectRun() {
    List<String> lines =
        CatalogBenchReport.aim(
            List.of(
                run(CatalogTarget.REST, 8, 12_345, 4.56, 0),
                run(CatalogTarget.DIRECT, 8, 40_000, 1.0, 0),
                run(CatalogTarget.REST, 32, 30_000, 60.0, 0)));
    assertThat(lines)
        .containsExactly(
            "loadTable with 8 clients: 1,235/s (aim 2,000: 62%), p99 4.56 ms (aim < 50 ms: met);"
                + " direct 4,000/s, p99 1.00 ms",
            "loadTable with 32 clients: 3,000/s (aim 2,000: met), p99 60.00 ms (aim < 50 ms:"
                + " missed)");
  }

  @Test
  void millisecondsAreRoundedToWhatTheyMean() {
    assertThat(CatalogBenchReport.millisText(0.123)).isEqualTo("0.12");
    assertThat(CatalogBenchReport.millisText(123.45)).isEqualTo("123.5");
    assertThat(CatalogBenchReport.millisText(12_345.6)).isEqualTo("12,346");
  }

  @Test
  void clientCountsAreParsedAndChecked() {
    assertThat(CatalogBenchOptions.parseClients("1,8,32")).containsExactly(1, 8, 32);
    assertThat(CatalogBenchOptions.parseClients(" 4 , 4,2")).containsExactly(4, 2);
    assertThatThrownBy(() -> CatalogBenchOptions.parseClients("1,eight"))
        .hasMessage(
            "Cannot read the client counts '1,eight': 'eight' is not a whole number (e.g."
                + " 1,8,32)");
    assertThatThrownBy(() -> CatalogBenchOptions.parseClients("0"))
        .hasMessage("Cannot run 0 clients: choose 1 to 1024");
    assertThatThrownBy(() -> CatalogBenchOptions.parseClients("1,,2"))
        .hasMessageContaining("'' is not a whole number");
  }

  @Test
  void optionsRefuseWhatCannotRun() {
    CatalogBenchOptions defaults = CatalogBenchOptions.defaults();
    assertThatThrownBy(
            () ->
                new CatalogBenchOptions(
                    Optional.empty(),
                    List.of(1),
                    Duration.ZERO,
                    Duration.ZERO,
                    1,
                    defaults.operations(),
                    true,
                    "ns"))
        .hasMessage("Cannot measure for 0 ms: give a positive duration");
    assertThatThrownBy(
            () ->
                new CatalogBenchOptions(
                    Optional.empty(),
                    List.of(1),
                    Duration.ofSeconds(1),
                    Duration.ZERO,
                    0,
                    defaults.operations(),
                    true,
                    "ns"))
        .hasMessage("Cannot use 0 tables: choose 1 to 10000");
    assertThatThrownBy(() -> CatalogOperation.parse("drop"))
        .hasMessage("Cannot measure 'drop': the operations are load-table, commit, hot-commit");
    assertThat(CatalogOperation.parse(" Hot-Commit")).isEqualTo(CatalogOperation.HOT_COMMIT);
  }

  /** A run of 10 s with p50 1.5 ms, the given p99, p99.9 250.5 ms and max 1,250 ms. */
  private static CatalogRunResult run(
      CatalogTarget target, int clients, long operations, double p99, long conflicts) {
    return new CatalogRunResult(
        target,
        CatalogOperation.LOAD_TABLE,
        clients,
        10,
        operations,
        conflicts,
        0,
        1.5,
        p99,
        250.5,
        1250,
        Optional.empty());
  }
}

package io.lagoa.bench.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The results of {@code lagoa bench catalog} as a text table, as JSON, and against the aim. */
public final class CatalogBenchReport {
  /** Issue 12's aim for loadTable through the server: 2,000 per second with p99 under 50 ms. */
  public static final double AIM_LOADS_PER_SECOND = 2000;

  public static final double AIM_P99_MILLIS = 50;

  static final int FORMAT_VERSION = 1;

  /** The columns of {@link #rows}. */
  public static final List<String> COLUMNS =
      List.of(
          "operation",
          "target",
          "clients",
          "ops",
          "ops/s",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "conflicts",
          "errors");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CatalogBenchReport() {}

  /**
   * One row per run, in the order the runs ran: for people ({@code human}: thousands separators,
   * milliseconds rounded to what a latency means), or plain numbers for CSV.
   */
  public static List<List<Object>> rows(List<CatalogRunResult> runs, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (CatalogRunResult run : runs) {
      rows.add(
          List.of(
              run.operation().label(),
              run.target().label(),
              run.clients(),
              human ? String.format(Locale.ROOT, "%,d", run.operations()) : run.operations(),
              human
                  ? String.format(Locale.ROOT, "%,.0f", run.operationsPerSecond())
                  : round(run.operationsPerSecond(), 1),
              human ? millisText(run.p50Millis()) : round(run.p50Millis(), 3),
              human ? millisText(run.p99Millis()) : round(run.p99Millis(), 3),
              human ? millisText(run.p999Millis()) : round(run.p999Millis(), 3),
              human ? millisText(run.maxMillis()) : round(run.maxMillis(), 3),
              run.conflicts(),
              run.errors()));
    }
    return rows;
  }

  /**
   * How each loadTable run through the server compares with the aim, and with the direct run of the
   * same client count when there is one: one line per client count.
   */
  public static List<String> aim(List<CatalogRunResult> runs) {
    List<String> lines = new ArrayList<>();
    for (CatalogRunResult run : runs) {
      if (run.target() != CatalogTarget.REST || run.operation() != CatalogOperation.LOAD_TABLE) {
        continue;
      }
      double rate = run.operationsPerSecond();
      boolean rateMet = rate >= AIM_LOADS_PER_SECOND;
      boolean latencyMet = run.p99Millis() < AIM_P99_MILLIS;
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "loadTable with %d client%s: %,.0f/s (aim %,.0f: %s), p99 %s ms (aim < %.0f ms:"
                      + " %s)",
                  run.clients(),
                  run.clients() == 1 ? "" : "s",
                  rate,
                  AIM_LOADS_PER_SECOND,
                  rateMet
                      ? "met"
                      : String.format(Locale.ROOT, "%.0f%%", 100 * rate / AIM_LOADS_PER_SECOND),
                  millisText(run.p99Millis()),
                  AIM_P99_MILLIS,
                  latencyMet ? "met" : "missed"));
      direct(runs, run)
          .ifPresent(
              reference ->
                  line.append(
                      String.format(
                          Locale.ROOT,
                          "; direct %,.0f/s, p99 %s ms",
                          reference.operationsPerSecond(),
                          millisText(reference.p99Millis()))));
      lines.add(line.toString());
    }
    return lines;
  }

  private static Optional<CatalogRunResult> direct(
      List<CatalogRunResult> runs, CatalogRunResult rest) {
    return runs.stream()
        .filter(
            run ->
                run.target() == CatalogTarget.DIRECT
                    && run.operation() == rest.operation()
                    && run.clients() == rest.clients())
        .findFirst();
  }

  /** Everything measured, with the options and environment; what {@code --json} prints. */
  public static String json(CatalogBenchResults results) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("bench", "catalog");
    root.put("started_at", results.startedAt().toString());
    ObjectNode environment = root.putObject("environment");
    results.environment().forEach(environment::put);
    CatalogBenchOptions options = results.options();
    ObjectNode settings = root.putObject("options");
    settings.put("uri", options.uri().map(Object::toString).orElse(null));
    ArrayNode clients = settings.putArray("clients");
    options.clients().forEach(clients::add);
    settings.put("seconds", options.duration().toMillis() / 1000.0);
    settings.put("warmup_seconds", options.warmup().toMillis() / 1000.0);
    settings.put("tables", options.tables());
    settings.put("namespace", options.namespace());
    ArrayNode operations = settings.putArray("operations");
    options.operations().forEach(operation -> operations.add(operation.label()));
    ArrayNode runs = root.putArray("runs");
    for (CatalogRunResult run : results.runs()) {
      ObjectNode node = runs.addObject();
      node.put("operation", run.operation().label());
      node.put("target", run.target().label());
      node.put("clients", run.clients());
      node.put("seconds", round(run.seconds(), 3));
      node.put("operations", run.operations());
      node.put("operations_per_second", round(run.operationsPerSecond(), 1));
      node.put("p50_ms", round(run.p50Millis(), 3));
      node.put("p99_ms", round(run.p99Millis(), 3));
      node.put("p99_9_ms", round(run.p999Millis(), 3));
      node.put("max_ms", round(run.maxMillis(), 3));
      node.put("conflicts", run.conflicts());
      node.put("errors", run.errors());
      run.firstError().ifPresent(error -> node.put("first_error", error));
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the results as JSON: " + e.getMessage(), e);
    }
  }

  /** Milliseconds with two decimals below 100 ms, one up to 1 s, none above. */
  public static String millisText(double value) {
    if (value < 100) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    if (value < 1000) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}

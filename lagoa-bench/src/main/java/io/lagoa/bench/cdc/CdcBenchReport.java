package io.lagoa.bench.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** The results of {@code lagoa bench cdc} as text tables, as JSON, and against the aim. */
public final class CdcBenchReport {
  /** Issue 13's aim: 50,000 changes applied per second on 2 cores. */
  public static final double AIM_CHANGES_PER_SECOND = 50_000;

  static final int FORMAT_VERSION = 1;

  /** The columns of {@link #batchRows}. */
  public static final List<String> BATCH_COLUMNS =
      List.of(
          "batch",
          "changes",
          "updates",
          "deletes",
          "inserts",
          "run s",
          "changes/s",
          "merge s",
          "merge changes/s",
          "data files",
          "delete files");

  /** The columns of {@link #readRows}. */
  public static final List<String> READ_COLUMNS =
      List.of("after batch", "compacted", "read s", "rows", "data files", "delete files");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CdcBenchReport() {}

  /** The median, the lowest and the highest of some values. */
  public record Spread(double p50, double min, double max) {
    static Spread of(List<Double> values) {
      if (values.isEmpty()) {
        return new Spread(Double.NaN, Double.NaN, Double.NaN);
      }
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int n = sorted.length;
      double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      return new Spread(median, sorted[0], sorted[n - 1]);
    }
  }

  /** Changes per second of the pipeline runs: p50, lowest and highest. */
  public static Spread changesPerSecond(List<CdcBenchResults.Batch> batches) {
    return Spread.of(batches.stream().map(CdcBenchResults.Batch::changesPerSecond).toList());
  }

  /** Seconds of the pipeline runs: p50, fastest and slowest. */
  public static Spread runSeconds(List<CdcBenchResults.Batch> batches) {
    return Spread.of(batches.stream().map(batch -> batch.runNanos() / 1e9).toList());
  }

  /** Changes per second of the reference MERGE: p50, lowest and highest (NaN without it). */
  public static Spread referenceChangesPerSecond(List<CdcBenchResults.Batch> batches) {
    return Spread.of(
        batches.stream()
            .filter(batch -> batch.referenceNanos().isPresent())
            .map(CdcBenchResults.Batch::referenceChangesPerSecond)
            .toList());
  }

  /** One row per batch: for people ({@code human}: separators, rounded), or plain for CSV. */
  public static List<List<Object>> batchRows(List<CdcBenchResults.Batch> batches, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (CdcBenchResults.Batch batch : batches) {
      rows.add(
          Arrays.asList(
              batch.number(),
              count(batch.changes(), human),
              count(batch.updates(), human),
              count(batch.deletes(), human),
              count(batch.inserts(), human),
              seconds(batch.runNanos(), human),
              rate(batch.changesPerSecond(), human),
              batch.referenceNanos().isPresent()
                  ? seconds(batch.referenceNanos().getAsLong(), human)
                  : human ? "-" : null,
              batch.referenceNanos().isPresent()
                  ? rate(batch.referenceChangesPerSecond(), human)
                  : human ? "-" : null,
              batch.dataFiles(),
              batch.deleteFiles()));
    }
    return rows;
  }

  public static List<List<Object>> readRows(List<CdcBenchResults.Read> reads, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (CdcBenchResults.Read read : reads) {
      rows.add(
          Arrays.asList(
              read.afterBatch(),
              read.compacted() ? "yes" : "no",
              seconds(read.nanos(), human),
              count(read.rows(), human),
              read.dataFiles(),
              read.deleteFiles()));
    }
    return rows;
  }

  /** The lines under the tables: the initial build, the spread, the reference and the aim. */
  public static List<String> summary(CdcBenchResults results) {
    List<String> lines = new ArrayList<>();
    CdcBenchOptions options = results.options();
    CdcBenchResults.Setup setup = results.setup();
    lines.add(
        String.format(
            Locale.ROOT,
            "Initial build: %,d inserts applied in %.1f s (%,.0f rows/s); bronze written in %.1f s.",
            setup.rows(),
            setup.initialRunNanos() / 1e9,
            setup.rowsPerSecond(),
            setup.bronzeNanos() / 1e9));
    Spread rate = changesPerSecond(results.batches());
    Spread time = runSeconds(results.batches());
    lines.add(
        String.format(
            Locale.ROOT,
            "AUTO CDC (SCD type %d, %s), %d batches: p50 %,.0f changes/s (lowest %,.0f, highest"
                + " %,.0f); run time p50 %.2f s, max %.2f s.",
            options.scdType(),
            options.writeMode().label(),
            results.batches().size(),
            rate.p50(),
            rate.min(),
            rate.max(),
            time.p50(),
            time.max()));
    Spread reference = referenceChangesPerSecond(results.batches());
    if (!Double.isNaN(reference.p50())) {
      lines.add(
          String.format(
              Locale.ROOT,
              "Plain MERGE INTO of the same batches (no ordering state): p50 %,.0f changes/s;"
                  + " AUTO CDC runs at %.0f%% of it.",
              reference.p50(),
              100 * rate.p50() / reference.p50()));
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "Aim %,.0f changes/s on 2 cores: %s.",
            AIM_CHANGES_PER_SECOND,
            rate.p50() >= AIM_CHANGES_PER_SECOND
                ? "met"
                : String.format(Locale.ROOT, "%.0f%%", 100 * rate.p50() / AIM_CHANGES_PER_SECOND)));
    results
        .compactionNanos()
        .ifPresent(
            nanos -> lines.add(String.format(Locale.ROOT, "Compaction took %.1f s.", nanos / 1e9)));
    return lines;
  }

  /** Everything measured, with the options and environment; what {@code --json} prints. */
  public static String json(CdcBenchResults results) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("bench", "cdc");
    root.put("started_at", results.startedAt().toString());
    ObjectNode environment = root.putObject("environment");
    results.environment().forEach(environment::put);
    CdcBenchOptions options = results.options();
    ObjectNode settings = root.putObject("options");
    settings.put("rows", options.rows());
    settings.put("batches", options.batches());
    settings.put("update_fraction", options.updateFraction());
    settings.put("delete_fraction", options.deleteFraction());
    settings.put("insert_fraction", options.insertFraction());
    settings.put("scd_type", options.scdType());
    settings.put("write_mode", options.writeMode().label());
    settings.put("read_every", options.readEvery());
    settings.put("compact", options.compact());
    settings.put("reference", options.reference());
    settings.put("namespace", options.namespace());
    settings.put("seed", options.seed());
    CdcBenchResults.Setup setup = results.setup();
    ObjectNode initial = root.putObject("setup");
    initial.put("rows", setup.rows());
    initial.put("bronze_seconds", round(setup.bronzeNanos() / 1e9, 3));
    initial.put("initial_run_seconds", round(setup.initialRunNanos() / 1e9, 3));
    initial.put("initial_rows_per_second", round(setup.rowsPerSecond(), 1));
    initial.put("target_rows", setup.targetRows());
    putSeconds(initial, "reference_seconds", setup.referenceNanos());
    ArrayNode batches = root.putArray("batches");
    for (CdcBenchResults.Batch batch : results.batches()) {
      ObjectNode node = batches.addObject();
      node.put("batch", batch.number());
      node.put("changes", batch.changes());
      node.put("updates", batch.updates());
      node.put("deletes", batch.deletes());
      node.put("inserts", batch.inserts());
      node.put("append_seconds", round(batch.appendNanos() / 1e9, 3));
      node.put("run_seconds", round(batch.runNanos() / 1e9, 3));
      node.put("changes_per_second", round(batch.changesPerSecond(), 1));
      node.put("applied", batch.applied());
      putSeconds(node, "reference_seconds", batch.referenceNanos());
      if (batch.referenceNanos().isPresent()) {
        node.put("reference_changes_per_second", round(batch.referenceChangesPerSecond(), 1));
      }
      node.put("data_files", batch.dataFiles());
      node.put("delete_files", batch.deleteFiles());
    }
    ObjectNode summary = root.putObject("summary");
    Spread rate = changesPerSecond(results.batches());
    Spread time = runSeconds(results.batches());
    summary.put("changes_per_second_p50", round(rate.p50(), 1));
    summary.put("changes_per_second_min", round(rate.min(), 1));
    summary.put("changes_per_second_max", round(rate.max(), 1));
    summary.put("run_seconds_p50", round(time.p50(), 3));
    summary.put("run_seconds_max", round(time.max(), 3));
    Spread reference = referenceChangesPerSecond(results.batches());
    if (!Double.isNaN(reference.p50())) {
      summary.put("reference_changes_per_second_p50", round(reference.p50(), 1));
    }
    summary.put("aim_changes_per_second", AIM_CHANGES_PER_SECOND);
    ArrayNode reads = root.putArray("reads");
    for (CdcBenchResults.Read read : results.reads()) {
      ObjectNode node = reads.addObject();
      node.put("after_batch", read.afterBatch());
      node.put("compacted", read.compacted());
      node.put("seconds", round(read.nanos() / 1e9, 3));
      node.put("rows", read.rows());
      node.put("data_files", read.dataFiles());
      node.put("delete_files", read.deleteFiles());
    }
    putSeconds(root, "compaction_seconds", results.compactionNanos());
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the results as JSON: " + e.getMessage(), e);
    }
  }

  private static void putSeconds(ObjectNode node, String name, OptionalLong nanos) {
    if (nanos.isPresent()) {
      node.put(name, round(nanos.getAsLong() / 1e9, 3));
    } else {
      node.putNull(name);
    }
  }

  private static Object count(long value, boolean human) {
    return human ? String.format(Locale.ROOT, "%,d", value) : value;
  }

  private static Object seconds(long nanos, boolean human) {
    return human ? String.format(Locale.ROOT, "%.2f", nanos / 1e9) : round(nanos / 1e9, 3);
  }

  private static Object rate(double value, boolean human) {
    return human ? String.format(Locale.ROOT, "%,.0f", value) : round(value, 1);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}

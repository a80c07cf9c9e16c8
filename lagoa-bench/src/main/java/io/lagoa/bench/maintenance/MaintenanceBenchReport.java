package io.lagoa.bench.maintenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Kind;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Pass;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.QueryTime;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Sample;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.TableFigures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The results of {@code lagoa bench maintenance} as a text table, as JSON, and against the aim. */
public final class MaintenanceBenchReport {
  /** Issue 15's aim: the maintained table's query time within 1.2x of a freshly compacted one. */
  public static final double AIM_RATIO = 1.2;

  static final int FORMAT_VERSION = 1;

  /** The columns of {@link #sampleRows}. */
  public static final List<String> SAMPLE_COLUMNS =
      List.of(
          "at",
          "table",
          "rows",
          "data files",
          "delete files",
          "manifests",
          "snapshots",
          "metadata",
          "count ms",
          "agg ms",
          "lookup ms",
          "vs compacted");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private MaintenanceBenchReport() {}

  /** Three rows per sample (unmaintained, maintained, compacted copy). */
  public static List<List<Object>> sampleRows(List<Sample> samples, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (Sample sample : samples) {
      for (TableFigures table : sample.tables()) {
        List<Object> row =
            new ArrayList<>(
                Arrays.asList(
                    human ? minutes(sample.elapsedNanos()) : round(sample.elapsedNanos() / 1e9, 1),
                    table.kind().label(),
                    human ? String.format(Locale.ROOT, "%,d", table.rows()) : table.rows(),
                    table.dataFiles(),
                    table.deleteFiles(),
                    table.manifests(),
                    table.snapshots(),
                    human ? bytes(table.metadataBytes()) : table.metadataBytes()));
        for (QueryTime query : table.queries()) {
          row.add(
              human
                  ? String.format(Locale.ROOT, "%.0f", query.medianMillis())
                  : round(query.medianMillis(), 1));
        }
        double ratio = table.kind() == Kind.COMPACTED ? 1.0 : sample.ratio(table.kind());
        row.add(human ? String.format(Locale.ROOT, "%.2fx", ratio) : round(ratio, 3));
        rows.add(row);
      }
    }
    return rows;
  }

  /** The lines under the table: the feed, the passes, the last sample against the aim. */
  public static List<String> summary(MaintenanceBenchResults results) {
    List<String> lines = new ArrayList<>();
    MaintenanceBenchOptions options = results.options();
    double seconds = results.feedNanos() / 1e9;
    lines.add(
        String.format(
            Locale.ROOT,
            "Fed %,d commits of %,d rows to each table in %.0f s (%.2f commits/s, asked one every"
                + " %s), sampling pauses included.",
            results.commits(),
            options.rowsPerCommit(),
            seconds,
            seconds == 0 ? 0 : results.commits() / seconds,
            MaintenanceBenchOptions.text(options.commitEvery())));
    List<Pass> passes = results.passes();
    if (!passes.isEmpty()) {
      double[] times = passes.stream().mapToDouble(pass -> pass.nanos() / 1e9).sorted().toArray();
      long failed = passes.stream().filter(pass -> pass.error().isPresent()).count();
      lines.add(
          String.format(
              Locale.ROOT,
              "%d maintenance passes (one every %s): p50 %.1f s, max %.1f s, total %.0f s%s.",
              passes.size(),
              MaintenanceBenchOptions.text(options.maintainEvery()),
              times[times.length / 2],
              times[times.length - 1],
              Arrays.stream(times).sum(),
              failed > 0 ? "; " + failed + " failed (see --json)" : ""));
    }
    if (!results.samples().isEmpty()) {
      Sample last = results.samples().get(results.samples().size() - 1);
      double maintained = last.ratio(Kind.MAINTAINED);
      lines.add(
          String.format(
              Locale.ROOT,
              "At the end (%s): bench queries take %.2fx the freshly compacted copy's time on the"
                  + " maintained table, %.2fx on the unmaintained one. Aim %.1fx: %s.",
              minutes(last.elapsedNanos()),
              maintained,
              last.ratio(Kind.UNMAINTAINED),
              AIM_RATIO,
              maintained <= AIM_RATIO ? "met" : "not met"));
      boolean match = results.samples().stream().allMatch(Sample::resultsMatch);
      lines.add(
          match
              ? "Every query returned the same rows on the three tables at every sample."
              : "MISMATCH: a query returned different rows on the three tables (see --json).");
    }
    return lines;
  }

  /** Everything measured, with the options and environment; what {@code --json} prints. */
  public static String json(MaintenanceBenchResults results) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("bench", "maintenance");
    root.put("started_at", results.startedAt().toString());
    ObjectNode environment = root.putObject("environment");
    results.environment().forEach(environment::put);
    MaintenanceBenchOptions options = results.options();
    ObjectNode settings = root.putObject("options");
    settings.put("duration_seconds", options.duration().toMillis() / 1e3);
    settings.put("sample_every_seconds", options.sampleEvery().toMillis() / 1e3);
    settings.put("commit_every_seconds", options.commitEvery().toMillis() / 1e3);
    settings.put("maintain_every_seconds", options.maintainEvery().toMillis() / 1e3);
    settings.put("rows_per_commit", options.rowsPerCommit());
    settings.put("snapshot_retention_seconds", options.snapshotRetention().toSeconds());
    settings.put("namespace", options.namespace());
    root.put("commits", results.commits());
    root.put("feed_seconds", round(results.feedNanos() / 1e9, 3));
    ArrayNode samples = root.putArray("samples");
    for (Sample sample : results.samples()) {
      ObjectNode node = samples.addObject();
      node.put("number", sample.number());
      node.put("elapsed_seconds", round(sample.elapsedNanos() / 1e9, 3));
      node.put("commits", sample.commits());
      node.put("results_match", sample.resultsMatch());
      node.put("copy_seconds", round(sample.copyNanos() / 1e9, 3));
      node.put("maintained_vs_compacted", round(sample.ratio(Kind.MAINTAINED), 3));
      node.put("unmaintained_vs_compacted", round(sample.ratio(Kind.UNMAINTAINED), 3));
      ArrayNode tables = node.putArray("tables");
      for (TableFigures table : sample.tables()) {
        ObjectNode figures = tables.addObject();
        figures.put("table", table.kind().name().toLowerCase(Locale.ROOT));
        figures.put("rows", table.rows());
        figures.put("data_files", table.dataFiles());
        figures.put("data_bytes", table.dataBytes());
        figures.put("delete_files", table.deleteFiles());
        figures.put("manifests", table.manifests());
        figures.put("snapshots", table.snapshots());
        figures.put("metadata_bytes", table.metadataBytes());
        if (table.metadataStorageBytes().isPresent()) {
          figures.put("metadata_storage_bytes", table.metadataStorageBytes().get());
        } else {
          figures.putNull("metadata_storage_bytes");
        }
        ArrayNode queries = figures.putArray("queries");
        for (QueryTime query : table.queries()) {
          ObjectNode q = queries.addObject();
          q.put("query", query.query());
          q.put("median_ms", round(query.medianMillis(), 2));
          q.put("files_read", query.filesRead());
        }
      }
    }
    ArrayNode passes = root.putArray("passes");
    for (Pass pass : results.passes()) {
      ObjectNode node = passes.addObject();
      node.put("number", pass.number());
      node.put("elapsed_seconds", round(pass.elapsedNanos() / 1e9, 3));
      node.put("seconds", round(pass.nanos() / 1e9, 3));
      ArrayNode actions = node.putArray("actions");
      pass.actions().forEach(actions::add);
      if (pass.error().isPresent()) {
        node.put("error", pass.error().get());
      } else {
        node.putNull("error");
      }
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the bench's results as JSON", e);
    }
  }

  /** 90 seconds as 1m30s, 300 seconds as 5m00s. */
  public static String minutes(long nanos) {
    long seconds = Math.round(nanos / 1e9);
    return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  private static double round(double value, int digits) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}

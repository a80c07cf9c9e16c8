package io.lagoa.bench.clustering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lagoa.bench.clustering.ClusteringBenchResults.Compaction;
import io.lagoa.bench.clustering.ClusteringBenchResults.Measurement;
import io.lagoa.bench.clustering.ClusteringBenchResults.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The results of {@code lagoa bench clustering} as a text table and as JSON. */
public final class ClusteringBenchReport {
  static final int FORMAT_VERSION = 1;

  public static final List<String> COLUMNS =
      List.of(
          "stage",
          "table",
          "layout",
          "data files",
          "query",
          "files read",
          "files skipped",
          "bytes read",
          "ms");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ClusteringBenchReport() {}

  public static List<List<Object>> rows(ClusteringBenchResults results, boolean human) {
    List<List<Object>> rows = new ArrayList<>();
    for (Measurement m : results.measurements()) {
      rows.add(
          Arrays.asList(
              m.stage().label(),
              m.table(),
              m.layout(),
              m.dataFiles(),
              m.query(),
              m.filesRead(),
              m.filesSkipped(),
              human
                  ? String.format(Locale.ROOT, "%.1f MiB", m.bytesRead() / (1024.0 * 1024))
                  : m.bytesRead(),
              human
                  ? String.format(Locale.ROOT, "%.0f", m.medianMillis())
                  : Math.round(m.medianMillis() * 10) / 10.0));
    }
    return rows;
  }

  /** Per query after compaction: files and time on the z-ordered table against bin-packed. */
  public static List<String> summary(ClusteringBenchResults results) {
    List<String> lines = new ArrayList<>();
    ClusteringBenchOptions options = results.options();
    for (Compaction compaction : results.compactions()) {
      lines.add(
          String.format(
              Locale.ROOT,
              "Maintenance of %s: %s in %.1f s.",
              compaction.table(),
              compaction.result(),
              compaction.nanos() / 1e9));
    }
    for (Measurement zordered : results.measurements()) {
      if (zordered.stage() != Stage.AFTER || !zordered.table().equals(options.zordered())) {
        continue;
      }
      Optional<Measurement> binpacked =
          results.measurements().stream()
              .filter(
                  m ->
                      m.stage() == Stage.AFTER
                          && m.table().equals(options.binpacked())
                          && m.query().equals(zordered.query()))
              .findFirst();
      if (binpacked.isEmpty()) {
        continue;
      }
      Measurement other = binpacked.get();
      lines.add(
          String.format(
              Locale.ROOT,
              "%s: z-ordered reads %d of %d files (%.1f MiB) in %.0f ms; bin-packed %d of %d"
                  + " (%.1f MiB) in %.0f ms: %.0f%% of the bytes, %.2fx the time.",
              zordered.query(),
              zordered.filesRead(),
              zordered.dataFiles(),
              zordered.bytesRead() / (1024.0 * 1024),
              zordered.medianMillis(),
              other.filesRead(),
              other.dataFiles(),
              other.bytesRead() / (1024.0 * 1024),
              other.medianMillis(),
              other.bytesRead() == 0 ? 0 : 100.0 * zordered.bytesRead() / other.bytesRead(),
              other.medianMillis() == 0 ? 0 : zordered.medianMillis() / other.medianMillis()));
    }
    lines.add(
        results.resultsMatch()
            ? "Every query returned the same answer on both tables, before and after."
            : "MISMATCH: a query answered differently on the two tables or after compaction.");
    return lines;
  }

  public static String json(ClusteringBenchResults results) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("bench", "clustering");
    root.put("started_at", results.startedAt().toString());
    ObjectNode environment = root.putObject("environment");
    results.environment().forEach(environment::put);
    ObjectNode settings = root.putObject("options");
    settings.put("rows", results.options().rows());
    settings.put("commits", results.options().commits());
    settings.put("namespace", results.options().namespace());
    root.put("results_match", results.resultsMatch());
    ArrayNode compactions = root.putArray("compactions");
    for (Compaction compaction : results.compactions()) {
      ObjectNode node = compactions.addObject();
      node.put("table", compaction.table());
      node.put("result", compaction.result());
      node.put("seconds", Math.round(compaction.nanos() / 1e6) / 1e3);
    }
    ArrayNode measurements = root.putArray("measurements");
    for (Measurement m : results.measurements()) {
      ObjectNode node = measurements.addObject();
      node.put("stage", m.stage().name().toLowerCase(Locale.ROOT));
      node.put("table", m.table());
      node.put("layout", m.layout());
      node.put("data_files", m.dataFiles());
      node.put("query", m.query());
      node.put("files_read", m.filesRead());
      node.put("files_skipped", m.filesSkipped());
      node.put("bytes_read", m.bytesRead());
      node.put("median_ms", Math.round(m.medianMillis() * 100) / 100.0);
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the bench's results as JSON", e);
    }
  }
}

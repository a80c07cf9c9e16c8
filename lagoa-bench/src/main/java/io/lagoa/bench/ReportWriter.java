package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run's report into a folder: results.json, report.md, report.html and charts/*.png.
 * Charts need fonts; on a machine without any the report is written without them and says so.
 */
public final class ReportWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);

  /** A chart with more bars per query than this shows only the fastest configurations. */
  private static final int MAX_SERIES = 6;

  /** What was written. */
  public record Written(Path folder, List<Path> files, String chartProblem) {}

  private ReportWriter() {}

  public static Written write(BenchResults results, Path folder) {
    System.setProperty("java.awt.headless", "true");
    List<Path> files = new ArrayList<>();
    String chartProblem = null;
    try {
      Files.createDirectories(folder.resolve("charts"));
      Path json = folder.resolve("results.json");
      ResultsFile.write(results, json);
      files.add(json);
      List<String> charts = new ArrayList<>();
      try {
        Path times = folder.resolve("charts/query-times.png");
        Charts.queryTimes(results, shown(results), times);
        files.add(times);
        charts.add("charts/query-times.png");
        if (results.configurations().size() > 1) {
          Path ranking = folder.resolve("charts/configurations.png");
          Charts.configurations(ranked(results), ranking);
          files.add(ranking);
          charts.add("charts/configurations.png");
        }
      } catch (IOException | RuntimeException | Error e) {
        // Headless Java without fonts (or fontconfig) cannot draw text.
        chartProblem = "charts could not be drawn: " + LagoaException.rootMessage(e);
        LOG.warn("cannot draw benchmark charts", e);
      }
      Path markdown = folder.resolve("report.md");
      Files.writeString(markdown, markdown(results, charts, chartProblem));
      files.add(markdown);
      Path html = folder.resolve("report.html");
      Files.writeString(html, html(results, charts, chartProblem));
      files.add(html);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot write the report to " + folder + ": " + LagoaException.rootMessage(e),
          e);
    }
    return new Written(folder, files, chartProblem);
  }

  /** Configurations fastest first (by geometric mean). */
  static List<Configuration> ranked(BenchResults results) {
    List<Configuration> ranked = new ArrayList<>(results.configurations());
    ranked.sort(Comparator.comparingDouble(Configuration::geometricMeanMillis));
    return ranked;
  }

  private static List<Configuration> shown(BenchResults results) {
    List<Configuration> ranked = ranked(results);
    return ranked.size() <= MAX_SERIES ? results.configurations() : ranked.subList(0, MAX_SERIES);
  }

  /** The per-query table's header and rows, shared by Markdown and HTML. */
  static List<String> queryHeader() {
    return List.of(
        "query",
        "median s",
        "min s",
        "max s",
        "files read",
        "files skipped",
        "bytes read",
        "rows scanned",
        "shuffle bytes",
        "rows out");
  }

  static List<String> queryRow(QueryRun query) {
    QueryMetrics m = query.metrics();
    return List.of(
        query.query(),
        seconds(query.medianMillis()),
        seconds(query.minMillis()),
        seconds(query.maxMillis()),
        count(m.filesRead()),
        count(m.filesSkipped()),
        DataSize.format(m.bytesRead()),
        count(m.rowsScanned()),
        DataSize.format(m.shuffleBytes()),
        count(m.rowsOut()));
  }

  /** Per query: the fastest and slowest configuration and the ratio between them. */
  static List<List<String>> winnerRows(BenchResults results) {
    List<List<String>> rows = new ArrayList<>();
    for (String query : results.queryNames()) {
      Configuration best = results.fastestFor(query).orElseThrow();
      Configuration worst =
          results.configurations().stream()
              .filter(c -> c.query(query).isPresent())
              .max(Comparator.comparingDouble(c -> c.query(query).orElseThrow().medianMillis()))
              .orElseThrow();
      double fast = best.query(query).orElseThrow().medianMillis();
      double slow = worst.query(query).orElseThrow().medianMillis();
      rows.add(
          List.of(
              query,
              best.name(),
              seconds(fast),
              worst.name(),
              seconds(slow),
              String.format(Locale.ROOT, "%.2fx", fast <= 0 ? 1.0 : slow / fast)));
    }
    return rows;
  }

  /** The comparison table's header and rows, shared by Markdown and HTML. */
  static List<String> referenceHeader(Reference reference) {
    String engine = engineName(reference);
    return List.of(
        "query",
        "Lagoa median s",
        engine + " median s",
        engine + " min s",
        engine + " max s",
        "Lagoa/" + engine,
        "answers");
  }

  static List<List<String>> referenceRows(Reference reference) {
    List<List<String>> rows = new ArrayList<>();
    for (ReferenceQuery query : reference.queries()) {
      rows.add(
          List.of(
              query.query(),
              seconds(query.lagoaMedianMillis()),
              query.failed() ? "failed" : seconds(query.medianMillis()),
              query.failed() ? "" : seconds(query.minMillis()),
              query.failed() ? "" : seconds(query.maxMillis()),
              query.failed() ? "" : String.format(Locale.ROOT, "%.2fx", query.ratio()),
              query.answersMatch() ? "same" : "DIFFERENT: " + query.difference()));
    }
    return rows;
  }

  /** What the comparison ran with, and what the ratio means, in one paragraph. */
  static String referenceText(Reference reference) {
    String engine = engineName(reference);
    Map<String, String> settings = reference.settings();
    List<String> mismatches = reference.mismatches().stream().map(ReferenceQuery::query).toList();
    return "Every query also ran on "
        + engine
        + " "
        + settings.getOrDefault("version", "")
        + " over the same "
        + settings.getOrDefault("files", "?")
        + " Parquet files ("
        + settings.getOrDefault("bytes", "?")
        + ") Iceberg planned for the tables' current snapshots, alternating with Lagoa's runs: "
        + settings.getOrDefault("threads", "?")
        + " threads ("
        + settings.getOrDefault("threads_from", "")
        + "), memory limit "
        + settings.getOrDefault("memory_limit", "?")
        + ", Parquet prefetching "
        + settings.getOrDefault("parquet_prefetching", "?")
        + ". Lagoa/"
        + engine
        + " above 1 means Lagoa is slower; geometric mean of the ratios "
        + String.format(Locale.ROOT, "%.2fx", reference.geometricMeanRatio())
        + ". "
        + (mismatches.isEmpty()
            ? "Every answer was the same."
            : "Answers differed for " + String.join(", ", mismatches) + ".");
  }

  private static String engineName(Reference reference) {
    for (ReferenceEngine engine : ReferenceEngine.values()) {
      if (engine.label().equals(reference.engine())) {
        return engine.displayName();
      }
    }
    return reference.engine();
  }

  private static String markdown(BenchResults results, List<String> charts, String chartProblem) {
    StringBuilder md = new StringBuilder();
    md.append("# Lagoa benchmark: ").append(results.suite()).append("\n\n");
    md.append("Started ")
        .append(results.startedAt())
        .append("; ")
        .append(results.warmup())
        .append(" warm-up and ")
        .append(results.runs())
        .append(" measured runs per query. Times are medians of the measured runs; metrics come")
        .append(" from Spark's SQL metrics of the executed plan.\n\n");
    md.append("## Environment\n\n");
    mdTable(md, List.of("setting", "value"), pairs(results.environment()));
    md.append("\n## Dataset\n\n");
    mdTable(md, List.of("property", "value"), pairs(results.dataset()));
    if (results.configurations().size() > 1) {
      md.append("\n## Which wins\n\n");
      Configuration overall = results.fastestOverall().orElseThrow();
      md.append("Overall (geometric mean of the medians): **")
          .append(overall.name())
          .append("**.\n\n");
      mdTable(
          md,
          List.of("query", "fastest", "median s", "slowest", "median s", "slowest/fastest"),
          winnerRows(results));
      md.append("\n");
      List<List<String>> ranking = new ArrayList<>();
      int place = 1;
      for (Configuration configuration : ranked(results)) {
        ranking.add(
            List.of(
                Integer.toString(place++),
                configuration.name(),
                seconds(configuration.geometricMeanMillis()),
                seconds(configuration.totalMedianMillis())));
      }
      mdTable(md, List.of("rank", "configuration", "geomean s", "sum of medians s"), ranking);
    }
    if (results.comparedWith() != null) {
      Reference reference = results.comparedWith();
      md.append("\n## Against ").append(engineName(reference)).append("\n\n");
      md.append(referenceText(reference)).append("\n\n");
      mdTable(md, referenceHeader(reference), referenceRows(reference));
    }
    if (!charts.isEmpty()) {
      md.append("\n## Charts\n\n");
      for (String chart : charts) {
        md.append("![").append(chart).append("](").append(chart).append(")\n\n");
      }
    } else if (chartProblem != null) {
      md.append("\n(").append(chartProblem).append(")\n");
    }
    for (Configuration configuration : results.configurations()) {
      md.append("\n## ")
          .append(results.configurations().size() > 1 ? configuration.name() : "Queries")
          .append("\n\n");
      if (!configuration.settings().isEmpty()) {
        md.append("Settings: ");
        List<String> settings = new ArrayList<>();
        configuration.settings().forEach((key, value) -> settings.add(key + "=" + value));
        md.append("`").append(String.join(" ", settings)).append("`\n\n");
      }
      List<List<String>> rows = new ArrayList<>();
      for (QueryRun query : configuration.queries()) {
        rows.add(queryRow(query));
      }
      mdTable(md, queryHeader(), rows);
    }
    return md.toString();
  }

  private static void mdTable(StringBuilder md, List<String> header, List<List<String>> rows) {
    md.append("| ").append(String.join(" | ", header)).append(" |\n");
    md.append("|").append(" --- |".repeat(header.size())).append("\n");
    for (List<String> row : rows) {
      md.append("| ")
          .append(String.join(" | ", row.stream().map(cell -> cell.replace("|", "\\|")).toList()))
          .append(" |\n");
    }
  }

  private static String html(BenchResults results, List<String> charts, String chartProblem) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Lagoa benchmark: ")
        .append(escape(results.suite()))
        .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;")
        .append(
            "padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}")
        .append("img{max-width:100%}</style></head><body>\n");
    html.append("<h1>Lagoa benchmark: ").append(escape(results.suite())).append("</h1>\n");
    html.append("<p>Started ")
        .append(escape(results.startedAt()))
        .append("; ")
        .append(results.warmup())
        .append(" warm-up and ")
        .append(results.runs())
        .append(" measured runs per query. Times are medians; metrics come from Spark's SQL")
        .append(" metrics of the executed plan.</p>\n");
    html.append("<h2>Environment</h2>\n");
    htmlTable(html, List.of("setting", "value"), pairs(results.environment()));
    html.append("<h2>Dataset</h2>\n");
    htmlTable(html, List.of("property", "value"), pairs(results.dataset()));
    if (results.configurations().size() > 1) {
      html.append("<h2>Which wins</h2>\n<p>Overall (geometric mean of the medians): <b>")
          .append(escape(results.fastestOverall().orElseThrow().name()))
          .append("</b></p>\n");
      htmlTable(
          html,
          List.of("query", "fastest", "median s", "slowest", "median s", "slowest/fastest"),
          winnerRows(results));
    }
    if (results.comparedWith() != null) {
      Reference reference = results.comparedWith();
      html.append("<h2>Against ").append(escape(engineName(reference))).append("</h2>\n");
      html.append("<p>").append(escape(referenceText(reference))).append("</p>\n");
      htmlTable(html, referenceHeader(reference), referenceRows(reference));
    }
    for (String chart : charts) {
      html.append("<p><img src=\"")
          .append(escape(chart))
          .append("\" alt=\"")
          .append(escape(chart))
          .append("\"></p>\n");
    }
    if (chartProblem != null) {
      html.append("<p>(").append(escape(chartProblem)).append(")</p>\n");
    }
    for (Configuration configuration : results.configurations()) {
      html.append("<h2>")
          .append(escape(results.configurations().size() > 1 ? configuration.name() : "Queries"))
          .append("</h2>\n");
      List<List<String>> rows = new ArrayList<>();
      for (QueryRun query : configuration.queries()) {
        rows.add(queryRow(query));
      }
      htmlTable(html, queryHeader(), rows);
    }
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void htmlTable(StringBuilder html, List<String> header, List<List<String>> rows) {
    html.append("<table><tr>");
    for (String cell : header) {
      html.append("<th>").append(escape(cell)).append("</th>");
    }
    html.append("</tr>\n");
    for (List<String> row : rows) {
      html.append("<tr>");
      for (String cell : row) {
        html.append("<td>").append(escape(cell)).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static List<List<String>> pairs(Map<String, String> map) {
    List<List<String>> rows = new ArrayList<>();
    map.forEach((key, value) -> rows.add(List.of(key, value == null ? "" : value)));
    return rows;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static String seconds(double millis) {
    return String.format(Locale.ROOT, "%.3f", millis / 1000);
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}

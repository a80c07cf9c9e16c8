package io.lagoa.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestComparison {
  @TempDir Path folder;

  static BenchResults results(String name, double... medians) {
    String[] queries = {"full_scan", "aggregation", "needle"};
    List<QueryRun> runs = new java.util.ArrayList<>();
    for (int i = 0; i < medians.length; i++) {
      runs.add(
          new QueryRun(
              queries[i],
              "query " + i,
              List.of(medians[i] * 1.1, medians[i], medians[i] * 0.9),
              new QueryMetrics(3, 1, 1000 * (i + 1), 500, 64, 1)));
    }
    return new BenchResults(
        BenchResults.FORMAT_VERSION,
        "sales",
        "2026-01-01T00:00:00Z",
        Map.of("cores", "2"),
        Map.of("vendas.rows", "1000"),
        1,
        3,
        List.of(new Configuration(name, Map.of("shuffle_partitions", "2"), runs)));
  }

  @Test
  void ratiosOfMediansAndRegressionsBeyondTheThreshold() {
    BenchResults before = results("default", 100, 200, 50);
    BenchResults after = results("default", 100, 260, 20);
    Comparison comparison = Comparison.of(before, after, 0.10);
    assertThat(comparison.lines())
        .extracting(Comparison.Line::query, Comparison.Line::ratio, Comparison.Line::verdict)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("full_scan", 1.0, Comparison.Verdict.SAME),
            org.assertj.core.groups.Tuple.tuple("aggregation", 1.3, Comparison.Verdict.REGRESSION),
            org.assertj.core.groups.Tuple.tuple("needle", 0.4, Comparison.Verdict.FASTER));
    assertThat(comparison.regressions())
        .extracting(Comparison.Line::query)
        .containsExactly("aggregation");
    assertThat(comparison.overallRatio())
        .isCloseTo(Math.cbrt(1.0 * 1.3 * 0.4), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(Comparison.verdict(1.07, 0.10)).isEqualTo(Comparison.Verdict.SLOWER);

    Comparison fewer = Comparison.of(before, results("default", 100), 0.10);
    assertThat(fewer.lines()).hasSize(1);
    assertThat(fewer.onlyInBaseline()).containsExactly("aggregation", "needle");
  }

  @Test
  void medianMinMaxAndWinners() {
    QueryRun run = new QueryRun("q", "", List.of(3.0, 1.0, 2.0, 10.0), QueryMetrics.NONE);
    assertThat(run.medianMillis()).isEqualTo(2.5);
    assertThat(run.minMillis()).isEqualTo(1.0);
    assertThat(run.maxMillis()).isEqualTo(10.0);
    BenchResults two =
        new BenchResults(
            1,
            "sales",
            "t",
            Map.of(),
            Map.of(),
            0,
            1,
            List.of(
                results("slow", 100, 200, 50).configurations().get(0),
                new Configuration(
                    "fast",
                    Map.of(),
                    results("x", 50, 300, 10).configurations().get(0).queries())));
    assertThat(two.winners())
        .containsEntry("full_scan", "fast")
        .containsEntry("aggregation", "slow")
        .containsEntry("needle", "fast")
        .containsEntry("overall", "fast");
  }

  @Test
  void resultsRoundTripThroughJsonAndBadFilesSayWhatIsWrong() throws Exception {
    BenchResults results = results("default", 100, 200, 50);
    Path file = folder.resolve("results.json");
    ResultsFile.write(results, file);
    BenchResults read = ResultsFile.read(file);
    assertThat(read).isEqualTo(results);
    assertThat(Files.readString(file)).contains("\"median_ms\" : 100.0", "\"files_read\" : 3");

    assertThatThrownBy(() -> ResultsFile.read(folder.resolve("missing.json")))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("missing.json: it does not exist");
    Path garbage = Files.writeString(folder.resolve("garbage.json"), "{ not json");
    assertThatThrownBy(() -> ResultsFile.read(garbage))
        .hasMessageContaining("garbage.json: not a Lagoa benchmark results file")
        .hasMessageContaining("line 1");
    Path other = Files.writeString(folder.resolve("other.json"), "{\"name\": \"x\"}");
    assertThatThrownBy(() -> ResultsFile.read(other))
        .hasMessageContaining(
            "other.json: not a Lagoa benchmark results file (expected format_version");
  }

  @Test
  void reportHasMarkdownHtmlAndValidPngCharts() throws Exception {
    BenchResults two =
        new BenchResults(
            1,
            "sales",
            "t",
            Map.of("cores", "2"),
            Map.of("rows", "10"),
            0,
            3,
            List.of(
                results("shuffle=2", 100, 200, 50).configurations().get(0),
                new Configuration(
                    "shuffle=200",
                    Map.of(),
                    results("x", 300, 900, 60).configurations().get(0).queries())));
    ReportWriter.Written written = ReportWriter.write(two, folder.resolve("report"));
    assertThat(written.chartProblem()).isNull();
    Path report = folder.resolve("report");
    assertThat(Files.readString(report.resolve("report.md")))
        .contains("# Lagoa benchmark: sales", "## Which wins", "**shuffle=2**")
        .contains("| aggregation | shuffle=2 | 0.200 | shuffle=200 | 0.900 | 4.50x |")
        .contains("![charts/query-times.png](charts/query-times.png)");
    assertThat(Files.readString(report.resolve("report.html")))
        .contains("<img src=\"charts/configurations.png\"", "<td>shuffle=2</td>");
    for (String chart : List.of("charts/query-times.png", "charts/configurations.png")) {
      BufferedImage image = ImageIO.read(report.resolve(chart).toFile());
      assertThat(image).as(chart).isNotNull();
      assertThat(image.getWidth()).isEqualTo(900);
    }
    assertThat(ResultsFile.read(report.resolve("results.json")).configurations()).hasSize(2);
  }
}

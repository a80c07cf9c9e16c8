package io.lagoa.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** PNG bar charts of a run, drawn with JFreeChart without a display. */
final class Charts {
  private static final int WIDTH = 900;

  private Charts() {}

  /** Median seconds per query, one bar per configuration (at most {@code maxSeries}). */
  static void queryTimes(BenchResults results, List<Configuration> shown, Path file)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Configuration configuration : shown) {
      for (QueryRun query : configuration.queries()) {
        data.addValue(query.medianSeconds(), configuration.name(), query.query());
      }
    }
    int categories = results.queryNames().size();
    int height = Math.max(300, 80 + categories * (14 + 10 * shown.size()));
    save(
        ChartFactory.createBarChart(
            "Median time per query (" + results.suite() + ")",
            null,
            "seconds",
            data,
            PlotOrientation.HORIZONTAL,
            shown.size() > 1,
            false,
            false),
        file,
        height);
  }

  /** Geometric mean of the median times per configuration, fastest first. */
  static void configurations(List<Configuration> ranked, Path file) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Configuration configuration : ranked) {
      data.addValue(configuration.geometricMeanMillis() / 1000, "geomean", configuration.name());
    }
    save(
        ChartFactory.createBarChart(
            "Geometric mean of median query times per configuration",
            null,
            "seconds",
            data,
            PlotOrientation.HORIZONTAL,
            false,
            false,
            false),
        file,
        Math.max(250, 80 + ranked.size() * 28));
  }

  private static void save(JFreeChart chart, Path file, int height) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setSeriesPaint(0, new Color(0x1f77b4));
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
  }
}

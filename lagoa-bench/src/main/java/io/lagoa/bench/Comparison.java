package io.lagoa.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Two results files side by side: for every query both measured, the ratio of the median times (new
 * / old), and whether it is a regression (slower by more than the threshold).
 */
public final class Comparison {
  /** One query in one configuration. {@code ratio} above 1 means the new run is slower. */
  public record Line(
      String configuration,
      String query,
      double baselineMillis,
      double candidateMillis,
      double ratio,
      Verdict verdict) {}

  public enum Verdict {
    FASTER,
    SAME,
    SLOWER,
    REGRESSION;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final List<Line> lines;
  private final List<String> onlyInBaseline;
  private final List<String> onlyInCandidate;
  private final double threshold;

  private Comparison(
      List<Line> lines,
      List<String> onlyInBaseline,
      List<String> onlyInCandidate,
      double threshold) {
    this.lines = List.copyOf(lines);
    this.onlyInBaseline = List.copyOf(onlyInBaseline);
    this.onlyInCandidate = List.copyOf(onlyInCandidate);
    this.threshold = threshold;
  }

  /**
   * Compares configurations by name (a single-configuration file matches the other file's single
   * configuration whatever their names), then queries by name.
   *
   * @param threshold e.g. 0.10: slower by more than 10% is a regression, faster or slower by less
   *     than 5% (half the threshold) is the same
   */
  public static Comparison of(BenchResults baseline, BenchResults candidate, double threshold) {
    List<Line> lines = new ArrayList<>();
    List<String> onlyInBaseline = new ArrayList<>();
    List<String> onlyInCandidate = new ArrayList<>();
    boolean single =
        baseline.configurations().size() == 1 && candidate.configurations().size() == 1;
    for (Configuration old : baseline.configurations()) {
      Optional<Configuration> match =
          single
              ? Optional.of(candidate.configurations().get(0))
              : candidate.configurations().stream()
                  .filter(c -> c.name().equals(old.name()))
                  .findFirst();
      String label = single ? "" : old.name();
      if (match.isEmpty()) {
        onlyInBaseline.add(old.name());
        continue;
      }
      for (QueryRun query : old.queries()) {
        Optional<QueryRun> other = match.get().query(query.query());
        if (other.isEmpty()) {
          onlyInBaseline.add(prefix(label) + query.query());
          continue;
        }
        double before = query.medianMillis();
        double after = other.get().medianMillis();
        double ratio = before <= 0 ? Double.NaN : after / before;
        lines.add(new Line(label, query.query(), before, after, ratio, verdict(ratio, threshold)));
      }
      for (QueryRun query : match.get().queries()) {
        if (old.query(query.query()).isEmpty()) {
          onlyInCandidate.add(prefix(label) + query.query());
        }
      }
    }
    if (!single) {
      for (Configuration added : candidate.configurations()) {
        if (baseline.configurations().stream().noneMatch(c -> c.name().equals(added.name()))) {
          onlyInCandidate.add(added.name());
        }
      }
    }
    return new Comparison(lines, onlyInBaseline, onlyInCandidate, threshold);
  }

  static Verdict verdict(double ratio, double threshold) {
    if (Double.isNaN(ratio)) {
      return Verdict.SAME;
    }
    if (ratio > 1 + threshold) {
      return Verdict.REGRESSION;
    }
    if (ratio > 1 + threshold / 2) {
      return Verdict.SLOWER;
    }
    if (ratio < 1 - threshold / 2) {
      return Verdict.FASTER;
    }
    return Verdict.SAME;
  }

  private static String prefix(String configuration) {
    return configuration.isEmpty() ? "" : configuration + ": ";
  }

  public List<Line> lines() {
    return lines;
  }

  public List<Line> regressions() {
    return lines.stream().filter(line -> line.verdict() == Verdict.REGRESSION).toList();
  }

  public List<String> onlyInBaseline() {
    return onlyInBaseline;
  }

  public List<String> onlyInCandidate() {
    return onlyInCandidate;
  }

  public double threshold() {
    return threshold;
  }

  /** Geometric mean of the ratios: above 1, the candidate is slower overall. */
  public double overallRatio() {
    return Statistics.geometricMean(
        lines.stream().map(Line::ratio).filter(ratio -> !Double.isNaN(ratio)).toList());
  }
}

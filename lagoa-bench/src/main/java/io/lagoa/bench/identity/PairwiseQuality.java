package io.lagoa.bench.identity;

import java.util.HashMap;
import java.util.Map;

/**
 * Pairwise precision, recall and F1 of a unification against the truth: of the pairs of records the
 * graph put in one person, how many are truly one person (precision), and of the true pairs, how
 * many the graph found (recall). Counted from cluster sizes, never pair by pair.
 */
public final class PairwiseQuality {
  private final Map<String, Long> predicted = new HashMap<>();
  private final Map<Long, Long> truth = new HashMap<>();
  private final Map<String, Long> both = new HashMap<>();
  private long records;

  /** One record: the person the graph gave it and the person it truly is. */
  public void add(String predictedPerson, long truePerson) {
    predicted.merge(predictedPerson, 1L, Long::sum);
    truth.merge(truePerson, 1L, Long::sum);
    both.merge(predictedPerson + "\u0000" + truePerson, 1L, Long::sum);
    records++;
  }

  public long records() {
    return records;
  }

  public long predictedPersons() {
    return predicted.size();
  }

  public long truePersons() {
    return truth.size();
  }

  public double precision() {
    long pairs = pairs(predicted.values());
    return pairs == 0 ? 1 : (double) pairs(both.values()) / pairs;
  }

  public double recall() {
    long pairs = pairs(truth.values());
    return pairs == 0 ? 1 : (double) pairs(both.values()) / pairs;
  }

  public double f1() {
    double p = precision();
    double r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** The share of true persons the graph found exactly: all their records, and nothing else. */
  public double exactPersons() {
    Map<String, Long> predictedSizes = predicted;
    long exact = 0;
    for (Map.Entry<String, Long> cell : both.entrySet()) {
      String[] parts = cell.getKey().split("\u0000", 2);
      long count = cell.getValue();
      if (count == predictedSizes.get(parts[0]) && count == truth.get(Long.parseLong(parts[1]))) {
        exact++;
      }
    }
    return truth.isEmpty() ? 1 : (double) exact / truth.size();
  }

  private static long pairs(Iterable<Long> sizes) {
    long pairs = 0;
    for (long size : sizes) {
      pairs += size * (size - 1) / 2;
    }
    return pairs;
  }
}

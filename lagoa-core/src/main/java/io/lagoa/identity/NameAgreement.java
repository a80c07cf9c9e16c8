package io.lagoa.identity;

import java.util.Collection;
import java.util.List;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/** Jaro-Winkler similarity of token-sorted normalized names (commons-text). */
final class NameAgreement {
  private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

  private NameAgreement() {}

  static double similarity(String a, String b) {
    if (a == null || b == null) {
      return 0;
    }
    return a.equals(b) ? 1 : JARO_WINKLER.apply(a, b);
  }

  /** The best similarity of {@code name} to any of {@code names}. */
  static double best(String name, Collection<String> names) {
    double best = 0;
    for (String other : names) {
      best = Math.max(best, similarity(name, other));
    }
    return best;
  }

  /**
   * How many different names these are, counting names at least {@link
   * MatchRules#SAME_NAME_SIMILARITY} alike as one ("joao silva", "joao s silva").
   */
  static int distinct(Collection<String> names, List<String> representatives) {
    for (String name : names) {
      if (name != null && best(name, representatives) < MatchRules.SAME_NAME_SIMILARITY) {
        representatives.add(name);
      }
    }
    return representatives.size();
  }
}

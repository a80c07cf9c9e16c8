package io.lagoa.identity;

import java.util.Collection;
import java.util.List;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/** Jaro-Winkler similarity of token-sorted normalized names (commons-text). */
final class NameAgreement {
  private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

  private NameAgreement() {}

  /**
   * How alike two names in {@link KeyExtractor#comparable} form are: the lower of the similarity of
   * the whole names and that of the given names, so relatives who share every surname ("Aline
   * Soares Marques", "Alex Soares Marques") are told apart by their given names.
   */
  static double similarity(String a, String b) {
    if (a == null || b == null) {
      return 0;
    }
    if (a.equals(b)) {
      return 1;
    }
    double whole = JARO_WINKLER.apply(a, b);
    int spaceA = a.indexOf(' ');
    int spaceB = b.indexOf(' ');
    String givenA = spaceA < 0 ? a : a.substring(0, spaceA);
    String givenB = spaceB < 0 ? b : b.substring(0, spaceB);
    return givenA.equals(givenB) ? whole : Math.min(whole, JARO_WINKLER.apply(givenA, givenB));
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
    return distinct(names, representatives, Integer.MAX_VALUE);
  }

  /**
   * As {@link #distinct(Collection, List)}, but stops counting above {@code limit}: a key a
   * thousand records carry costs a thousand comparisons per name kept, not a million.
   */
  static int distinct(Collection<String> names, List<String> representatives, int limit) {
    for (String name : names) {
      if (name != null
          && !representatives.contains(name)
          && best(name, representatives) < MatchRules.SAME_NAME_SIMILARITY) {
        representatives.add(name);
        if (representatives.size() > limit) {
          break;
        }
      }
    }
    return representatives.size();
  }

  /** A similarity with two decimals, for explanations (no Formatter: it is called per match). */
  static String format(double similarity) {
    long hundredths = Math.round(similarity * 100);
    return hundredths / 100 + "." + (hundredths % 100 < 10 ? "0" : "") + hundredths % 100;
  }
}

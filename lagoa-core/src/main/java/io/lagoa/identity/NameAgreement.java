package io.lagoa.identity;

import java.util.Collection;
import java.util.List;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/** Jaro-Winkler similarity of token-sorted normalized names (commons-text). */
final class NameAgreement {
  private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

  private NameAgreement() {}

  /**
   * How alike two names in {@link KeyExtractor#comparable} form are: the similarity of the given
   * names, capped by the better of the whole names' similarity and the surnames' agreement (see
   * {@link #surnames}). Relatives who share every surname ("Aline Soares Marques", "Alex Soares
   * Marques") are told apart by their given names; one person written with one surname or with a
   * typo that moves a surname in the sorted form ("Rodrigo Dias", "Rodrigo Gonçalves Dias") is not.
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
    double given = givenA.equals(givenB) ? 1 : JARO_WINKLER.apply(givenA, givenB);
    if (spaceA < 0 || spaceB < 0) {
      return Math.min(whole, given);
    }
    double surnames = surnames(a.substring(spaceA + 1), b.substring(spaceB + 1));
    return Math.min(given, Math.max(whole, surnames));
  }

  /**
   * How well the surnames of the name with fewer of them are found in the other's: the mean, over
   * its surnames, of the best Jaro-Winkler similarity to a surname of the other (a Monge-Elkan
   * similarity). A surname left out scores nothing against the shorter name, so "Dias" agrees with
   * "Goncalves Dias"; a typo costs only the surname it is in, wherever sorting put it.
   */
  static double surnames(String a, String b) {
    String[] tokensA = a.split(" ");
    String[] tokensB = b.split(" ");
    String[] fewer = tokensA.length <= tokensB.length ? tokensA : tokensB;
    String[] more = fewer == tokensA ? tokensB : tokensA;
    double total = 0;
    for (String token : fewer) {
      double best = 0;
      for (String other : more) {
        best = Math.max(best, token.equals(other) ? 1 : JARO_WINKLER.apply(token, other));
      }
      total += best;
    }
    return total / fewer.length;
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

package io.lagoa.text;

/** Levenshtein distance, for "did you mean" suggestions on misspelled names. */
public final class EditDistance {
  private EditDistance() {}

  /**
   * The known name closest to a misspelled one, when it is close enough to be what was meant (at
   * most 2 edits, or a quarter of the name's length).
   */
  public static java.util.Optional<String> closest(
      String name, java.util.Collection<String> known) {
    return known.stream()
        .min(java.util.Comparator.comparingInt(candidate -> between(candidate, name)))
        .filter(best -> between(best, name) <= Math.max(2, name.length() / 4));
  }

  public static int between(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}

package io.lagoa.identity;

import java.util.OptionalDouble;

/**
 * One key of {@code MATCH ON}: records sharing it belong to one person; with a name similarity,
 * only when their names agree too (a weaker key, e.g. a phone a family shares).
 *
 * @param nameSimilarity the Jaro-Winkler similarity (0..1) the normalized names must reach; empty
 *     for a strong key
 */
public record MatchKey(KeyKind kind, OptionalDouble nameSimilarity) {
  public MatchKey {
    if (nameSimilarity.isPresent()
        && (nameSimilarity.getAsDouble() <= 0 || nameSimilarity.getAsDouble() > 1)) {
      throw new IllegalArgumentException(
          "Cannot match on "
              + kind.column()
              + ": name similarity must be above 0 and at most 1, not "
              + nameSimilarity.getAsDouble());
    }
  }

  public static MatchKey strong(KeyKind kind) {
    return new MatchKey(kind, OptionalDouble.empty());
  }

  public static MatchKey withNames(KeyKind kind, double similarity) {
    return new MatchKey(kind, OptionalDouble.of(similarity));
  }

  public boolean strong() {
    return nameSimilarity.isEmpty();
  }

  /** How the rule reads in explanations: {@code strong key} or {@code names agree >= 0.85}. */
  public String describe() {
    return strong()
        ? "strong key"
        : "names agree >= "
            + String.format(java.util.Locale.ROOT, "%.2f", nameSimilarity.getAsDouble());
  }
}

package io.lagoa.identity;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One key of {@code MATCH ON}: records sharing it belong to one person; with a name similarity,
 * only when their names agree too (a weaker key, e.g. a phone a family shares).
 *
 * @param nameSimilarity the Jaro-Winkler similarity (0..1) the normalized names must reach; empty
 *     for a strong key
 * @param maxNames this key's own over-sharing guard ({@code phone IF NAME SIMILARITY >= 0.85 MAX
 *     NAMES 6}); empty: the graph's {@code MAX NAMES PER KEY}
 */
public record MatchKey(KeyKind kind, OptionalDouble nameSimilarity, OptionalInt maxNames) {
  public MatchKey {
    if (maxNames.isPresent() && maxNames.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "Cannot match on "
              + kind.column()
              + ": MAX NAMES must be at least 1, not "
              + maxNames.getAsInt());
    }
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
    return new MatchKey(kind, OptionalDouble.empty(), OptionalInt.empty());
  }

  public static MatchKey withNames(KeyKind kind, double similarity) {
    return new MatchKey(kind, OptionalDouble.of(similarity), OptionalInt.empty());
  }

  /** This key with its own over-sharing limit. */
  public MatchKey withMaxNames(int limit) {
    return new MatchKey(kind, nameSimilarity, OptionalInt.of(limit));
  }

  /** How the key is written in {@code MATCH ON}: {@code phone IF NAME SIMILARITY >= 0.85}. */
  public String written() {
    StringBuilder text = new StringBuilder(kind.column());
    nameSimilarity.ifPresent(
        similarity ->
            text.append(
                String.format(java.util.Locale.ROOT, " IF NAME SIMILARITY >= %.2f", similarity)));
    maxNames.ifPresent(limit -> text.append(" MAX NAMES ").append(limit));
    return text.toString();
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

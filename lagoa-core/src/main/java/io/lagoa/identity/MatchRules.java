package io.lagoa.identity;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How an identity graph decides that records are one person: {@code CREATE IDENTITY GRAPH ... MATCH
 * ON email, document, phone IF NAME SIMILARITY >= 0.85 MAX NAMES PER KEY 3 PHONE REGION 'BR'}.
 *
 * @param keys the keys matched on, in the order written; each kind once
 * @param maxNamesPerKey the over-sharing guard: a key carried by records with more distinct names
 *     than this (a family phone, a shared office e-mail) joins nobody
 * @param phoneRegion the ISO country of phone numbers written without a country code
 */
public record MatchRules(List<MatchKey> keys, int maxNamesPerKey, String phoneRegion) {
  public static final int DEFAULT_MAX_NAMES_PER_KEY = 3;
  public static final String DEFAULT_PHONE_REGION = "BR";

  /** Names at least this similar count as one name for the over-sharing guard ("Joao S." ...). */
  public static final double SAME_NAME_SIMILARITY = 0.92;

  public MatchRules {
    keys = List.copyOf(keys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("Cannot build an identity graph: MATCH ON names no key");
    }
    Set<KeyKind> seen = EnumSet.noneOf(KeyKind.class);
    for (MatchKey key : keys) {
      if (!seen.add(key.kind())) {
        throw new IllegalArgumentException(
            "Cannot build an identity graph: " + key.kind().column() + " is matched on twice");
      }
    }
    if (maxNamesPerKey < 1) {
      throw new IllegalArgumentException(
          "Cannot build an identity graph: MAX NAMES PER KEY must be at least 1, not "
              + maxNamesPerKey);
    }
  }

  public static MatchRules of(MatchKey... keys) {
    return new MatchRules(List.of(keys), DEFAULT_MAX_NAMES_PER_KEY, DEFAULT_PHONE_REGION);
  }

  /** The over-sharing limit of a key: its own {@code MAX NAMES}, else {@code MAX NAMES PER KEY}. */
  public int maxNames(KeyKind kind) {
    return key(kind)
        .map(MatchKey::maxNames)
        .filter(java.util.OptionalInt::isPresent)
        .map(java.util.OptionalInt::getAsInt)
        .orElse(maxNamesPerKey);
  }

  public Optional<MatchKey> key(KeyKind kind) {
    return keys.stream().filter(key -> key.kind() == kind).findFirst();
  }

  /** The rules as one line, recorded on the graph's tables and shown by explain. */
  public String describe() {
    StringBuilder text = new StringBuilder("MATCH ON ");
    for (int i = 0; i < keys.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(keys.get(i).written());
    }
    return text.append(" MAX NAMES PER KEY ")
        .append(maxNamesPerKey)
        .append(" PHONE REGION '")
        .append(phoneRegion)
        .append("'")
        .toString();
  }

  private static final java.util.regex.Pattern DESCRIBED =
      java.util.regex.Pattern.compile(
          "MATCH ON (.+) MAX NAMES PER KEY ([0-9]+) PHONE REGION '([A-Z]{2})'");

  private static final java.util.regex.Pattern DESCRIBED_KEY =
      java.util.regex.Pattern.compile(
          "([a-z_]+)(?: IF NAME SIMILARITY >= ([0-9.]+))?(?: MAX NAMES ([0-9]+))?");

  /** Reads {@link #describe()}'s text back, as recorded on a graph's tables. */
  public static MatchRules parse(String described) {
    java.util.regex.Matcher matcher = DESCRIBED.matcher(described.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("Cannot read identity rules '" + described + "'");
    }
    List<MatchKey> keys = new java.util.ArrayList<>();
    for (String part : matcher.group(1).split(",")) {
      java.util.regex.Matcher key = DESCRIBED_KEY.matcher(part.strip());
      if (!key.matches()) {
        throw new IllegalArgumentException("Cannot read identity key '" + part + "'");
      }
      KeyKind kind =
          KeyKind.named(key.group(1))
              .orElseThrow(
                  () -> new IllegalArgumentException("Cannot read identity key '" + part + "'"));
      MatchKey read =
          key.group(2) == null
              ? MatchKey.strong(kind)
              : MatchKey.withNames(kind, Double.parseDouble(key.group(2)));
      keys.add(key.group(3) == null ? read : read.withMaxNames(Integer.parseInt(key.group(3))));
    }
    return new MatchRules(keys, Integer.parseInt(matcher.group(2)), matcher.group(3));
  }
}

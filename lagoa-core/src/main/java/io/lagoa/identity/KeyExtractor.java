package io.lagoa.identity;

import io.lagoa.identity.normalize.DocumentNormalizer;
import io.lagoa.identity.normalize.EmailNormalizer;
import io.lagoa.identity.normalize.NameNormalizer;
import io.lagoa.identity.normalize.PhoneNormalizer;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a record's raw values into its normalized name and keys, with the same normalizers as the
 * SQL functions ({@code normalize_email}, ...), so a key here is the value a query computes.
 */
final class KeyExtractor {
  private final MatchRules rules;
  private final PhoneNormalizer phones;

  KeyExtractor(MatchRules rules) {
    this.rules = rules;
    this.phones = new PhoneNormalizer(rules.phoneRegion());
  }

  /**
   * @param keys the normalized value of each key the rules match on
   * @param garbage the kinds whose raw value was there but did not normalize
   * @param name the normalized name (for display), null when none
   * @param comparableName the token-sorted name names are compared by, null when none
   */
  record Extracted(
      Map<KeyKind, String> keys, Set<KeyKind> garbage, String name, String comparableName) {}

  Extracted extract(SourceRecord record) {
    Map<KeyKind, String> keys = new EnumMap<>(KeyKind.class);
    Set<KeyKind> garbage = EnumSet.noneOf(KeyKind.class);
    for (MatchKey key : rules.keys()) {
      String raw = record.raw().get(key.kind());
      if (raw == null || raw.isBlank()) {
        continue;
      }
      Optional<String> value = normalize(key.kind(), raw);
      if (value.isPresent()) {
        keys.put(key.kind(), value.get());
      } else {
        garbage.add(key.kind());
      }
    }
    String name = null;
    String comparable = null;
    if (record.name() != null && !record.name().isBlank()) {
      name = NameNormalizer.normalize(record.name()).orElse(null);
      comparable =
          record.name().indexOf(',') < 0
              ? comparable(name == null ? List.of() : List.of(name.split(" ")), List.of())
              : comparable(record.name());
    }
    return new Extracted(keys, garbage, name, comparable);
  }

  /**
   * The form names are compared in: the given name first, then the other names sorted, so "Silva
   * Santos, João", "joão santos silva" and "JOAO SILVA SANTOS" are one form, while family members
   * who share surnames differ from the first letter on (a token-sorted form would put the shared
   * surname first and let Jaro-Winkler's prefix bonus join them).
   */
  static String comparable(String raw) {
    int comma = raw.indexOf(',');
    return comparable(tokens(raw.substring(comma + 1)), tokens(raw.substring(0, comma)));
  }

  /**
   * The given name's tokens first, then the other names, sorted: see {@link #comparable(String)}.
   */
  private static String comparable(List<String> given, List<String> rest) {
    List<String> givenTokens = given;
    List<String> others = new java.util.ArrayList<>(rest);
    if (givenTokens.isEmpty()) {
      givenTokens = others;
      others = new java.util.ArrayList<>();
    }
    if (givenTokens.isEmpty()) {
      return null;
    }
    others.addAll(givenTokens.subList(1, givenTokens.size()));
    java.util.Collections.sort(others);
    StringBuilder form = new StringBuilder(givenTokens.get(0));
    others.forEach(token -> form.append(' ').append(token));
    return form.toString();
  }

  private static java.util.List<String> tokens(String text) {
    return NameNormalizer.normalize(text)
        .map(normalized -> java.util.List.of(normalized.split(" ")))
        .orElse(java.util.List.of());
  }

  Optional<String> normalize(KeyKind kind, String raw) {
    return switch (kind) {
      case EMAIL -> EmailNormalizer.normalize(raw);
      case PHONE -> phones.toE164(raw);
      case DOCUMENT -> DocumentNormalizer.cpf(raw);
    };
  }
}

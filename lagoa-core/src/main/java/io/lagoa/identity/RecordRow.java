package io.lagoa.identity;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One row of the graph's table: a source record, its person and why it is there.
 *
 * @param name the normalized name, null when the record has none
 * @param keys the record's normalized keys, by kind
 * @param matchKey the key through which it joined its person, null for the first record of one
 * @param matchedWith the record or person it shares that key with
 * @param matchRule the rule that allowed it ({@code strong key}, {@code names agree >= 0.85
 *     (0.93)}, {@code new person}, {@code split from p_... : reason})
 * @param loadedAt when the record reached the graph (kept when it moves to another person)
 * @param personSince when its person was first seen
 */
public record RecordRow(
    RecordRef ref,
    String personId,
    String name,
    Map<KeyKind, String> keys,
    String matchKey,
    String matchedWith,
    String matchRule,
    Instant loadedAt,
    Instant personSince) {
  public RecordRow {
    keys = KeyMaps.copy(keys);
  }

  public Optional<String> key(KeyKind kind) {
    return Optional.ofNullable(keys.get(kind)).map(kind::key);
  }

  public RecordRow withPerson(String person, Instant since) {
    return new RecordRow(
        ref, person, name, keys, matchKey, matchedWith, matchRule, loadedAt, since);
  }

  public RecordRow withMatch(String person, Instant since, String key, String with, String rule) {
    return new RecordRow(ref, person, name, keys, key, with, rule, loadedAt, since);
  }
}

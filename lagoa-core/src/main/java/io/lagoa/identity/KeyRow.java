package io.lagoa.identity;

import java.time.Instant;
import java.util.List;

/**
 * One row of the key index ({@code <graph>_keys}): a key and a person that holds it. A strong key
 * has one active row; a key with a name rule may have one per person (a family phone below the
 * over-sharing limit); a rejected key keeps its rows with their status.
 *
 * @param names the distinct normalized names seen with the key for this person (at most the limit
 *     plus one), for the over-sharing guard and name agreement
 * @param records how many records brought the key to this person
 * @param personSince when the person was first seen (the oldest survives a merge)
 */
public record KeyRow(
    String key,
    String personId,
    List<String> names,
    long records,
    KeyStatus status,
    Instant personSince,
    Instant updatedAt) {
  public KeyRow {
    names = List.copyOf(names);
  }

  public KeyKind kind() {
    return KeyKind.ofKey(key);
  }

  /** The row's identity in the index. */
  public Id id() {
    return new Id(key, personId);
  }

  public record Id(String key, String personId) {}
}

package io.lagoa.identity;

import io.lagoa.text.ShortHash;

/**
 * Person ids: {@code p_} and 16 hex digits of a SHA-256, derived from the person's first record (so
 * a rebuild from the same records gives the same ids) or, for the half a split takes away, from the
 * split itself.
 */
public final class PersonIds {
  private PersonIds() {}

  /** The id of a person whose first record (in source, record id order) is {@code first}. */
  public static String of(RecordRef first) {
    return "p_" + ShortHash.of("record\u0000" + first.source() + "\u0000" + first.recordId());
  }

  /** The id of the person a split makes of {@code moved} (sorted), taken from {@code from}. */
  public static String split(String from, java.util.List<RecordRef> moved) {
    StringBuilder text = new StringBuilder("split\u0000").append(from);
    moved.stream().sorted().forEach(ref -> text.append('\u0000').append(ref));
    return "p_" + ShortHash.of(text.toString());
  }

  public static boolean looksLikeId(String text) {
    return text.matches("p_[0-9a-f]{16}");
  }
}

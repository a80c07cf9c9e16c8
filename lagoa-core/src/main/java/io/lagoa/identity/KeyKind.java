package io.lagoa.identity;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A kind of identifying key a record can carry. The name is also the column the graph's query gives
 * it in, and the prefix of the key's text in the key index ({@code email:joao@x.com}).
 */
public enum KeyKind {
  /** A normalized e-mail address. */
  EMAIL,
  /** A phone number in E.164, e.g. {@code +5511999999999}. */
  PHONE,
  /** A Brazilian CPF, its 11 digits, check digits verified. */
  DOCUMENT;

  /** The column of the graph's query and the key's prefix: {@code email}, {@code phone}. */
  public String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The key's text in the key index: {@code kind:value}. */
  public String key(String normalizedValue) {
    return column() + ":" + normalizedValue;
  }

  public static Optional<KeyKind> named(String name) {
    return Arrays.stream(values()).filter(kind -> kind.column().equalsIgnoreCase(name)).findFirst();
  }

  /** The kind of a key's text ({@code phone:+55...}). */
  public static KeyKind ofKey(String key) {
    return switch (key.charAt(0)) { // called for every key of a batch: no lookup by name
      case 'e' -> EMAIL;
      case 'p' -> PHONE;
      case 'd' -> DOCUMENT;
      default -> throw new IllegalArgumentException("Cannot read key '" + key + "'");
    };
  }

  /** The value part of a key's text. */
  public static String valueOfKey(String key) {
    return key.substring(key.indexOf(':') + 1);
  }
}

package io.lagoa.identity;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Unmodifiable copies of key maps, null values left out. */
final class KeyMaps {
  private KeyMaps() {}

  static Map<KeyKind, String> copy(Map<KeyKind, String> keys) {
    EnumMap<KeyKind, String> copy = new EnumMap<>(KeyKind.class);
    keys.forEach(
        (kind, value) -> {
          if (value != null) {
            copy.put(kind, value);
          }
        });
    return Collections.unmodifiableMap(copy);
  }
}

package io.lagoa.maintenance;

import java.util.Optional;
import java.util.function.Function;

/**
 * One declared table property: its key, type, default (as written), what it does, and an extra
 * check beyond the type (e.g. a lower bound) that returns why a parsed value is refused.
 */
public record TableProperty(
    String key,
    PropertyType type,
    String defaultValue,
    String doc,
    Function<Object, Optional<String>> check) {

  public static TableProperty of(String key, PropertyType type, String defaultValue, String doc) {
    return new TableProperty(key, type, defaultValue, doc, value -> Optional.empty());
  }

  public TableProperty checked(Function<Object, Optional<String>> extra) {
    return new TableProperty(key, type, defaultValue, doc, extra);
  }

  /**
   * The value parsed and checked.
   *
   * @throws IllegalArgumentException saying what was expected
   */
  public Object parse(String text) {
    Object value = type.parse(text);
    Optional<String> refused = check.apply(value);
    if (refused.isPresent()) {
      throw new IllegalArgumentException(refused.get());
    }
    return value;
  }
}

package io.lagoa.config;

import java.util.List;
import java.util.Locale;

/** The type of a configuration value, and how raw text becomes that value. */
public sealed interface ValueType {
  /** Checks and normalizes raw text; throws IllegalArgumentException with what was expected. */
  String normalize(String raw);

  String describe();

  ValueType STRING = new Text();
  ValueType POSITIVE_INT = new PositiveInt(false);
  ValueType POSITIVE_INT_OR_AUTO = new PositiveInt(true);
  ValueType BOOLEAN = new OneOf(List.of("true", "false"));

  /** A TCP port, 0 to 65535 (0: any free port). */
  ValueType PORT = new Port();

  /** A nested mapping of free-form string keys to string values (e.g. extra Spark settings). */
  ValueType MAP = new StringMap();

  static ValueType oneOf(String... values) {
    return new OneOf(List.of(values));
  }

  record Text() implements ValueType {
    @Override
    public String normalize(String raw) {
      return raw;
    }

    @Override
    public String describe() {
      return "a string";
    }
  }

  record PositiveInt(boolean allowAuto) implements ValueType {
    @Override
    public String normalize(String raw) {
      String value = raw.trim();
      if (allowAuto && value.equalsIgnoreCase("auto")) {
        return "auto";
      }
      try {
        int parsed = Integer.parseInt(value);
        if (parsed > 0) {
          return Integer.toString(parsed);
        }
      } catch (NumberFormatException ignored) {
        // fall through to the error below
      }
      throw new IllegalArgumentException("expected " + describe() + " but got '" + raw + "'");
    }

    @Override
    public String describe() {
      return allowAuto ? "a positive integer or 'auto'" : "a positive integer";
    }
  }

  record OneOf(List<String> values) implements ValueType {
    @Override
    public String normalize(String raw) {
      String value = raw.trim().toLowerCase(Locale.ROOT);
      if (values.contains(value)) {
        return value;
      }
      throw new IllegalArgumentException("expected " + describe() + " but got '" + raw + "'");
    }

    @Override
    public String describe() {
      return "one of " + String.join(", ", values);
    }
  }

  record Port() implements ValueType {
    @Override
    public String normalize(String raw) {
      try {
        int port = Integer.parseInt(raw.trim());
        if (port >= 0 && port <= 65535) {
          return Integer.toString(port);
        }
      } catch (NumberFormatException ignored) {
        // fall through to the error below
      }
      throw new IllegalArgumentException("expected " + describe() + " but got '" + raw + "'");
    }

    @Override
    public String describe() {
      return "a port number from 0 to 65535";
    }
  }

  record StringMap() implements ValueType {
    @Override
    public String normalize(String raw) {
      throw new IllegalArgumentException("expected a mapping of keys to values");
    }

    @Override
    public String describe() {
      return "a mapping of keys to values";
    }
  }
}

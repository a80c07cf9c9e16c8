package io.lagoa.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The type of a source argument's value, and how a written value is checked. */
public sealed interface SourceArgumentType {
  /** Any text. */
  SourceArgumentType TEXT = new Text();

  /** A whole number above 0. */
  SourceArgumentType POSITIVE_LONG = new PositiveLong();

  /** TRUE or FALSE, in any case. */
  SourceArgumentType BOOLEAN = new Bool();

  /** {@code earliest}, {@code latest} or offsets per partition as JSON. */
  SourceArgumentType STARTING_OFFSETS = new StartingOffsets();

  /** {@code name=value} pairs separated by commas. */
  SourceArgumentType OPTIONS = new Options();

  static SourceArgumentType oneOf(String... values) {
    return new OneOf(List.of(values));
  }

  /**
   * Why the written value is not of this type, as the sentence after the argument's place (it names
   * the argument and the value); empty when the value is fine.
   */
  Optional<String> problem(String argument, String value);

  record Text() implements SourceArgumentType {
    @Override
    public Optional<String> problem(String argument, String value) {
      return Optional.empty();
    }
  }

  record PositiveLong() implements SourceArgumentType {
    @Override
    public Optional<String> problem(String argument, String value) {
      long parsed;
      try {
        parsed = Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        parsed = -1;
      }
      return parsed > 0
          ? Optional.empty()
          : Optional.of(argument + " must be a whole number above 0, not " + value);
    }
  }

  record Bool() implements SourceArgumentType {
    @Override
    public Optional<String> problem(String argument, String value) {
      String stripped = value.strip();
      return stripped.equalsIgnoreCase("true") || stripped.equalsIgnoreCase("false")
          ? Optional.empty()
          : Optional.of(argument + " must be TRUE or FALSE, not " + value);
    }
  }

  /** One of a few words, in any case; {@link #values} in the order the docs list them. */
  record OneOf(List<String> values) implements SourceArgumentType {
    public OneOf {
      values = List.copyOf(values);
    }

    @Override
    public Optional<String> problem(String argument, String value) {
      return values.contains(value.strip().toLowerCase(Locale.ROOT))
          ? Optional.empty()
          : Optional.of(
              argument
                  + " must be one of "
                  + String.join(", ", new java.util.TreeSet<>(values))
                  + ", not '"
                  + value
                  + "'");
    }

    /** {@code 'json', 'csv', 'parquet' or 'text'}. */
    public String listed() {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < values.size(); i++) {
        text.append(i == 0 ? "" : i == values.size() - 1 ? " or " : ", ")
            .append('\'')
            .append(values.get(i))
            .append('\'');
      }
      return text.toString();
    }
  }

  record StartingOffsets() implements SourceArgumentType {
    @Override
    public Optional<String> problem(String argument, String value) {
      String starting = value.strip();
      if (starting.equalsIgnoreCase("earliest")
          || starting.equalsIgnoreCase("latest")
          || starting.startsWith("{")) {
        return Optional.empty();
      }
      return Optional.of(
          argument
              + " must be 'earliest', 'latest' or offsets per partition as"
              + " JSON ({\"topic\":{\"0\":42}}), not '"
              + starting
              + "'");
    }
  }

  record Options() implements SourceArgumentType {
    @Override
    public Optional<String> problem(String argument, String value) {
      for (String pair : value.split(",")) {
        if (!pair.isBlank() && pair.indexOf('=') <= 0) {
          return Optional.of(
              argument
                  + " is a list of name=value pairs separated by commas,"
                  + " e.g. 'security.protocol=SSL'; '"
                  + pair.strip()
                  + "' has no =");
        }
      }
      return Optional.empty();
    }
  }
}

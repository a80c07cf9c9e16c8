package io.lagoa.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A call of a source function in a pipeline query: {@code read_kafka(...)}, {@code read_files(...)}
 * or {@code read_postgres_cdc(...)}, with {@code STREAM} in front of it for an incremental read.
 *
 * <p>Spark's grammar has no {@code STREAM read_kafka(...)}, so the call is cut out of the text
 * Spark parses and stands there as a relation named {@link #placeholder()}; each run replaces that
 * name with a view of the data the call reads.
 *
 * @param index the call's number in its statement, from 1
 * @param start offset of the call (of STREAM, when present) in the statement's text
 * @param end offset just past the call
 * @param nameOffset offset of the function's name, where the placeholder is written: unlike the
 *     span's start, at least ten characters without a line break follow it
 * @param arguments the named arguments, by lower-case name; a positional first argument of
 *     read_files is stored as {@code path}
 */
public record SourceCall(
    SourceKind kind,
    int index,
    boolean streaming,
    Map<String, Argument> arguments,
    SourcePosition position,
    int start,
    int end,
    int nameOffset) {

  public SourceCall {
    arguments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
  }

  /** One argument's value as written, and where its name and its value are. */
  public record Argument(
      String name, String value, SourcePosition namePosition, SourcePosition position) {}

  public enum SourceKind {
    KAFKA("read_kafka"),
    FILES("read_files"),
    POSTGRES_CDC("read_postgres_cdc");

    private final String function;

    SourceKind(String function) {
      this.function = function;
    }

    public String function() {
      return function;
    }

    static Optional<SourceKind> of(String function) {
      for (SourceKind kind : values()) {
        if (kind.function.equalsIgnoreCase(function)) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  /** The same call in a text where its statement starts {@code offset} characters later. */
  SourceCall shifted(int offset) {
    return new SourceCall(
        kind,
        index,
        streaming,
        arguments,
        position,
        start + offset,
        end + offset,
        nameOffset + offset);
  }

  /** The relation name that stands for this call in the text Spark parses. */
  public String placeholder() {
    return placeholder(index);
  }

  static String placeholder(int index) {
    return "__src" + index;
  }

  public Optional<String> argument(String name) {
    Argument argument = arguments.get(name.toLowerCase(Locale.ROOT));
    return argument == null ? Optional.empty() : Optional.of(argument.value());
  }

  /** Where an argument is written, or the call's place when it is not. */
  public SourcePosition positionOf(String name) {
    Argument argument = arguments.get(name.toLowerCase(Locale.ROOT));
    return argument == null ? position : argument.position();
  }

  /**
   * The name this source has in the graph and in run history: {@code kafka:topic} or {@code
   * files:/landing/sales}.
   */
  public String displayName() {
    return switch (kind) {
      case KAFKA -> "kafka:" + argument("topic").orElse("?");
      case FILES -> "files:" + argument("path").orElse("?");
      case POSTGRES_CDC -> "postgres:" + argument("table").orElse("?");
    };
  }

  /**
   * Arguments each kind takes, in the order of their declarations in {@link SourceArguments};
   * anything else is reported with a suggestion.
   */
  public static List<String> knownArguments(SourceKind kind) {
    return SourceArguments.names(SourceArguments.of(kind));
  }

  public static List<String> requiredArguments(SourceKind kind) {
    return SourceArguments.names(
        SourceArguments.of(kind).stream().filter(SourceArgument::required).toList());
  }
}

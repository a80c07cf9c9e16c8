package io.lagoa.pipeline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One argument of a source function, declared once in {@link SourceArguments}: its name, type,
 * default and doc drive the check of a call at validate time, the argument tables in the docs, and
 * the values the readers use.
 *
 * @param kind the source function it belongs to
 * @param name the name, lower case
 * @param type how a written value is checked
 * @param defaultValue the value when it is not written; null when there is none (required, or a
 *     default that depends on other arguments, which {@code defaultDoc} describes)
 * @param required whether a call must give it
 * @param positional whether it may also be written as the call's first, unnamed argument
 * @param defaultDoc the default as the docs show it
 * @param doc what it means, as the docs show it (Markdown)
 */
public record SourceArgument(
    SourceCall.SourceKind kind,
    String name,
    SourceArgumentType type,
    String defaultValue,
    boolean required,
    boolean positional,
    String defaultDoc,
    String doc) {

  /** The value as written, stripped; empty when the call does not give it. */
  public Optional<String> written(SourceCall call) {
    check(call);
    return call.argument(name).map(String::strip);
  }

  /** The value exactly as written (not stripped: a delimiter may be a space), or the default. */
  public Optional<String> raw(SourceCall call) {
    check(call);
    return call.argument(name).or(() -> Optional.ofNullable(defaultValue));
  }

  /** The value as written, stripped, or the default. */
  public Optional<String> text(SourceCall call) {
    return written(call).or(() -> Optional.ofNullable(defaultValue));
  }

  /** The value, or the default, in lower case: for {@link SourceArgumentType.OneOf} arguments. */
  public String word(SourceCall call) {
    return text(call).orElseThrow(() -> missing(call)).toLowerCase(Locale.ROOT);
  }

  /** A {@link SourceArgumentType#POSITIVE_LONG} argument's value, or its default. */
  public long longValue(SourceCall call) {
    return Long.parseLong(text(call).orElseThrow(() -> missing(call)));
  }

  /** A {@link SourceArgumentType#BOOLEAN} argument's value, or its default. */
  public boolean booleanValue(SourceCall call) {
    return text(call).orElseThrow(() -> missing(call)).equalsIgnoreCase("true");
  }

  /** An {@link SourceArgumentType#OPTIONS} argument's pairs, in the order written. */
  public Map<String, String> options(SourceCall call) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String pair : text(call).orElse("").split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            call.positionOf(name)
                + ": "
                + type.problem(name, pair).orElse(name + ": '" + pair.strip() + "' has no ="));
      }
      options.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip());
    }
    return options;
  }

  private void check(SourceCall call) {
    if (call.kind() != kind) {
      throw new IllegalArgumentException(
          "Cannot read "
              + name
              + " of "
              + kind.function()
              + " from a call of "
              + call.kind().function());
    }
  }

  private IllegalStateException missing(SourceCall call) {
    return new IllegalStateException(
        call.positionOf(name)
            + ": "
            + kind.function()
            + " has no value for "
            + name
            + " and it has no default");
  }
}

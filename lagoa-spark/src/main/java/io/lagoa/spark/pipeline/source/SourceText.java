package io.lagoa.spark.pipeline.source;

/** Small text helpers the readers share: messages and SQL literals. */
final class SourceText {
  private SourceText() {}

  /** The first non-blank line of a message, without Spark's "(line 1, pos 2)". */
  static String firstLine(String message) {
    for (String line : message.strip().split("\n")) {
      if (!line.isBlank()) {
        return line.replaceAll(" ?\\(line \\d+, pos \\d+\\)$", "").strip();
      }
    }
    return message.strip();
  }

  /** The innermost cause's message, with the outer message in parentheses when they differ. */
  static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return cause == e ? message : message + " (" + String.valueOf(e.getMessage()) + ")";
  }

  /** A SQL string literal. */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A quoted SQL identifier. */
  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}

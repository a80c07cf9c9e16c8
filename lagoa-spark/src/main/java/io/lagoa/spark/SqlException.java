package io.lagoa.spark;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A statement failed. The message is Spark's (with its error condition and SQLSTATE); line and
 * column, when Spark knows them, are relative to the statement (line 1-based, column 0-based).
 */
public final class SqlException extends LagoaException {
  private static final long serialVersionUID = 1L;

  /**
   * Spark's own position at the end of a message's first line: "(line 1, pos 0)" in parse errors,
   * "; line 2 pos 7" in analysis errors. Both are 0-based columns relative to the statement.
   */
  private static final Pattern SPARK_POSITION =
      Pattern.compile("(?: ?\\(line \\d+, pos \\d+\\)|; line \\d+ pos \\d+)(?=\\n|$)");

  private final transient OptionalInt line;
  private final transient OptionalInt column;

  public SqlException(String message, OptionalInt line, OptionalInt column, Throwable cause) {
    super(ErrorCode.SQL_ERROR, message, cause);
    this.line = line;
    this.column = column;
  }

  public OptionalInt line() {
    return line;
  }

  public OptionalInt column() {
    return column;
  }

  /**
   * The message without Spark's statement-relative, 0-based "line 2 pos 7", for callers that put
   * the 1-based position in the file or text in front of it. Spark's "== SQL ==" excerpt, which
   * marks the place with {@code ^^^}, stays.
   */
  public String messageWithoutPosition() {
    return SPARK_POSITION.matcher(getMessage()).replaceFirst("");
  }
}

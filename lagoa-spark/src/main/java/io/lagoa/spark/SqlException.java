package io.lagoa.spark;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.OptionalInt;

/**
 * A statement failed. The message is Spark's (with its error condition and SQLSTATE); line and
 * column, when Spark knows them, are relative to the statement (line 1-based, column 0-based).
 */
public final class SqlException extends LagoaException {
  private static final long serialVersionUID = 1L;
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
}

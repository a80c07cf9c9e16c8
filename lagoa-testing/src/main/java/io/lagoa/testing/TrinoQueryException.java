package io.lagoa.testing;

/**
 * A statement Trino refused or failed, with Trino's own error: its message, name (e.g. {@code
 * SYNTAX_ERROR}, {@code TABLE_NOT_FOUND}), type ({@code USER_ERROR}, {@code INTERNAL_ERROR}, {@code
 * INSUFFICIENT_RESOURCES}, {@code EXTERNAL}) and code, as the client protocol reports them.
 */
public final class TrinoQueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String queryId;
  private final String errorName;
  private final String errorType;
  private final int errorCode;
  private final String trinoMessage;

  TrinoQueryException(
      String sql,
      String queryId,
      String trinoMessage,
      String errorName,
      String errorType,
      int errorCode,
      String serverStack) {
    super(
        "Trino failed the query "
            + queryId
            + ": "
            + trinoMessage
            + " ("
            + errorName
            + ", "
            + errorType
            + ")\n  in: "
            + sql
            + (serverStack == null ? "" : "\n  server stack:\n" + serverStack));
    this.queryId = queryId;
    this.trinoMessage = trinoMessage;
    this.errorName = errorName;
    this.errorType = errorType;
    this.errorCode = errorCode;
  }

  public String queryId() {
    return queryId;
  }

  /** Trino's message alone, e.g. {@code line 1:1: mismatched input 'SELEC'. Expecting: ...}. */
  public String trinoMessage() {
    return trinoMessage;
  }

  /** e.g. {@code SYNTAX_ERROR}, {@code CATALOG_NOT_FOUND}, {@code GENERIC_INTERNAL_ERROR}. */
  public String errorName() {
    return errorName;
  }

  /**
   * {@code USER_ERROR}, {@code INTERNAL_ERROR}, {@code INSUFFICIENT_RESOURCES} or {@code EXTERNAL}.
   */
  public String errorType() {
    return errorType;
  }

  public int errorCode() {
    return errorCode;
  }
}

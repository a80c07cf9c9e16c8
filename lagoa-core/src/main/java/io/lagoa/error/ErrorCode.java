package io.lagoa.error;

/**
 * Every error Lagoa reports carries one of these codes. The exit code is what the CLI returns, so
 * scripts can tell bad configuration (2) from a failed statement (1).
 */
public enum ErrorCode {
  CONFIG_INVALID(ErrorType.USER_ERROR, 2),
  CATALOG_UNREACHABLE(ErrorType.EXTERNAL, 2),
  STORAGE_UNREACHABLE(ErrorType.EXTERNAL, 2),
  KAFKA_UNREACHABLE(ErrorType.EXTERNAL, 2),
  INVALID_ARGUMENT(ErrorType.USER_ERROR, 2),
  SQL_ERROR(ErrorType.USER_ERROR, 1),
  TABLE_NOT_FOUND(ErrorType.USER_ERROR, 1),
  SNAPSHOT_NOT_FOUND(ErrorType.USER_ERROR, 1),
  TABLE_CONFLICT(ErrorType.USER_ERROR, 1),
  IO_ERROR(ErrorType.EXTERNAL, 1),
  PIPELINE_INVALID(ErrorType.USER_ERROR, 1),
  PIPELINE_FAILED(ErrorType.USER_ERROR, 1),
  /** Another runner holds the pipeline's lease; nothing was done. */
  PIPELINE_BUSY(ErrorType.USER_ERROR, 3),
  INTERNAL_ERROR(ErrorType.INTERNAL, 1);

  private final ErrorType type;
  private final int exitCode;

  ErrorCode(ErrorType type, int exitCode) {
    this.type = type;
    this.exitCode = exitCode;
  }

  public ErrorType type() {
    return type;
  }

  public int exitCode() {
    return exitCode;
  }
}

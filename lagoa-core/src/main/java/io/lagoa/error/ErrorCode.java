package io.lagoa.error;

/**
 * Every error Lagoa reports carries one of these codes; the exit code is what the CLI returns. One
 * rule decides it:
 *
 * <ul>
 *   <li><b>2: the input was rejected, nothing ran.</b> Bad command-line arguments, a bad {@code
 *       lagoa.yaml} or {@code LAGOA_*} variable, a pipeline whose {@code pipeline.yaml} or {@code
 *       .sql} files do not parse or validate, and a configured catalog, storage or Kafka that does
 *       not answer when Lagoa checks it before starting. Fix the input and run again.
 *   <li><b>1: the work failed.</b> A SQL statement that fails (in {@code lagoa sql} statements run
 *       one by one, so syntax errors count here too: the statements before it have run), a table or
 *       snapshot that does not exist, a pipeline run that failed and was rolled back, reading or
 *       writing files, a service failing in the middle of the work, and bugs.
 *   <li><b>3: another runner holds the pipeline, nothing ran.</b> Scripts (cron) can tell an
 *       overlap from a failure.
 * </ul>
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
  PIPELINE_INVALID(ErrorType.USER_ERROR, 2),
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

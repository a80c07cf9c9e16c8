package io.lagoa.cdc;

/**
 * Why change data capture cannot start or go on, with the argument of the call that is to blame (so
 * the caller can point at it) and a message that says what to do.
 */
public final class CdcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The server does not answer at the URL. */
    UNREACHABLE,
    /** Wrong user or password. */
    AUTHENTICATION,
    /** wal_level is not logical. */
    WAL_LEVEL,
    /** The table does not exist. */
    TABLE_MISSING,
    /** The user may not replicate. */
    NO_REPLICATION_PRIVILEGE,
    /** Anything else the server or the connector refused. */
    FAILED
  }

  private final Kind kind;
  private final String argument;

  public CdcException(Kind kind, String argument, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.argument = argument;
  }

  public Kind kind() {
    return kind;
  }

  /** The argument of the call the problem is with ({@code url}, {@code table}, ...). */
  public String argument() {
    return argument;
  }
}

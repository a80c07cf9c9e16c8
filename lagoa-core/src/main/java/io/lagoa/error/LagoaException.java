package io.lagoa.error;

/** An error with a code; its message is written for the person who has to fix it. */
public class LagoaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public LagoaException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public LagoaException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}

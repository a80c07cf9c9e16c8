package io.lagoa.error;

import io.lagoa.config.Secrets;
import io.lagoa.text.SecretPatterns;

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

  /**
   * The innermost cause's message (or its class name when it has none), for one-line errors. A
   * driver's message may echo a URL with its password: secrets in it are masked ({@link
   * Secrets#maskText}).
   */
  public static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank()
        ? root.getClass().getSimpleName()
        : SecretPatterns.maskText(message.strip());
  }
}

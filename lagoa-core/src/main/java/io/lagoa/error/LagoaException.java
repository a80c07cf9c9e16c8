package io.lagoa.error;

import io.lagoa.text.SecretPatterns;
import java.util.Optional;

/** An error with a code; its message is written for the person who has to fix it. */
public class LagoaException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;
  private final Remedy remedy;

  public LagoaException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public LagoaException(ErrorCode code, String message, Throwable cause) {
    this(code, message, cause, null);
  }

  /**
   * @param remedy what the user can do, which the adapter words (the message does not name it)
   */
  public LagoaException(ErrorCode code, String message, Throwable cause, Remedy remedy) {
    super(message, cause);
    this.code = code;
    this.remedy = remedy;
  }

  public ErrorCode code() {
    return code;
  }

  /** What the user can do about this error, for the adapter to word; empty when nothing typed. */
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }

  /** The first remedy in {@code error}'s chain of causes. */
  public static Optional<Remedy> remedyOf(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof LagoaException lagoa && lagoa.remedy != null) {
        return Optional.of(lagoa.remedy);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * The innermost cause's message (or its class name when it has none), for one-line errors. A
   * driver's message may echo a URL with its password: secrets in it are masked ({@link
   * SecretPatterns#maskText}).
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

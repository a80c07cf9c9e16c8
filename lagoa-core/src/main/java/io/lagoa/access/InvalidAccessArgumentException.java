package io.lagoa.access;

/** A privilege, securable or name that does not parse or is not allowed. */
public final class InvalidAccessArgumentException extends AccessException {
  private static final long serialVersionUID = 1L;

  public InvalidAccessArgumentException(String message) {
    super(message);
  }
}

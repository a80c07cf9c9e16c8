package io.lagoa.access;

/** A revoke of a privilege or role membership that was never granted. */
public final class NoSuchGrantException extends AccessException {
  private static final long serialVersionUID = 1L;

  public NoSuchGrantException(String message) {
    super(message);
  }
}

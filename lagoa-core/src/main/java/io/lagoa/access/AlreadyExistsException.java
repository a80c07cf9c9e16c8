package io.lagoa.access;

/** A principal or role that cannot be created because one of that name exists. */
public final class AlreadyExistsException extends AccessException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(String message) {
    super(message);
  }
}

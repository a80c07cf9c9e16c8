package io.lagoa.access;

/** A role name that is not in the access store. */
public final class NoSuchRoleException extends AccessException {
  private static final long serialVersionUID = 1L;
  private final String role;

  public NoSuchRoleException(String role, String message) {
    super(message);
    this.role = role;
  }

  public String role() {
    return role;
  }
}

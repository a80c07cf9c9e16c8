package io.lagoa.access;

/** A principal name that is not in the access store. */
public final class NoSuchPrincipalException extends AccessException {
  private static final long serialVersionUID = 1L;
  private final String principal;

  public NoSuchPrincipalException(String principal, String message) {
    super(message);
    this.principal = principal;
  }

  public String principal() {
    return principal;
  }
}

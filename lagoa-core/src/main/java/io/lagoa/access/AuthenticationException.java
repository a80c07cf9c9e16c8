package io.lagoa.access;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;

/**
 * A request whose credentials or token do not prove who it is. The message names the client id or
 * principal, never the secret or the token.
 */
public final class AuthenticationException extends LagoaException {
  private static final long serialVersionUID = 1L;

  /** Why authentication failed. */
  public enum Reason {
    /** An unknown client id or a wrong client secret (not told apart, on purpose). */
    BAD_CREDENTIALS,
    /** A token past its expiry time. */
    EXPIRED,
    /** A token that is malformed, not signed with this catalog's key, or forged. */
    INVALID,
    /** A valid token of a principal that has been deleted since it was issued. */
    UNKNOWN_PRINCIPAL
  }

  private final Reason reason;

  public AuthenticationException(Reason reason, String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

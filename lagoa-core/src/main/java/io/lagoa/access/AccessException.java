package io.lagoa.access;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;

/**
 * An access-control request that names something wrong: an unknown principal or role, a name that
 * is taken, a grant that does not exist, a value that does not parse. The message names the value
 * and, when one is close, what was probably meant. Adapters map the subtypes: not found, conflict,
 * bad request.
 */
public class AccessException extends LagoaException {
  private static final long serialVersionUID = 1L;

  public AccessException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }
}

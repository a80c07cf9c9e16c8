package io.lagoa.server;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;

/** The server cannot start: its port, certificate or catalog is not usable. */
public final class ServerStartException extends LagoaException {
  public ServerStartException(String message, Throwable cause) {
    super(ErrorCode.CONFIG_INVALID, message, cause);
  }
}

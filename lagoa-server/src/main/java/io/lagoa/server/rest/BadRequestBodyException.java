package io.lagoa.server.rest;

/** A request body that cannot be read: answered with 400 and this message. */
public final class BadRequestBodyException extends RuntimeException {
  public BadRequestBodyException(String message) {
    super(message);
  }
}

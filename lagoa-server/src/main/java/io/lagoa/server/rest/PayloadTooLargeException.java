package io.lagoa.server.rest;

/** A request body over {@code server.max-body-bytes}: answered with 413. */
public final class PayloadTooLargeException extends HttpStatusException {
  public PayloadTooLargeException(long limit) {
    super(
        413,
        "PayloadTooLargeException",
        "the request body is larger than server.max-body-bytes (" + limit + " bytes)");
  }
}

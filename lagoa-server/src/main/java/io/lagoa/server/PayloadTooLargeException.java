package io.lagoa.server;

import io.lagoa.server.rest.HttpStatusException;

/** A request body over {@code server.max-body-bytes}: answered with 413. */
final class PayloadTooLargeException extends HttpStatusException {
  PayloadTooLargeException(long limit) {
    super(
        413,
        "PayloadTooLargeException",
        "the request body is larger than server.max-body-bytes (" + limit + " bytes)");
  }
}

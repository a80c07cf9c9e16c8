package io.lagoa.server.rest;

/** An error with its own HTTP status and spec error type, for what Iceberg has no exception for. */
public class HttpStatusException extends RuntimeException {
  private final int status;
  private final String type;

  public HttpStatusException(int status, String type, String message) {
    super(message);
    this.status = status;
    this.type = type;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }
}

package io.lagoa.server.rest;

import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.ConcurrentRunException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ServiceUnavailableException;
import org.apache.iceberg.exceptions.UnprocessableEntityException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.responses.ErrorResponse;

/**
 * The one table from exceptions to the REST spec's error responses. The type is the name Iceberg's
 * clients turn back into the same exception; the message is the exception's own, never a stack.
 */
public final class RestErrors {
  /** Exact classes first; subclasses are matched by walking up to a listed class. */
  private static final Map<Class<? extends Throwable>, Integer> STATUS = statusTable();

  private RestErrors() {}

  private static Map<Class<? extends Throwable>, Integer> statusTable() {
    Map<Class<? extends Throwable>, Integer> status = new LinkedHashMap<>();
    status.put(BadRequestBodyException.class, 400);
    status.put(BadRequestException.class, 400);
    status.put(IllegalArgumentException.class, 400);
    status.put(ValidationException.class, 400);
    // A pipeline batch refused by the commit check: 400, not 409, because Iceberg's clients retry
    // a 409 commit (20 times, backing off) and the same batch would be refused each time. Its type
    // names it, and Lagoa's REST client (LagoaRestCatalog) turns it back into the exception.
    status.put(ConcurrentRunException.class, 400);
    status.put(NotAuthorizedException.class, 401);
    status.put(ForbiddenException.class, 403);
    status.put(NoSuchNamespaceException.class, 404);
    status.put(NoSuchTableException.class, 404);
    status.put(NoSuchViewException.class, 404);
    status.put(NoSuchIcebergTableException.class, 404);
    status.put(NotFoundException.class, 404);
    status.put(UnsupportedOperationException.class, 406);
    status.put(NamespaceNotEmptyException.class, 409);
    status.put(AlreadyExistsException.class, 409);
    status.put(CommitFailedException.class, 409);
    status.put(UnprocessableEntityException.class, 422);
    status.put(ServiceUnavailableException.class, 503);
    status.put(CommitStateUnknownException.class, 500);
    return Map.copyOf(status);
  }

  /** The HTTP status for an exception; 500 for anything not in the table. */
  public static int status(Throwable error) {
    if (error instanceof HttpStatusException http) {
      return http.status();
    }
    for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
      Integer status = STATUS.get(type);
      if (status != null) {
        return status;
      }
    }
    return 500;
  }

  /** The spec's error type: the exception's simple name, as Iceberg's own server sends it. */
  public static String type(Throwable error) {
    if (error instanceof HttpStatusException http) {
      return http.type();
    }
    if (error instanceof BadRequestBodyException) {
      return "BadRequestException";
    }
    return error.getClass().getSimpleName();
  }

  public static ErrorResponse response(int status, String type, String message) {
    return ErrorResponse.builder().responseCode(status).withType(type).withMessage(message).build();
  }

  /**
   * The response for an exception. An unexpected one (500) says only that the server failed and the
   * request id to look for in its log; its own message may carry internals.
   */
  public static ErrorResponse response(Throwable error, String requestId) {
    int status = status(error);
    if (status == 500 && !(error instanceof CommitStateUnknownException)) {
      String reason = error instanceof LagoaException lagoa ? ": " + lagoa.getMessage() : "";
      return response(
          500,
          "InternalServerError",
          "the server failed to handle the request" + reason + " (request id " + requestId + ")");
    }
    String message = error.getMessage() == null ? type(error) : error.getMessage();
    return response(status, type(error), message);
  }
}

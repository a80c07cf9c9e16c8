package io.lagoa.audit;

import java.time.Instant;

/**
 * One audited action: who did what to which resource, and how it ended. Never carries a secret:
 * {@code detail} is masked by the log that records it all the same.
 *
 * @param time when the action was decided
 * @param principal who acted ({@code anonymous} without a token); empty when not known
 * @param clientAddress where the request came from; empty for local commands
 * @param action what was asked, e.g. {@code loadTable}, {@code createNamespace}, {@code grant}
 * @param resource what it was asked on, e.g. {@code sales.eu.orders}; empty when none
 * @param outcome allowed, denied, or failed after being allowed
 * @param httpStatus the HTTP status answered; 0 when there was no HTTP request
 * @param requestId the request's id, to match with server logs; empty when none
 * @param detail more about the outcome (the reason of a denial, the error); empty when none
 */
public record AuditEvent(
    Instant time,
    String principal,
    String clientAddress,
    String action,
    String resource,
    Outcome outcome,
    int httpStatus,
    String requestId,
    String detail) {

  /** How an audited action ended. */
  public enum Outcome {
    ALLOWED,
    DENIED,
    FAILED
  }

  public AuditEvent {
    if (time == null || action == null || action.isBlank() || outcome == null) {
      throw new IllegalArgumentException(
          "Cannot audit an event without a time, an action and an outcome: "
              + time
              + ", "
              + action
              + ", "
              + outcome);
    }
    principal = principal == null ? "" : principal;
    clientAddress = clientAddress == null ? "" : clientAddress;
    resource = resource == null ? "" : resource;
    requestId = requestId == null ? "" : requestId;
    detail = detail == null ? "" : detail;
  }
}

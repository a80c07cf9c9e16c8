package io.lagoa.server;

import io.javalin.http.Context;
import io.lagoa.access.Principal;
import io.lagoa.audit.AuditEvent;
import io.lagoa.audit.AuditLog;
import io.lagoa.server.rest.Audit;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of the server: every change (what the API notes) and every denied request (401,
 * 403), with who, from where, the outcome and the request id, recorded when the response is known.
 */
final class RequestAudit implements Audit {
  private static final Logger LOG = LoggerFactory.getLogger(RequestAudit.class);

  static final String PRINCIPAL = "lagoa.principal";
  static final String DETAIL = "lagoa.audit.detail";
  private static final String ACTION = "lagoa.audit.action";
  private static final String RESOURCE = "lagoa.audit.resource";

  private final AuditLog log;
  private final Clock clock;

  RequestAudit(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  @Override
  public void note(Context ctx, Principal principal, String action, String resource) {
    ctx.attribute(PRINCIPAL, principal);
    ctx.attribute(ACTION, action);
    ctx.attribute(RESOURCE, resource);
  }

  /** A token request: audited whether it is granted or refused. */
  void noteToken(Context ctx, String clientId) {
    ctx.attribute(ACTION, "issueToken");
    ctx.attribute(RESOURCE, clientId == null ? "" : "principal " + clientId);
  }

  @Override
  public void failed(Context ctx, String detail) {
    ctx.attribute(DETAIL, detail);
  }

  @Override
  public void complete(Context ctx) {
    String action = ctx.attribute(ACTION);
    int status = ctx.statusCode();
    boolean denied = status == 401 || status == 403;
    if (action == null && !denied) {
      return; // a read that was allowed: not audited
    }
    Principal principal = ctx.attribute(PRINCIPAL);
    AuditEvent event =
        new AuditEvent(
            clock.instant(),
            principal == null ? "" : principal.name(),
            ctx.ip(),
            action == null ? ctx.method() + " " + ctx.path() : action,
            ctx.attribute(RESOURCE),
            denied
                ? AuditEvent.Outcome.DENIED
                : status >= 400 ? AuditEvent.Outcome.FAILED : AuditEvent.Outcome.ALLOWED,
            status,
            ctx.attribute(LagoaServer.REQUEST_ID),
            ctx.attribute(DETAIL));
    try {
      log.record(event);
    } catch (RuntimeException e) {
      LOG.error("Cannot record the audit event {}: {}", event, e.getMessage(), e);
    }
  }
}

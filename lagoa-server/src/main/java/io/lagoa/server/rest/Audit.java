package io.lagoa.server.rest;

import io.javalin.http.Context;
import io.lagoa.access.Principal;

/** The audit trail's view of a request: what it changes, how it failed, and its end. */
public interface Audit {
  /** Records nothing: for tests of the API itself. */
  Audit NONE = new Audit() {};

  /** Notes the action and resource of a request that changes something, before it is checked. */
  default void note(Context ctx, Principal principal, String action, String resource) {}

  /** Notes why the request failed or was refused (the error response's message). */
  default void failed(Context ctx, String detail) {}

  /** The response is known: record the request if it changed something or was refused. */
  default void complete(Context ctx) {}
}

package io.lagoa.server.rest;

import io.javalin.http.Context;
import io.lagoa.access.Principal;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;

/** Who is asking, and whether they may: the REST API asks before every catalog call. */
public interface Guard {
  /**
   * The principal of a request, from its bearer token or the anonymous role; throws Iceberg's
   * {@code NotAuthorizedException} (401) when there is none or it is invalid.
   */
  Principal authenticate(Context ctx);

  /** Throws Iceberg's {@code ForbiddenException} (403) naming the principal and what it lacks. */
  void require(Principal principal, Privilege privilege, Securable securable);

  /** Whether a listing shows the securable to the principal. */
  boolean canSee(Principal principal, Securable securable);
}

package io.lagoa.server;

import io.javalin.http.Context;
import io.lagoa.access.AccessControl;
import io.lagoa.access.AuthenticationException;
import io.lagoa.access.Principal;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import io.lagoa.server.rest.Guard;
import java.util.Locale;
import java.util.Optional;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NotAuthorizedException;

/**
 * The production guard: a bearer token issued by this catalog (or, when configured, the anonymous
 * role), then the grants in the catalog database.
 */
final class AccessGuard implements Guard {
  private static final String BEARER = "bearer ";

  private final AccessControl access;
  private final Optional<String> anonymousRole;

  AccessGuard(AccessControl access, Optional<String> anonymousRole) {
    this.access = access;
    this.anonymousRole = anonymousRole;
  }

  @Override
  public Principal authenticate(Context ctx) {
    Principal known = ctx.attribute(RequestAudit.PRINCIPAL);
    if (known != null) {
      return known;
    }
    String header = ctx.header("Authorization");
    Principal principal;
    if (header == null || header.isBlank()) {
      principal =
          anonymousRole
              .map(access::anonymous)
              .orElseThrow(
                  () ->
                      new NotAuthorizedException(
                          "This catalog needs a bearer token: get one from POST /v1/oauth/tokens"
                              + " with client credentials (a client id and secret from 'lagoa"
                              + " admin principal create')"));
    } else if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new NotAuthorizedException(
          "The Authorization header must be 'Bearer <token>', not '%s ...'",
          header.split(" ", 2)[0]);
    } else {
      try {
        principal = access.verify(header.substring(BEARER.length()).strip());
      } catch (AuthenticationException e) {
        throw new NotAuthorizedException("%s", e.getMessage());
      }
    }
    ctx.attribute(RequestAudit.PRINCIPAL, principal);
    return principal;
  }

  @Override
  public void require(Principal principal, Privilege privilege, Securable securable) {
    if (!access.allowed(principal, privilege, securable)) {
      throw new ForbiddenException(
          "Principal '%s' may not %s %s: no role of it has %s on it or on a namespace above it"
              + " (grant it with: lagoa admin grant %s --on %s --to <role>)",
          principal.name(),
          privilege.name().toLowerCase(Locale.ROOT).replace('_', ' '),
          securable,
          privilege.name().toLowerCase(Locale.ROOT),
          privilege.name().toLowerCase(Locale.ROOT),
          securable);
    }
  }

  @Override
  public boolean canSee(Principal principal, Securable securable) {
    return access.canSee(principal, securable);
  }
}

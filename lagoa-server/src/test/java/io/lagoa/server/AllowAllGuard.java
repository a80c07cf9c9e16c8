package io.lagoa.server;

import io.javalin.http.Context;
import io.lagoa.access.Principal;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import io.lagoa.server.rest.Guard;
import java.util.Set;

/** A guard that lets everyone do everything: for tests of the REST API itself. */
public final class AllowAllGuard implements Guard {
  @Override
  public Principal authenticate(Context ctx) {
    return new Principal("tester", Set.of(), false);
  }

  @Override
  public void require(Principal principal, Privilege privilege, Securable securable) {}

  @Override
  public boolean canSee(Principal principal, Securable securable) {
    return true;
  }
}

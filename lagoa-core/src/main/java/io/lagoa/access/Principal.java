package io.lagoa.access;

import java.util.Set;

/** Who a request acts as. */
public record Principal(String name, Set<String> roles, boolean anonymous) {
  public Principal {
    roles = Set.copyOf(roles);
  }
}

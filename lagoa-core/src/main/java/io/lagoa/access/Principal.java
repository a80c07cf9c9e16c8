package io.lagoa.access;

import java.util.Set;

/**
 * Who a request acts as: a named principal with the roles it is a member of, or the anonymous
 * principal with the configured anonymous role ({@code server.auth.anonymous-role}).
 */
public record Principal(String name, Set<String> roles, boolean anonymous) {
  /** The name the anonymous principal has in audit records. */
  public static final String ANONYMOUS_NAME = "anonymous";

  public Principal {
    roles = Set.copyOf(roles);
  }
}

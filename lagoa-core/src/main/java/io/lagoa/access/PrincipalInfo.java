package io.lagoa.access;

import java.time.Instant;
import java.util.List;

/** A principal as listed: its name (also its client id), roles, and when its secret was set. */
public record PrincipalInfo(
    String name, List<String> roles, Instant createdAt, Instant secretChangedAt) {
  public PrincipalInfo {
    roles = List.copyOf(roles);
  }
}

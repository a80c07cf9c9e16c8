package io.lagoa.access;

import java.time.Instant;
import java.util.List;

/** A role as listed: its members and how many grants it holds. */
public record RoleInfo(String name, List<String> members, int grants, Instant createdAt) {
  public RoleInfo {
    members = List.copyOf(members);
  }
}

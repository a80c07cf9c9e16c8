package io.lagoa.access;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Principals and roles' grants as read at one moment; what {@link AccessControl} decides on until
 * it reads again.
 *
 * @param principals every principal, by name
 * @param grants every role's grants, by role
 */
record AccessSnapshot(Map<String, Member> principals, Map<String, List<Grant>> grants) {
  /**
   * A principal as authorization sees it.
   *
   * @param createdAt when the principal was created, in epoch milliseconds: a token carries it, so
   *     a principal deleted and created again under the same name does not inherit old tokens
   */
  record Member(Set<String> roles, long createdAt) {
    Member {
      roles = Set.copyOf(roles);
    }
  }

  AccessSnapshot {
    principals = Map.copyOf(principals);
    Map<String, List<Grant>> grantsCopy = new HashMap<>();
    grants.forEach((role, held) -> grantsCopy.put(role, List.copyOf(held)));
    grants = Map.copyOf(grantsCopy);
  }

  Optional<Member> principal(String name) {
    return Optional.ofNullable(principals.get(name));
  }

  List<Grant> grantsOf(String role) {
    return grants.getOrDefault(role, List.of());
  }
}

package io.lagoa.access;

import java.time.Instant;

/** A privilege on a securable, granted to a role. */
public record Grant(String role, Privilege privilege, Securable securable, Instant grantedAt) {}

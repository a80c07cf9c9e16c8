package io.lagoa.access;

import java.time.Duration;
import java.time.Instant;

/**
 * A bearer token issued to a principal: a JWT signed with HS256.
 *
 * @param token the serialized JWT; never printed by {@link #toString()}
 */
public record IssuedToken(String token, String principal, Instant issuedAt, Instant expiresAt) {
  /** How long the token is valid from its issue, e.g. for OAuth's {@code expires_in}. */
  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  @Override
  public String toString() {
    return "IssuedToken[principal=" + principal + ", expiresAt=" + expiresAt + ", token=******]";
  }
}

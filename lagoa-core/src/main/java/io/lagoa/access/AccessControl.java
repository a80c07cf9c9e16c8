package io.lagoa.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lagoa.access.AuthenticationException.Reason;
import io.lagoa.config.LagoaConfig;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The catalog server's view of access control: who a request is ({@link #authenticate}, {@link
 * #verify}, {@link #anonymous}) and what it may do ({@link #allowed}, {@link #canSee}).
 *
 * <p>Decisions are made on a copy of the principals, roles and grants that is read again from the
 * catalog database when it is older than the cache time ({@link #DEFAULT_CACHE_TIME}, 5 s): a
 * grant, a revoke or a deleted principal takes effect on every server within that time. Credentials
 * are always checked against the database, so a rotated secret stops working at once.
 *
 * <p>Tokens are JWTs signed with HS256 under a key kept in the catalog database ({@code
 * lagoa_access_keys}), created by the first server that needs it: every server on one catalog
 * database verifies every other's tokens. A token names its principal and that principal's creation
 * time; roles are looked up when it is used, never taken from the token.
 *
 * <p>Thread-safe; time comes from the injected clock.
 */
public final class AccessControl implements AutoCloseable {
  /** How long decisions may use grants read earlier. */
  public static final Duration DEFAULT_CACHE_TIME = Duration.ofSeconds(5);

  static final String ISSUER = "lagoa";
  static final String CREATED_CLAIM = "lagoa.principal-created";

  private final AccessStore store;
  private final boolean ownsStore;
  private final Clock clock;
  private final Duration cacheTime;
  private final Object loading = new Object();
  private volatile Cached cached;
  private volatile Keys keys;

  private record Cached(AccessSnapshot snapshot, Instant loadedAt) {}

  private record Keys(MACSigner signer, MACVerifier verifier) {}

  /**
   * @param store where principals, roles, grants and the signing key live; not closed by {@link
   *     #close()}
   * @param cacheTime how long decisions may use grants read earlier
   */
  public AccessControl(AccessStore store, Clock clock, Duration cacheTime) {
    this(store, false, clock, cacheTime);
  }

  private AccessControl(AccessStore store, boolean ownsStore, Clock clock, Duration cacheTime) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.clock = clock;
    this.cacheTime = cacheTime;
  }

  /** Access control on a configuration's catalog database, with the default cache time. */
  public static AccessControl open(LagoaConfig config, Clock clock) {
    return new AccessControl(AccessStore.open(config, clock), true, clock, DEFAULT_CACHE_TIME);
  }

  /**
   * The principal whose client id and secret these are.
   *
   * @throws AuthenticationException {@link Reason#BAD_CREDENTIALS} for an unknown client id or a
   *     wrong secret
   */
  public Principal authenticate(String clientId, String clientSecret) {
    if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isEmpty()) {
      throw new AuthenticationException(
          Reason.BAD_CREDENTIALS,
          "Cannot authenticate: a client id and a client secret are needed");
    }
    Optional<String> hash = store.secretHash(clientId);
    boolean matches;
    if (hash.isPresent()) {
      matches = SecretHashing.matches(clientSecret, hash.get());
    } else {
      SecretHashing.matchDecoy(clientSecret);
      matches = false;
    }
    if (!matches) {
      throw new AuthenticationException(
          Reason.BAD_CREDENTIALS,
          "Cannot authenticate client '" + clientId + "': unknown client id or wrong secret");
    }
    AccessSnapshot.Member member =
        member(clientId, Instant.MAX)
            .orElseThrow(
                () ->
                    new AuthenticationException(
                        Reason.BAD_CREDENTIALS,
                        "Cannot authenticate client '"
                            + clientId
                            + "': the principal was deleted meanwhile"));
    return new Principal(clientId, member.roles(), false);
  }

  /** A signed token for a principal, valid for {@code lifetime} from now. */
  public IssuedToken issueToken(Principal principal, Duration lifetime) {
    if (principal.anonymous()) {
      throw new IllegalArgumentException("Cannot issue a token to the anonymous principal");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException(
          "Cannot issue a token with lifetime " + lifetime + ": it must be positive");
    }
    AccessSnapshot.Member member =
        member(principal.name(), Instant.MAX)
            .orElseThrow(
                () ->
                    new AuthenticationException(
                        Reason.UNKNOWN_PRINCIPAL,
                        "Cannot issue a token to principal '"
                            + principal.name()
                            + "': no such principal"));
    // JWT times are whole seconds; issuing at a whole second keeps expiresAt what the token says.
    Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    Instant expires = now.plus(lifetime);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(principal.name())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expires))
            .jwtID(UUID.randomUUID().toString())
            .claim(CREATED_CLAIM, member.createdAt())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(keys().signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("Cannot sign a token: " + e.getMessage(), e);
    }
    return new IssuedToken(jwt.serialize(), principal.name(), now, expires);
  }

  /**
   * The principal a bearer token was issued to, with its current roles.
   *
   * @throws AuthenticationException {@link Reason#INVALID} for a malformed token, one signed with
   *     another key or algorithm, or one altered since it was signed; {@link Reason#EXPIRED} for
   *     one past its expiry; {@link Reason#UNKNOWN_PRINCIPAL} when its principal has been deleted
   */
  public Principal verify(String bearerToken) {
    if (bearerToken == null || bearerToken.isBlank()) {
      throw invalid("the token is empty");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(bearerToken.strip());
    } catch (ParseException e) {
      throw invalid("the token is not a signed JWT (" + e.getMessage() + ")");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      throw invalid("the token is signed with " + jwt.getHeader().getAlgorithm() + ", not HS256");
    }
    boolean signed;
    try {
      signed = jwt.verify(keys().verifier());
    } catch (JOSEException e) {
      throw invalid("its signature cannot be checked (" + e.getMessage() + ")");
    }
    if (!signed) {
      throw invalid("its signature does not match this catalog's key");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw invalid("its claims do not parse (" + e.getMessage() + ")");
    }
    String subject = claims.getSubject();
    Date expiry = claims.getExpirationTime();
    Date issued = claims.getIssueTime();
    Object created = claims.getClaim(CREATED_CLAIM);
    if (!ISSUER.equals(claims.getIssuer())
        || subject == null
        || expiry == null
        || issued == null
        || !(created instanceof Number)) {
      throw invalid("it lacks the issuer, subject, times or principal Lagoa puts in its tokens");
    }
    Instant now = clock.instant();
    if (!now.isBefore(expiry.toInstant())) {
      throw new AuthenticationException(
          Reason.EXPIRED,
          "Cannot accept the token of principal '"
              + subject
              + "': it expired at "
              + expiry.toInstant());
    }
    Optional<AccessSnapshot.Member> member = member(subject, issued.toInstant().plusSeconds(1));
    if (member.isEmpty() || member.get().createdAt() != ((Number) created).longValue()) {
      throw new AuthenticationException(
          Reason.UNKNOWN_PRINCIPAL,
          "Cannot accept the token of principal '"
              + subject
              + "': the principal has been deleted since the token was issued");
    }
    return new Principal(subject, member.get().roles(), false);
  }

  /** The principal of requests without a token, acting as {@code role} (none when null). */
  public Principal anonymous(String role) {
    return new Principal(Principal.ANONYMOUS_NAME, role == null ? Set.of() : Set.of(role), true);
  }

  /**
   * Whether the principal holds {@code privilege} on {@code securable}, through a grant to one of
   * its roles on the securable, one of its namespaces, or the catalog.
   */
  public boolean allowed(Principal principal, Privilege privilege, Securable securable) {
    AccessSnapshot snapshot = snapshot();
    for (String role : roles(principal, snapshot)) {
      for (Grant grant : snapshot.grantsOf(role)) {
        if (grant.privilege() == privilege && grant.securable().covers(securable)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the principal may know that a securable exists: it holds any privilege on it, on
   * something below it, or on something above it. The server filters listings with it.
   */
  public boolean canSee(Principal principal, Securable securable) {
    AccessSnapshot snapshot = snapshot();
    for (String role : roles(principal, snapshot)) {
      for (Grant grant : snapshot.grantsOf(role)) {
        if (grant.securable().covers(securable) || securable.covers(grant.securable())) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (ownsStore) {
      store.close();
    }
  }

  /**
   * The roles decisions use: a named principal's current ones (none once deleted), whatever roles
   * the principal object was made with; the anonymous principal's own.
   */
  private static Set<String> roles(Principal principal, AccessSnapshot snapshot) {
    if (principal.anonymous()) {
      return principal.roles();
    }
    return snapshot.principal(principal.name()).map(AccessSnapshot.Member::roles).orElse(Set.of());
  }

  /**
   * A principal as the cached snapshot knows it; when absent there, the snapshot is read again if
   * it is older than {@code existedAt}, the time the principal is known to have existed.
   */
  private Optional<AccessSnapshot.Member> member(String name, Instant existedAt) {
    Cached current = cached();
    Optional<AccessSnapshot.Member> member = current.snapshot().principal(name);
    if (member.isEmpty() && current.loadedAt().isBefore(existedAt)) {
      member = reload(current).snapshot().principal(name);
    }
    return member;
  }

  private AccessSnapshot snapshot() {
    return cached().snapshot();
  }

  private Cached cached() {
    Cached current = cached;
    if (current != null && clock.instant().isBefore(current.loadedAt().plus(cacheTime))) {
      return current;
    }
    return reload(current);
  }

  /** Reads the snapshot again unless another thread did since {@code stale} was seen. */
  private Cached reload(Cached stale) {
    synchronized (loading) {
      Cached current = cached;
      if (current != stale) {
        return current;
      }
      Instant now = clock.instant();
      Cached fresh = new Cached(store.snapshot(), now);
      cached = fresh;
      return fresh;
    }
  }

  private Keys keys() {
    Keys current = keys;
    if (current != null) {
      return current;
    }
    synchronized (loading) {
      if (keys == null) {
        byte[] key = store.signingKey();
        try {
          keys = new Keys(new MACSigner(key), new MACVerifier(key));
        } catch (JOSEException e) {
          throw new IllegalStateException("Cannot use the token-signing key: " + e.getMessage(), e);
        }
      }
      return keys;
    }
  }

  private static AuthenticationException invalid(String why) {
    return new AuthenticationException(Reason.INVALID, "Cannot accept the token: " + why);
  }
}

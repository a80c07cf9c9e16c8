package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.access.AccessControl;
import io.lagoa.access.AccessStore;
import io.lagoa.access.AlreadyExistsException;
import io.lagoa.access.AuthenticationException;
import io.lagoa.access.AuthenticationException.Reason;
import io.lagoa.access.ClientCredentials;
import io.lagoa.access.Grant;
import io.lagoa.access.InvalidAccessArgumentException;
import io.lagoa.access.IssuedToken;
import io.lagoa.access.NoSuchGrantException;
import io.lagoa.access.NoSuchPrincipalException;
import io.lagoa.access.NoSuchRoleException;
import io.lagoa.access.Principal;
import io.lagoa.access.PrincipalInfo;
import io.lagoa.access.Privilege;
import io.lagoa.access.RoleInfo;
import io.lagoa.access.Securable;
import io.lagoa.config.LagoaConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What access control must do on every catalog database: the store's round trips and errors,
 * tokens, the authorization hierarchy, and several servers sharing one database. Subclasses give a
 * fresh, empty catalog database per call of {@link #newDatabase()}.
 */
public abstract class AccessContract {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

  /** A configuration whose catalog database nobody has used yet. */
  protected abstract LagoaConfig newDatabase();

  @Test
  void principalsRoundTripAndSecretsAreShownOnceAndHashed() {
    LagoaConfig config = newDatabase();
    TestingClock clock = new TestingClock(START);
    try (AccessStore store = AccessStore.open(config, clock);
        AccessControl access = new AccessControl(store, clock, Duration.ofSeconds(5))) {
      ClientCredentials alice = store.createPrincipal("alice");
      ClientCredentials bob = store.createPrincipal("bob");
      assertThat(alice.clientId()).isEqualTo("alice");
      assertThat(alice.clientSecret().value()).startsWith("lagoa_").hasSizeGreaterThan(40);
      assertThat(alice.clientSecret().value()).isNotEqualTo(bob.clientSecret().value());
      assertThat(alice.toString()).doesNotContain(alice.clientSecret().value());
      assertThat(store.principals())
          .extracting(PrincipalInfo::name)
          .containsExactly("alice", "bob");
      assertThat(store.principals().get(0).createdAt()).isEqualTo(START);

      assertThat(access.authenticate("alice", alice.clientSecret().value()).name())
          .isEqualTo("alice");

      clock.advance(Duration.ofMinutes(1));
      ClientCredentials rotated = store.rotateSecret("alice");
      assertThat(rotated.clientSecret().value()).isNotEqualTo(alice.clientSecret().value());
      assertThat(store.principals().get(0).secretChangedAt()).isEqualTo(START.plusSeconds(60));
      assertThatThrownBy(() -> access.authenticate("alice", alice.clientSecret().value()))
          .isInstanceOfSatisfying(
              AuthenticationException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.BAD_CREDENTIALS))
          .hasMessageContaining("'alice'")
          .message()
          .doesNotContain(alice.clientSecret().value());
      assertThat(access.authenticate("alice", rotated.clientSecret().value()).name())
          .isEqualTo("alice");
      assertThatThrownBy(() -> access.authenticate("nobody", rotated.clientSecret().value()))
          .isInstanceOfSatisfying(
              AuthenticationException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.BAD_CREDENTIALS))
          .message()
          .doesNotContain(rotated.clientSecret().value());

      store.deletePrincipal("bob");
      assertThat(store.principals()).extracting(PrincipalInfo::name).containsExactly("alice");
      assertThatThrownBy(() -> access.authenticate("bob", bob.clientSecret().value()))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void storeErrorsNameTheBadValueAndSuggestTheClosestName() {
    LagoaConfig config = newDatabase();
    try (AccessStore store = AccessStore.open(config, new TestingClock(START))) {
      assertThatThrownBy(() -> store.deletePrincipal("alice"))
          .isInstanceOf(NoSuchPrincipalException.class)
          .hasMessage(
              "Cannot delete principal 'alice': unknown principal 'alice'; there are no"
                  + " principals yet");
      store.createPrincipal("alice");
      assertThatThrownBy(() -> store.createPrincipal("alice"))
          .isInstanceOf(AlreadyExistsException.class)
          .hasMessageContaining("'alice'");
      assertThatThrownBy(() -> store.rotateSecret("alcie"))
          .isInstanceOf(NoSuchPrincipalException.class)
          .hasMessageContaining("unknown principal 'alcie' (did you mean 'alice'?)");
      assertThatThrownBy(() -> store.createPrincipal("bad name"))
          .isInstanceOf(InvalidAccessArgumentException.class)
          .hasMessageContaining("'bad name'");
      assertThatThrownBy(() -> store.createRole("with:colon"))
          .isInstanceOf(InvalidAccessArgumentException.class);

      store.createRole("analysts");
      assertThatThrownBy(() -> store.createRole("analysts"))
          .isInstanceOf(AlreadyExistsException.class);
      assertThatThrownBy(() -> store.grantRole("analyst", "alice"))
          .isInstanceOf(NoSuchRoleException.class)
          .hasMessageContaining("unknown role 'analyst' (did you mean 'analysts'?)");
      assertThatThrownBy(() -> store.grantRole("analysts", "alicia"))
          .isInstanceOf(NoSuchPrincipalException.class)
          .hasMessageContaining("'alicia'");
      assertThatThrownBy(() -> store.grant(Privilege.READ, Securable.catalog(), "analytics-team"))
          .isInstanceOf(NoSuchRoleException.class)
          .hasMessageContaining("the roles are analysts");
      assertThatThrownBy(() -> store.revokeRole("analysts", "alice"))
          .isInstanceOf(NoSuchGrantException.class)
          .hasMessageContaining("not a member");

      store.grant(Privilege.READ, Securable.parse("namespace:sales"), "analysts");
      assertThatThrownBy(
              () -> store.revoke(Privilege.WRITE, Securable.parse("namespace:sales"), "analysts"))
          .isInstanceOf(NoSuchGrantException.class)
          .hasMessageContaining("it holds: read on namespace:sales");
      assertThatThrownBy(() -> store.dropRole("analyst"))
          .isInstanceOf(NoSuchRoleException.class)
          .hasMessageContaining("did you mean 'analysts'?");
    }
  }

  @Test
  void rolesAndGrantsRoundTrip() {
    LagoaConfig config = newDatabase();
    try (AccessStore store = AccessStore.open(config, new TestingClock(START))) {
      store.createPrincipal("alice");
      store.createPrincipal("bob");
      store.createRole("analysts");
      store.createRole("engineers");
      assertThat(store.grantRole("analysts", "alice")).isTrue();
      assertThat(store.grantRole("analysts", "alice")).isFalse();
      store.grantRole("analysts", "bob");
      store.grantRole("engineers", "bob");

      Securable orders = Securable.table(List.of("sales", "eu"), "orders");
      assertThat(store.grant(Privilege.READ, Securable.namespace(List.of("sales")), "analysts"))
          .isTrue();
      assertThat(store.grant(Privilege.READ, Securable.namespace(List.of("sales")), "analysts"))
          .isFalse();
      store.grant(Privilege.WRITE, orders, "engineers");
      store.grant(Privilege.CREATE, Securable.catalog(), "engineers");

      assertThat(store.grants())
          .extracting(grant -> grant.role() + " " + grant.privilege() + " " + grant.securable())
          .containsExactlyInAnyOrder(
              "analysts READ namespace:sales",
              "engineers WRITE table:sales.eu.orders",
              "engineers CREATE catalog");
      assertThat(store.grantsOfRole("analysts"))
          .extracting(Grant::privilege)
          .containsExactly(Privilege.READ);
      assertThat(store.grantsOfPrincipal("alice")).hasSize(1);
      assertThat(store.grantsOfPrincipal("bob")).hasSize(3);
      assertThat(store.grants().get(0).grantedAt()).isEqualTo(START);
      assertThat(store.principals())
          .filteredOn(principal -> principal.name().equals("bob"))
          .singleElement()
          .satisfies(bob -> assertThat(bob.roles()).containsExactly("analysts", "engineers"));
      assertThat(store.roles())
          .extracting(role -> role.name() + " " + role.members() + " " + role.grants())
          .containsExactly("analysts [alice, bob] 1", "engineers [bob] 2");

      store.revoke(Privilege.WRITE, orders, "engineers");
      assertThat(store.grantsOfRole("engineers")).hasSize(1);
      store.revokeRole("analysts", "alice");
      assertThat(store.grantsOfPrincipal("alice")).isEmpty();

      store.dropRole("engineers");
      assertThat(store.roles()).extracting(RoleInfo::name).containsExactly("analysts");
      assertThat(store.grants()).hasSize(1);
      assertThat(store.principals())
          .filteredOn(principal -> principal.name().equals("bob"))
          .singleElement()
          .satisfies(bob -> assertThat(bob.roles()).containsExactly("analysts"));
      store.deletePrincipal("bob");
      assertThat(store.roles().get(0).members()).isEmpty();
    }
  }

  @Test
  void grantsCoverTheirSecurableAndEverythingBelowIt() {
    LagoaConfig config = newDatabase();
    TestingClock clock = new TestingClock(START);
    try (AccessStore store = AccessStore.open(config, clock);
        AccessControl access = new AccessControl(store, clock, Duration.ofSeconds(5))) {
      store.createPrincipal("alice");
      store.createRole("eu-readers");
      store.grantRole("eu-readers", "alice");
      store.grant(Privilege.READ, Securable.parse("namespace:sales.eu"), "eu-readers");
      store.grant(Privilege.WRITE, Securable.parse("table:sales.us.orders"), "eu-readers");
      Principal alice =
          access.verify(
              access
                  .issueToken(new Principal("alice", Set.of(), false), Duration.ofHours(1))
                  .token());
      assertThat(alice.roles()).containsExactly("eu-readers");

      Securable salesEu = Securable.parse("namespace:sales.eu");
      Securable salesEuRetail = Securable.parse("namespace:sales.eu.retail");
      Securable euOrders = Securable.parse("table:sales.eu.orders");
      Securable euRetailOrders = Securable.parse("table:sales.eu.retail.orders");
      Securable usOrders = Securable.parse("table:sales.us.orders");
      Securable usCustomers = Securable.parse("table:sales.us.customers");
      Securable sales = Securable.parse("namespace:sales");
      // table 'eu' in namespace 'sales' is not inside namespace sales.eu
      Securable tableNamedEu = Securable.table(List.of("sales"), "eu");

      assertThat(access.allowed(alice, Privilege.READ, salesEu)).isTrue();
      assertThat(access.allowed(alice, Privilege.READ, salesEuRetail)).isTrue();
      assertThat(access.allowed(alice, Privilege.READ, euOrders)).isTrue();
      assertThat(access.allowed(alice, Privilege.READ, euRetailOrders)).isTrue();
      assertThat(access.allowed(alice, Privilege.READ, sales)).isFalse();
      assertThat(access.allowed(alice, Privilege.READ, tableNamedEu)).isFalse();
      assertThat(access.allowed(alice, Privilege.READ, Securable.catalog())).isFalse();
      assertThat(access.allowed(alice, Privilege.WRITE, euOrders)).isFalse();
      assertThat(access.allowed(alice, Privilege.READ, usOrders)).isFalse();
      assertThat(access.allowed(alice, Privilege.WRITE, usOrders)).isTrue();
      assertThat(access.allowed(alice, Privilege.WRITE, usCustomers)).isFalse();

      assertThat(access.canSee(alice, Securable.catalog())).isTrue();
      assertThat(access.canSee(alice, sales)).isTrue();
      assertThat(access.canSee(alice, Securable.parse("namespace:sales.us"))).isTrue();
      assertThat(access.canSee(alice, usCustomers)).isFalse();
      assertThat(access.canSee(alice, euRetailOrders)).isTrue();
      assertThat(access.canSee(alice, Securable.parse("namespace:hr"))).isFalse();

      // a catalog grant covers everything, through another role
      store.createRole("admins");
      store.grant(Privilege.DROP, Securable.catalog(), "admins");
      assertThat(access.allowed(alice, Privilege.DROP, usCustomers)).isFalse();
      store.grantRole("admins", "alice");
      // decisions use what was read up to 5 s ago...
      assertThat(access.allowed(alice, Privilege.DROP, usCustomers)).isFalse();
      clock.advance(Duration.ofSeconds(5));
      // ... and what is granted now after that
      assertThat(access.allowed(alice, Privilege.DROP, usCustomers)).isTrue();
      assertThat(access.allowed(alice, Privilege.DROP, Securable.catalog())).isTrue();

      store.revoke(Privilege.READ, salesEu, "eu-readers");
      assertThat(access.allowed(alice, Privilege.READ, euOrders)).isTrue();
      clock.advance(Duration.ofSeconds(5));
      assertThat(access.allowed(alice, Privilege.READ, euOrders)).isFalse();

      store.revokeRole("admins", "alice");
      clock.advance(Duration.ofSeconds(5));
      assertThat(access.allowed(alice, Privilege.DROP, usCustomers)).isFalse();

      // the anonymous principal acts as its role
      store.createRole("public");
      store.grant(Privilege.READ, Securable.parse("namespace:open"), "public");
      clock.advance(Duration.ofSeconds(5));
      Principal anonymous = access.anonymous("public");
      assertThat(anonymous.anonymous()).isTrue();
      assertThat(access.allowed(anonymous, Privilege.READ, Securable.parse("table:open.t")))
          .isTrue();
      assertThat(access.allowed(anonymous, Privilege.READ, euOrders)).isFalse();
      assertThat(
              access.allowed(
                  access.anonymous(null), Privilege.READ, Securable.parse("table:open.t")))
          .isFalse();
      assertThatThrownBy(() -> access.issueToken(anonymous, Duration.ofHours(1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void tokensExpireAndRefuseForgeriesAndDeletedPrincipals() {
    LagoaConfig config = newDatabase();
    TestingClock clock = new TestingClock(START);
    try (AccessStore store = AccessStore.open(config, clock);
        AccessControl access = new AccessControl(store, clock, Duration.ofSeconds(5))) {
      ClientCredentials alice = store.createPrincipal("alice");
      store.createPrincipal("mallory");
      Principal principal = access.authenticate("alice", alice.clientSecret().value());
      IssuedToken token = access.issueToken(principal, Duration.ofMinutes(10));
      assertThat(token.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(10)));
      assertThat(token.toString()).doesNotContain(token.token());
      assertThat(access.verify(token.token()).name()).isEqualTo("alice");

      clock.advance(Duration.ofMinutes(10).minusSeconds(1));
      assertThat(access.verify(token.token()).name()).isEqualTo("alice");
      clock.advance(Duration.ofSeconds(1));
      assertReason(() -> access.verify(token.token()), Reason.EXPIRED)
          .hasMessageContaining("'alice'")
          .hasMessageContaining("expired at " + START.plus(Duration.ofMinutes(10)));

      IssuedToken fresh = access.issueToken(principal, Duration.ofHours(1));
      String[] parts = fresh.token().split("\\.");
      String payload =
          new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
              .replace("\"alice\"", "\"mallory\"");
      String tampered =
          parts[0]
              + "."
              + Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[2];
      assertReason(() -> access.verify(tampered), Reason.INVALID).hasMessageContaining("signature");
      String unsigned =
          Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[1]
              + ".";
      assertReason(() -> access.verify(unsigned), Reason.INVALID);
      assertReason(() -> access.verify("not-a-token"), Reason.INVALID);
      assertReason(() -> access.verify(""), Reason.INVALID);

      // a token of another catalog database (another key) is not this one's
      LagoaConfig other = newDatabase();
      try (AccessStore otherStore = AccessStore.open(other, clock);
          AccessControl otherAccess = new AccessControl(otherStore, clock, Duration.ZERO)) {
        otherStore.createPrincipal("alice");
        Principal otherAlice =
            otherAccess.verify(
                otherAccess
                    .issueToken(new Principal("alice", Set.of(), false), Duration.ofHours(1))
                    .token());
        String foreign = otherAccess.issueToken(otherAlice, Duration.ofHours(1)).token();
        assertReason(() -> access.verify(foreign), Reason.INVALID)
            .hasMessageContaining("signature");
      }

      // deleted: refused once the cache time has passed
      store.deletePrincipal("alice");
      clock.advance(Duration.ofSeconds(5));
      assertReason(() -> access.verify(fresh.token()), Reason.UNKNOWN_PRINCIPAL)
          .hasMessageContaining("'alice'");
      // created again under the same name: the old token is still not theirs
      store.createPrincipal("alice");
      clock.advance(Duration.ofSeconds(5));
      assertReason(() -> access.verify(fresh.token()), Reason.UNKNOWN_PRINCIPAL);
    }
  }

  @Test
  void serversOnOneDatabaseShareTheSigningKeyAndCreateTablesOnce() throws Exception {
    LagoaConfig config = newDatabase();
    TestingClock clock = new TestingClock(START);
    int servers = 4;
    List<AccessStore> stores = new ArrayList<>();
    List<AccessControl> controls = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      AccessStore store = AccessStore.open(config, clock);
      stores.add(store);
      controls.add(new AccessControl(store, clock, Duration.ofSeconds(5)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(servers);
    try {
      // all start at once on the empty database: tables and key are created by one of them
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> created = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        AccessStore store = stores.get(i);
        String name = "server" + i;
        Callable<String> task =
            () -> {
              start.await();
              store.createRole(name);
              return store.createPrincipal(name).clientSecret().value();
            };
        created.add(pool.submit(task));
      }
      start.countDown();
      List<String> secrets = new ArrayList<>();
      for (Future<String> future : created) {
        secrets.add(future.get());
      }
      assertThat(stores.get(0).roles()).hasSize(servers);

      CountDownLatch issue = new CountDownLatch(1);
      List<Future<String>> tokens = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        AccessControl access = controls.get(i);
        String name = "server" + i;
        String secret = secrets.get(i);
        Callable<String> task =
            () -> {
              issue.await();
              return access
                  .issueToken(access.authenticate(name, secret), Duration.ofHours(1))
                  .token();
            };
        tokens.add(pool.submit(task));
      }
      issue.countDown();
      for (int i = 0; i < servers; i++) {
        String token = tokens.get(i).get();
        for (AccessControl access : controls) {
          assertThat(access.verify(token).name()).isEqualTo("server" + i);
        }
      }
    } finally {
      pool.shutdownNow();
      controls.forEach(AccessControl::close);
      stores.forEach(AccessStore::close);
    }
  }

  @Test
  void securablesAndPrivilegesParseWithClearErrors() {
    assertThat(Securable.parse("catalog")).isEqualTo(Securable.catalog());
    assertThat(Securable.parse("namespace:sales.eu"))
        .isEqualTo(Securable.namespace(List.of("sales", "eu")));
    assertThat(Securable.parse("table:sales.eu.orders"))
        .isEqualTo(Securable.table(List.of("sales", "eu"), "orders"));
    assertThat(Securable.parse("table:sales.eu.orders").toString())
        .isEqualTo("table:sales.eu.orders");
    assertThatThrownBy(() -> Securable.parse("sales.eu"))
        .isInstanceOf(InvalidAccessArgumentException.class)
        .hasMessageContaining("'sales.eu'")
        .hasMessageContaining("did you mean namespace:sales.eu?");
    assertThatThrownBy(() -> Securable.parse("table:orders"))
        .isInstanceOf(InvalidAccessArgumentException.class)
        .hasMessageContaining("a table needs a namespace and a name");
    assertThatThrownBy(() -> Securable.parse("namespace:sales..eu"))
        .isInstanceOf(InvalidAccessArgumentException.class)
        .hasMessageContaining("empty level");
    assertThatThrownBy(() -> Securable.parse("schema:sales"))
        .isInstanceOf(InvalidAccessArgumentException.class)
        .hasMessageContaining("unknown kind 'schema'");
    assertThat(Privilege.fromName("manage_grants")).isEqualTo(Privilege.MANAGE_GRANTS);
    assertThat(Privilege.fromName("READ")).isEqualTo(Privilege.READ);
    assertThatThrownBy(() -> Privilege.fromName("wirte"))
        .isInstanceOf(InvalidAccessArgumentException.class)
        .hasMessageContaining("'wirte' (did you mean 'write'?)")
        .hasMessageContaining("read, write, create, drop, manage_grants");
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertReason(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            AuthenticationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}

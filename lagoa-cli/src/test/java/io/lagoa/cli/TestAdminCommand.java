package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.access.AccessControl;
import io.lagoa.access.AuthenticationException;
import io.lagoa.audit.AuditPublisher;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.TestingWarehouse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code lagoa admin}, run in-process against a temporary warehouse's SQLite catalog. */
class TestAdminCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private TestingWarehouse warehouse;
  private CliRunner cli;

  @BeforeEach
  void createWarehouse() {
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
  }

  @AfterEach
  void removeWarehouse() {
    warehouse.close();
  }

  @Test
  void principalsRolesGrantsAndTheAuditTrailEndToEnd() {
    CliRunner.Result created = ok("admin", "principal", "create", "alice", "--json");
    Map<String, Object> credentials = object(created.out());
    String secret = (String) credentials.get("client_secret");
    assertThat(credentials).containsEntry("client_id", "alice");
    assertThat(credentials.get("credential")).isEqualTo("alice:" + secret);
    assertThat(created.err()).contains("shown only this once");
    LagoaConfig config = warehouse.config();
    try (AccessControl access = AccessControl.open(config, Clock.systemUTC())) {
      assertThat(access.authenticate("alice", secret).name()).isEqualTo("alice");
    }

    CliRunner.Result again = cli.run("admin", "principal", "create", "alice");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
    assertThat(again.err())
        .startsWith("error: Cannot create principal 'alice': a principal of that name exists")
        .doesNotContain("Exception");

    // stderr carries the command's own line and nothing else (no log noise)
    assertThat(ok("admin", "role", "create", "analysts").err())
        .isEqualTo("Created role analysts" + System.lineSeparator());
    assertThat(ok("admin", "role", "grant-to", "analysts", "alice").err())
        .contains("Granted role analysts to alice");
    assertThat(ok("admin", "role", "grant-to", "analysts", "alice").err())
        .contains("already has role analysts");
    assertThat(ok("admin", "grant", "read", "--on", "namespace:sales", "--to", "analysts").err())
        .contains("Granted read on namespace:sales to role analysts");
    ok("admin", "grant", "WRITE", "--on", "table:sales.eu.orders", "--to", "analysts");

    CliRunner.Result typo =
        cli.run("admin", "grant", "wirte", "--on", "namespace:sales", "--to", "analysts");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err()).contains("'wirte' (did you mean 'write'?)");
    CliRunner.Result badSecurable =
        cli.run("admin", "grant", "read", "--on", "sales", "--to", "analysts");
    assertThat(badSecurable.exitCode()).isEqualTo(2);
    assertThat(badSecurable.err()).contains("did you mean namespace:sales?");
    CliRunner.Result unknownRole =
        cli.run("admin", "grant", "read", "--on", "catalog", "--to", "analyst");
    assertThat(unknownRole.exitCode()).isEqualTo(2);
    assertThat(unknownRole.err()).contains("unknown role 'analyst' (did you mean 'analysts'?)");

    List<Map<String, Object>> grants = rows(ok("admin", "grants", "--json").out());
    assertThat(grants)
        .extracting(
            row -> row.get("role") + " " + row.get("privilege") + " " + row.get("securable"))
        .containsExactly("analysts read namespace:sales", "analysts write table:sales.eu.orders");
    assertThat(rows(ok("admin", "grants", "--principal", "alice", "--json").out())).hasSize(2);
    assertThat(rows(ok("admin", "grants", "--role", "analysts", "--json").out())).hasSize(2);
    CliRunner.Result both = cli.run("admin", "grants", "--role", "analysts", "--principal", "x");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(cli.run("admin", "grants", "--principal", "bob").err())
        .contains("unknown principal 'bob'");

    List<Map<String, Object>> principals = rows(ok("admin", "principal", "list", "--json").out());
    assertThat(principals)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row).containsEntry("principal", "alice");
              assertThat(row.get("roles")).isEqualTo(List.of("analysts"));
            });
    String roles = ok("admin", "role", "list").out();
    assertThat(roles)
        .contains("role")
        .contains("members")
        .containsPattern("analysts \\| alice\\s+\\|\\s+2 \\|");

    assertThat(
            ok("admin", "revoke", "write", "--on", "table:sales.eu.orders", "--from", "analysts")
                .err())
        .contains("Revoked write on table:sales.eu.orders from role analysts");
    CliRunner.Result notHeld =
        cli.run("admin", "revoke", "drop", "--on", "catalog", "--from", "analysts");
    assertThat(notHeld.exitCode()).isEqualTo(2);
    assertThat(notHeld.err()).contains("it holds: read on namespace:sales");

    String rotated =
        (String)
            object(ok("admin", "principal", "rotate-secret", "alice", "--json").out())
                .get("client_secret");
    assertThat(rotated).isNotEqualTo(secret);
    try (AccessControl access = AccessControl.open(config, Clock.systemUTC())) {
      assertThatThrownBy(() -> access.authenticate("alice", secret))
          .isInstanceOf(AuthenticationException.class);
      assertThat(access.authenticate("alice", rotated).name()).isEqualTo("alice");
    }

    // every change is in the audit trail, newest first; nothing published yet
    CliRunner.Result auditRun = ok("admin", "audit", "--json");
    assertThat(auditRun.err()).isEmpty();
    List<Map<String, Object>> audit = rows(auditRun.out());
    assertThat(audit)
        .extracting(row -> row.get("action") + " " + row.get("resource"))
        .containsExactly(
            "rotateSecret alice",
            "revoke table:sales.eu.orders",
            "grant table:sales.eu.orders",
            "grant namespace:sales",
            "grantRole alice",
            "grantRole alice",
            "createRole analysts",
            "createPrincipal alice");
    assertThat(audit).extracting(row -> row.get("published")).containsOnly(false);
    assertThat(audit.get(0).get("principal").toString()).startsWith("cli:");
    assertThat(audit.toString()).doesNotContain(secret).doesNotContain(rotated);

    try (AuditPublisher publisher = AuditPublisher.open(config)) {
      assertThat(publisher.publish()).isEqualTo(8);
    }
    ok("admin", "role", "drop", "analysts");
    List<Map<String, Object>> latest = rows(ok("admin", "audit", "--limit", "3", "--json").out());
    assertThat(latest)
        .extracting(row -> row.get("action") + " " + row.get("published"))
        .containsExactly("dropRole false", "rotateSecret true", "revoke true");
    assertThat(ok("admin", "audit", "--limit", "2").out())
        .contains("dropRole")
        .contains("rotateSecret")
        .doesNotContain("revoke");

    assertThat(ok("admin", "grants").err()).contains("No grants");
    ok("admin", "principal", "delete", "alice");
    CliRunner.Result empty = ok("admin", "principal", "list");
    assertThat(empty.err()).contains("No principals yet");
    CliRunner.Result gone = cli.run("admin", "principal", "delete", "alice");
    assertThat(gone.exitCode()).isEqualTo(2);
    assertThat(gone.err()).contains("unknown principal 'alice'");
  }

  @Test
  void aRestCatalogSaysTheCommandsNeedTheCatalogDatabase() {
    CliRunner rest =
        new CliRunner(
            warehouse,
            Map.of("LAGOA_CATALOG_TYPE", "rest", "LAGOA_CATALOG_URI", "http://127.0.0.1:1/api"));
    for (String[] command :
        List.of(
            new String[] {"admin", "principal", "list"},
            new String[] {"admin", "grant", "read", "--on", "catalog", "--to", "r"},
            new String[] {"admin", "audit"})) {
      CliRunner.Result run = rest.run(command);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.err())
          .contains("lagoa admin needs the catalog database")
          .contains("rest catalog (http://127.0.0.1:1/api)")
          .contains("points at the sqlite or postgres catalog that lagoa server uses")
          .doesNotContain("Exception");
    }
  }

  private CliRunner.Result ok(String... args) {
    CliRunner.Result run = cli.run(args);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  private static Map<String, Object> object(String json) {
    try {
      return JSON.readValue(json, new TypeReference<>() {});
    } catch (Exception e) {
      throw new AssertionError("not a JSON object: " + json, e);
    }
  }

  private static List<Map<String, Object>> rows(String json) {
    try {
      return JSON.readValue(json, new TypeReference<>() {});
    } catch (Exception e) {
      throw new AssertionError("not a JSON array: " + json, e);
    }
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code lagoa identity explain|split} on a graph a pipeline run built, as a user runs them. */
class TestIdentityCommand {
  private static TestingWarehouse warehouse;
  private static CliRunner cli;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static CliRunner.Result ok(String... args) {
    CliRunner.Result result = cli.run(args);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void explainsAPersonAndRefusesUnknownOnes() throws Exception {
    ok(
        "sql",
        "CREATE NAMESPACE lagoa.leads;"
            + " CREATE TABLE lagoa.leads.crm (id STRING, nome STRING, email STRING, fone STRING)"
            + " USING iceberg;"
            + " INSERT INTO lagoa.leads.crm VALUES ('1', 'João Silva', 'joao@x.com', NULL),"
            + " ('2', 'Joao Silva', ' JOAO@x.com', '(11) 99999-0001'),"
            + " ('3', 'Ana Lima', 'ana@x.com', NULL)");
    warehouse.writeFile("people/pipeline.yaml", "name: people\nnamespace: silver\n");
    warehouse.writeFile(
        "people/persons.sql",
        "CREATE IDENTITY GRAPH persons MATCH ON email, phone\n"
            + "AS SELECT 'crm' AS source, id AS record_id, nome AS name, email, fone AS phone\n"
            + "FROM STREAM(leads.crm)");
    CliRunner.Result run = ok("pipeline", "run", warehouse.root().resolve("people").toString());
    assertThat(run.err()).contains("3 records read (3 new", "2 new persons");

    CliRunner.Result explained = ok("identity", "explain", "joao@X.com");
    assertThat(explained.out())
        .contains("Person p_", "in silver.persons: 2 records")
        .contains("crm/2", "email:joao@x.com shared with crm/1 (strong key)")
        .contains("phone:+5511999990001");

    CliRunner.Result json =
        ok("identity", "explain", "joao@x.com", "--json", "--graph", "silver.persons");
    Map<String, Object> person = new ObjectMapper().readValue(json.out(), new TypeReference<>() {});
    assertThat(person.get("graph")).isEqualTo("silver.persons");
    assertThat((List<?>) person.get("records")).hasSize(2);

    CliRunner.Result unknown = cli.run("identity", "explain", "nobody@x.com");
    assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
    assertThat(unknown.err())
        .contains("identity graph silver.persons has no person with email:nobody@x.com");
    CliRunner.Result noGraph =
        cli.run("identity", "explain", "joao@x.com", "--graph", "silver.person");
    assertThat(noGraph.exitCode()).isNotZero();
    assertThat(noGraph.err()).contains("did you mean silver.persons?");
  }

  @Test
  void benchIdentityRunsWithTheRulesItIsGiven() throws Exception {
    CliRunner.Result bad =
        cli.run("bench", "identity", "--records", "50", "--match", "MATCH ON emial");
    assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
    assertThat(bad.err())
        .contains(
            "Cannot bench identity with the rules 'MATCH ON emial'",
            "unknown key 'emial' in MATCH ON (did you mean email?)",
            "(--match)");

    CliRunner.Result run =
        ok(
            "bench",
            "identity",
            "--records",
            "300",
            "--namespace",
            "bench_identity_rules",
            "--match",
            "MATCH ON email, document, phone IF NAME SIMILARITY >= 0.9 MAX NAMES 4",
            "--json");
    Map<String, Object> results = new ObjectMapper().readValue(run.out(), new TypeReference<>() {});
    assertThat(((Number) results.get("records")).longValue()).isEqualTo(300);
    assertThat(((Number) results.get("precision")).doubleValue()).isBetween(0.9, 1.0);
    assertThat(((Number) results.get("recall")).doubleValue()).isBetween(0.5, 1.0);
    assertThat(ok("sql", "SHOW TBLPROPERTIES lagoa.bench_identity_rules.persons").out())
        .contains("phone IF NAME SIMILARITY >= 0.90 MAX NAMES 4"); // not the default rules
    // one identity graph in the catalog for the other test's commands, which find it themselves
    ok(
        "sql",
        "DROP TABLE lagoa.bench_identity_rules.persons PURGE;"
            + " DROP TABLE lagoa.bench_identity_rules.persons_keys PURGE;"
            + " DROP TABLE lagoa.bench_identity_rules.persons_same_as PURGE;"
            + " DROP TABLE lagoa.bench_identity_rules.persons_moves PURGE;"
            + " DROP TABLE lagoa.bench_identity_rules.persons_audit PURGE");
  }
}

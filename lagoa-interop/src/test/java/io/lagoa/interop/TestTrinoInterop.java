package io.lagoa.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.config.LagoaConfig;
import io.lagoa.identity.normalize.PersonHash;
import io.lagoa.result.QueryResult;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.ChildProcessMain;
import io.lagoa.testing.TestingTrino;
import io.lagoa.testing.TestingWarehouse;
import io.lagoa.testing.TrinoQueryException;
import io.lagoa.vault.HashStandard;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Trino 476 (the one Trino of the build) with its Iceberg connector on {@code lagoa server}:
 * Trino reads a table Lagoa wrote, inserts into it, and Lagoa reads Trino's rows. Trino
 * authenticates with OAuth2 client credentials like any team's Trino would.
 */
class TestTrinoInterop {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static TestingTrino trino;
  private static SparkSql lagoa;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    LagoaConfig client = warehouse.config(server.clientEnvironment());
    lagoa = new SparkSql(LagoaSpark.session(client));
    trino =
        TestingTrino.start(
            Map.of(
                "iceberg.catalog.type", "rest",
                "iceberg.rest-catalog.uri", server.uri().toString(),
                "iceberg.rest-catalog.security", "OAUTH2",
                "iceberg.rest-catalog.oauth2.credential", server.admin().credential().value(),
                "iceberg.rest-catalog.oauth2.server-uri",
                    server.uri().resolve("/v1/oauth/tokens").toString(),
                "fs.native-local.enabled", "true",
                "local.location", "/"));
  }

  @AfterAll
  static void stop() {
    long pid = trino == null ? -1 : trino.pid();
    Path directory = trino == null ? null : trino.directory();
    if (trino != null) {
      trino.close();
    }
    if (server != null) {
      server.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    if (directory != null) {
      assertThat(directory).doesNotExist();
    }
  }

  @Test
  void trinoReadsAndWritesWhatLagoaServes() {
    lagoa.execute("CREATE NAMESPACE IF NOT EXISTS lagoa.shop", 10);
    lagoa.execute(
        "CREATE TABLE lagoa.shop.orders (id BIGINT, customer STRING, amount DECIMAL(10,2))"
            + " USING iceberg",
        10);
    lagoa.execute("INSERT INTO lagoa.shop.orders VALUES (1, 'ana', 10.50), (2, 'rui', 20.00)", 10);

    assertThat(trino.query("SELECT id, customer, amount FROM lagoa.shop.orders ORDER BY id"))
        .containsExactly(
            List.of(1L, "ana", new BigDecimal("10.50")),
            List.of(2L, "rui", new BigDecimal("20.00")));
    assertThat(trino.query("SHOW TABLES FROM lagoa.shop")).containsExactly(List.of("orders"));

    trino.execute("INSERT INTO lagoa.shop.orders VALUES (3, 'eva', DECIMAL '5.25')");

    QueryResult rows = lagoa.execute("SELECT id, customer FROM lagoa.shop.orders ORDER BY id", 10);
    assertThat(rows.rows())
        .extracting(row -> row.get(0) + ":" + row.get(1))
        .containsExactly("1:ana", "2:rui", "3:eva");
    // Trino's commit is the table's newest snapshot, on top of Lagoa's
    assertThat(trino.query("SELECT count(*) FROM lagoa.shop.\"orders$snapshots\""))
        .containsExactly(List.of(2L));
  }

  @Test
  void trinoTablesAreLagoaTables() {
    trino.execute("CREATE SCHEMA lagoa.made_by_trino");
    trino.execute(
        "CREATE TABLE lagoa.made_by_trino.events AS SELECT x AS id FROM UNNEST(sequence(1, 100))"
            + " AS t(x)");
    assertThat(
            lagoa
                .execute("SELECT count(*), sum(id) FROM lagoa.made_by_trino.events", 10)
                .rows()
                .get(0))
        .extracting(String::valueOf)
        .containsExactly("100", "5050");
  }

  @Test
  void theFixtureTypesValuesAndReportsTrinosErrors() {
    assertThat(ProcessHandle.of(trino.pid()).flatMap(p -> p.info().commandLine()).orElse(""))
        .contains(ChildProcessMain.class.getName(), "io.trino.server.TrinoServer");
    assertThat(trino.version()).isEqualTo("476");
    assertThat(
            trino.query(
                "SELECT BIGINT '7', 'a', CAST(NULL AS varchar), DECIMAL '1.50', DATE '2024-01-31',"
                    + " true, ARRAY[1, 2]"))
        .containsExactly(
            Arrays.asList(
                7L, "a", null, new BigDecimal("1.50"), "2024-01-31", true, List.of(1, 2)));
    assertThatThrownBy(() -> trino.query("SELEC 1"))
        .isInstanceOfSatisfying(
            TrinoQueryException.class,
            e -> {
              assertThat(e.errorName()).isEqualTo("SYNTAX_ERROR");
              assertThat(e.errorType()).isEqualTo("USER_ERROR");
            })
        .hasMessageContaining("mismatched input 'SELEC'");
    assertThatThrownBy(() -> trino.query("SELECT * FROM lagoa.nowhere.missing"))
        .isInstanceOf(TrinoQueryException.class)
        .hasMessageContaining("nowhere");
    assertThatThrownBy(
            () ->
                trino.createCatalog(
                    "interop_bad",
                    Map.of("iceberg.catalog.type", "rest", "iceberg.no-such-property", "1")))
        .isInstanceOf(TrinoQueryException.class)
        .hasMessageContaining("iceberg.no-such-property");
  }

  /** The Trino recipe of docs/datavault.md ("Trino") gives Lagoa's hash keys and diffs. */
  @Test
  void trinoComputesTheSameHashKeysAsLagoa() {
    String functions =
        "WITH FUNCTION lagoa_key_part(part varchar) RETURNS varchar"
            + " RETURN nullif(trim(upper(regexp_replace(normalize(part, NFKD), '\\p{M}', ''))), ''),"
            + " FUNCTION lagoa_diff_part(part varchar) RETURNS varchar"
            + " RETURN nullif(trim(part), '') ";
    List<List<String>> inputs =
        List.of(
            Arrays.asList(" joão ", null),
            Arrays.asList("Ａｎａ\u3000", ""),
            Arrays.asList("Conceição\t", "São Paulo"),
            Arrays.asList("Ärger Straße", "ø"),
            Arrays.asList("1001", "BR"),
            Arrays.asList(null, "  "),
            Arrays.asList(null, null));
    StringBuilder values = new StringBuilder();
    for (List<String> row : inputs) {
      values.append(values.isEmpty() ? "" : ", ").append('(').append(inputs.indexOf(row));
      for (String value : row) {
        values.append(", ").append(value == null ? "CAST(NULL AS varchar)" : "'" + value + "'");
      }
      values.append(')');
    }
    List<List<Object>> rows =
        trino.query(
            functions
                + "SELECT i,"
                + " CASE WHEN lagoa_key_part(a) IS NULL AND lagoa_key_part(b) IS NULL THEN NULL"
                + " ELSE to_hex(md5(to_utf8(coalesce(lagoa_key_part(a), '^^') || '||'"
                + " || coalesce(lagoa_key_part(b), '^^')))) END,"
                + " to_hex(md5(to_utf8(coalesce(lagoa_diff_part(a), '^^') || '||'"
                + " || coalesce(lagoa_diff_part(b), '^^'))))"
                + " FROM (VALUES "
                + values
                + ") AS t(i, a, b) ORDER BY i");
    HashStandard standard = HashStandard.DEFAULT;
    for (List<Object> row : rows) {
      List<String> parts = inputs.get(((Number) row.get(0)).intValue());
      assertThat(row.get(1)).as("hash_key of %s", parts).isEqualTo(standard.hashKey(parts));
      assertThat(row.get(2)).as("hash_diff of %s", parts).isEqualTo(standard.hashDiff(parts));
    }
    assertThat(rows).hasSize(inputs.size());

    // generate_person_hash from the normalized columns Lagoa stores.
    String person =
        (String)
            trino
                .execute(
                    functions
                        + "SELECT to_hex(md5(to_utf8(coalesce(lagoa_key_part(n), '^^') || '||'"
                        + " || coalesce(lagoa_key_part(e), '^^') || '||'"
                        + " || coalesce(lagoa_key_part(p), '^^'))))"
                        + " FROM (VALUES ('JOAO SILVA', 'joao@email.com', '+5511999999999'))"
                        + " AS t(n, e, p)")
                .onlyValue();
    assertThat(person)
        .isEqualTo(PersonHash.standard().of("João Silva", "joao@email.com", "11999999999"))
        .isEqualTo(
            lagoa
                .execute(
                    "SELECT generate_person_hash('João Silva', 'joao@email.com', '11999999999')", 1)
                .rows()
                .get(0)
                .get(0));
  }
}

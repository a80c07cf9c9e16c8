package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.PipelineException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import io.lagoa.vault.HashStandard;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data Vault tables loaded by a pipeline against real Spark and Iceberg, over three runs and a
 * replay: a hub loaded from two sources, a link, a satellite, an effectivity satellite, a PIT and a
 * bridge table, and the hash standard recorded and enforced.
 */
class TestDataVault {
  private static final String VAULT =
      "CREATE HUB hub_pessoa BUSINESS KEY (cpf);\n"
          + "CREATE HUB hub_produtor BUSINESS KEY (produtor_id);\n"
          + "CREATE LINK link_pessoa_produtor HUBS (hub_pessoa, hub_produtor);\n"
          + "CREATE SATELLITE sat_pessoa ON hub_pessoa ATTRIBUTES (nome, email);\n"
          + "CREATE EFFECTIVITY SATELLITE eff_pessoa_produtor ON link_pessoa_produtor\n"
          + "  DRIVING KEY (hub_pessoa);\n"
          + "CREATE PIT pit_pessoa ON hub_pessoa SATELLITES (sat_pessoa);\n"
          + "CREATE BRIDGE bridge_pessoa ON hub_pessoa LINKS (link_pessoa_produtor);\n";
  private static final String FLOWS =
      "CREATE FLOW crm AS LOAD HUB hub_pessoa FROM STREAM(dv_raw.crm) RECORD SOURCE 'crm';\n"
          + "CREATE FLOW ads AS LOAD HUB hub_pessoa FROM STREAM(dv_raw.ads)\n"
          + "  BUSINESS KEY (documento) RECORD SOURCE 'facebook';\n"
          + "CREATE FLOW produtores AS LOAD HUB hub_produtor FROM STREAM(dv_raw.vendas)\n"
          + "  RECORD SOURCE 'vendas';\n"
          + "CREATE FLOW vendas AS LOAD LINK link_pessoa_produtor FROM STREAM(dv_raw.vendas)\n"
          + "  RECORD SOURCE 'vendas';\n"
          + "CREATE FLOW detalhes AS LOAD SATELLITE sat_pessoa\n"
          + "  FROM (SELECT cpf, nome, lower(email) AS email, ts FROM STREAM(dv_raw.crm))\n"
          + "  SEQUENCE BY ts RECORD SOURCE 'crm';\n"
          + "CREATE FLOW vigencia AS LOAD EFFECTIVITY SATELLITE eff_pessoa_produtor\n"
          + "  FROM STREAM(dv_raw.vendas) SEQUENCE BY ts RECORD SOURCE 'vendas';\n";

  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
    fixture = new PipelineFixture(spark, warehouse, "dv");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static long count(String query) {
    return ((Number) fixture.rows("SELECT count(*) FROM (" + query + ")").get(0).get(0))
        .longValue();
  }

  private static String hash(String... parts) {
    return HashStandard.DEFAULT.hashKey(List.of(parts));
  }

  @Test
  void loadsTheVaultIncrementallyAndNeverTwice() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS dv_raw");
    sql.run(
        "CREATE TABLE dv_raw.crm (cpf STRING, nome STRING, email STRING, ts BIGINT) USING iceberg");
    sql.run("CREATE TABLE dv_raw.ads (documento STRING, campanha STRING) USING iceberg");
    sql.run("CREATE TABLE dv_raw.vendas (cpf STRING, produtor_id STRING, ts BIGINT) USING iceberg");
    Path folder = fixture.pipeline("dv", "vault.sql", VAULT, "flows.sql", FLOWS);

    // run 1: two changes of 111 in one batch, 111 again from the ads with other spacing
    sql.run(
        "INSERT INTO dv_raw.crm VALUES ('111', 'Ana', 'ana@x.com', 1), ('222', 'Bia', 'bia@x.com',"
            + " 1), ('111', 'Ana', 'ANA2@x.com', 2)");
    sql.run("INSERT INTO dv_raw.ads VALUES (' 111 ', 'c1'), ('333', 'c1'), (NULL, 'c2')");
    sql.run("INSERT INTO dv_raw.vendas VALUES ('111', 'p1', 1)");
    fixture.run(folder);
    assertThat(fixture.rows("SELECT cpf, record_source FROM dv.hub_pessoa ORDER BY cpf"))
        .containsExactly(List.of("111", "crm"), List.of("222", "crm"), List.of("333", "facebook"));
    assertThat(fixture.rows("SELECT hk_pessoa FROM dv.hub_pessoa WHERE cpf = '111'"))
        .containsExactly(List.of(hash("111")));
    assertThat(fixture.rows("SHOW TBLPROPERTIES dv.hub_pessoa ('lagoa.vault.hash-standard')"))
        .containsExactly(List.of("lagoa.vault.hash-standard", HashStandard.DEFAULT.name()));
    assertThat(fixture.rows("SELECT email, applied_at FROM dv.sat_pessoa ORDER BY load_date"))
        .containsExactlyInAnyOrder(
            List.of("ana@x.com", 1L), List.of("bia@x.com", 1L), List.of("ana2@x.com", 2L));
    assertThat(
            fixture.rows(
                "SELECT email FROM dv.sat_pessoa WHERE hk_pessoa = '"
                    + hash("111")
                    + "' ORDER BY load_date"))
        .containsExactly(List.of("ana@x.com"), List.of("ana2@x.com"));
    assertThat(fixture.rows("SELECT hk_pessoa, hk_produtor FROM dv.link_pessoa_produtor"))
        .containsExactly(List.of(hash("111"), hash("p1")));
    assertThat(fixture.rows("SELECT hk_pessoa_produtor FROM dv.link_pessoa_produtor"))
        .containsExactly(List.of(hash("111", "p1")));

    // run 2: 222 unchanged then changed, 111 unchanged; 111 now buys from p2
    sql.run(
        "INSERT INTO dv_raw.crm VALUES ('222', 'Bia', 'bia@x.com', 5), ('111', 'Ana',"
            + " 'ana2@x.com', 6), ('222', 'Bia', 'bia2@x.com', 7)");
    sql.run("INSERT INTO dv_raw.vendas VALUES ('111', 'p2', 5)");
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "dv.sat_pessoa").rowsWritten()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "dv.hub_pessoa").rowsWritten()).isZero();
    assertThat(fixture.rows("SELECT email FROM dv.sat_pessoa WHERE applied_at > 2"))
        .containsExactly(List.of("bia2@x.com"));
    assertThat(count("SELECT * FROM dv.link_pessoa_produtor")).isEqualTo(2);
    assertThat(
            fixture.rows(
                "SELECT hk_pessoa_produtor, start_date, end_date FROM dv.eff_pessoa_produtor"
                    + " ORDER BY load_date"))
        .containsExactly(
            java.util.Arrays.asList(hash("111", "p1"), 1L, null),
            java.util.Arrays.asList(hash("111", "p1"), 1L, 5L),
            java.util.Arrays.asList(hash("111", "p2"), 5L, null));

    // run 3: nothing new; then the same staged batch delivered again inserts nothing
    Snapshots before = new Snapshots();
    RunResult idle = fixture.run(folder);
    assertThat(idle.flows())
        .filteredOn(flow -> flow.flow().startsWith("dv.hub") || flow.flow().startsWith("dv.sat"))
        .allMatch(flow -> flow.status() == FlowStatus.UP_TO_DATE);
    sql.run(
        "INSERT INTO dv_raw.crm VALUES ('222', 'Bia', 'bia@x.com', 5), ('111', 'Ana',"
            + " 'ana2@x.com', 6), ('222', 'Bia', 'bia2@x.com', 7)");
    sql.run("INSERT INTO dv_raw.vendas VALUES ('111', 'p2', 5)");
    RunResult replay = fixture.run(folder);
    for (String table :
        List.of(
            "dv.hub_pessoa",
            "dv.sat_pessoa",
            "dv.hub_produtor",
            "dv.link_pessoa_produtor",
            "dv.eff_pessoa_produtor")) {
      assertThat(PipelineFixture.flow(replay, table).rowsWritten()).as(table).isZero();
    }
    assertThat(before.rows()).isEqualTo(new Snapshots().rows());

    // the PIT: a row at each change of 111 and 222, pointing at the satellite row current then
    assertThat(
            fixture.rows(
                "SELECT count(*), count(sat_pessoa_load_date), count(valid_until)"
                    + " FROM dv.pit_pessoa"))
        .containsExactly(List.of(4L, 4L, 2L));
    assertThat(
            fixture.rows(
                "SELECT count(*) FROM dv.pit_pessoa p JOIN dv.sat_pessoa s"
                    + " ON s.hk_pessoa = p.hk_pessoa AND s.load_date = p.sat_pessoa_load_date"))
        .containsExactly(List.of(4L));
    assertThat(fixture.rows("SELECT hk_produtor FROM dv.bridge_pessoa ORDER BY hk_produtor"))
        .containsExactlyInAnyOrder(List.of(hash("p1")), List.of(hash("p2")));

    // a table that records another standard refuses the run before anything is written
    sql.run(
        "ALTER TABLE dv.sat_pessoa SET TBLPROPERTIES ('lagoa.vault.hash-standard' ="
            + " 'lagoa-dv-v1-sha256')");
    sql.run("INSERT INTO dv_raw.crm VALUES ('444', 'Caio', 'caio@x.com', 9)");
    assertThatThrownBy(() -> fixture.attempt(folder))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("vault.sql:4:18: ")
        .hasMessageContaining("lagoa-dv-v1-sha256")
        .hasMessageContaining("set hash-standard in pipeline.yaml");
    assertThat(count("SELECT * FROM dv.hub_pessoa WHERE cpf = '444'")).isZero();
  }

  @Test
  void anErrorInAFlowsSourceIsReportedAtTheFlow() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS dv_raw2");
    sql.run("CREATE TABLE dv_raw2.crm (cpf STRING) USING iceberg");
    Path folder =
        fixture.pipeline(
            "dv2",
            "vault.sql",
            "CREATE HUB hub_pessoa BUSINESS KEY (cpf);\n",
            "flows.sql",
            "CREATE FLOW a AS LOAD HUB hub_pessoa FROM STREAM(dv_raw2.crm) RECORD SOURCE 'a';\n"
                + "CREATE FLOW b AS LOAD HUB hub_pessoa FROM STREAM(dv_raw2.crm)\n"
                + "  BUSINESS KEY (documento) RECORD SOURCE 'b';\n");
    RunResult result = fixture.attempt(folder);
    assertThat(result.error())
        .hasValueSatisfying(
            error -> assertThat(error).contains("flows.sql:2:18: ").contains("documento"));
  }

  /** The row counts of the vault tables. */
  private static final class Snapshots {
    private final List<Long> counts =
        List.of(
            count("SELECT * FROM dv.hub_pessoa"),
            count("SELECT * FROM dv.sat_pessoa"),
            count("SELECT * FROM dv.link_pessoa_produtor"),
            count("SELECT * FROM dv.eff_pessoa_produtor"));

    List<Long> rows() {
      return counts;
    }
  }
}

package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import io.lagoa.vault.HashStandard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Data Vault statements: CREATE HUB / LINK / SATELLITE / ..., LOAD flows, and assembly. */
class TestVaultParser {
  private static final String VAULT =
      "CREATE HUB hub_pessoa BUSINESS KEY (cpf);\n"
          + "CREATE HUB hub_produtor BUSINESS KEY (produtor_id) HASH KEY hk_prod;\n"
          + "CREATE LINK link_pessoa_produtor HUBS (hub_pessoa, hub_produtor);\n"
          + "CREATE SATELLITE sat_pessoa ON hub_pessoa ATTRIBUTES (nome, email);\n"
          + "CREATE EFFECTIVITY SATELLITE eff_pessoa_produtor ON link_pessoa_produtor"
          + " DRIVING KEY (hub_pessoa);\n"
          + "CREATE PIT gold.pit_pessoa ON hub_pessoa SATELLITES (sat_pessoa);\n"
          + "CREATE BRIDGE gold.bridge_pessoa ON hub_pessoa LINKS (link_pessoa_produtor);\n";
  private static final String FLOWS =
      "CREATE FLOW crm AS LOAD HUB hub_pessoa FROM STREAM(bronze.crm) RECORD SOURCE 'crm';\n"
          + "CREATE FLOW fb AS LOAD HUB hub_pessoa FROM STREAM(bronze.fb)\n"
          + "  BUSINESS KEY (documento) RECORD SOURCE 'facebook';\n"
          + "CREATE FLOW prod AS LOAD HUB hub_produtor FROM STREAM(bronze.vendas)"
          + " RECORD SOURCE 'vendas';\n"
          + "CREATE FLOW venda AS LOAD LINK link_pessoa_produtor FROM STREAM(bronze.vendas)"
          + " BUSINESS KEY (cpf, produtor_id) RECORD SOURCE 'vendas';\n"
          + "CREATE FLOW det AS LOAD SATELLITE sat_pessoa\n"
          + "  FROM (SELECT cpf, nome, lower(email) AS email, ts FROM STREAM(bronze.crm))\n"
          + "  SEQUENCE BY ts RECORD SOURCE 'crm';\n"
          + "CREATE FLOW eff AS LOAD EFFECTIVITY SATELLITE eff_pessoa_produtor"
          + " FROM STREAM(bronze.vendas) SEQUENCE BY sold_at RECORD SOURCE 'vendas';\n";

  @TempDir Path dir;

  private static ParsedStatement read(String text) {
    List<Statement> statements = StatementSplitter.splitAll(text);
    assertThat(statements).hasSize(1);
    return DatasetStatementParser.read("f.sql", statements.get(0), ExpectationPolicy.WARN);
  }

  private static VaultStatement vault(String text) {
    ParsedStatement parsed = read(text);
    assertThat(parsed).isInstanceOf(ParsedStatement.Vault.class);
    return ((ParsedStatement.Vault) parsed).vault();
  }

  private static void fails(String text, String at, String... messages) {
    assertThatThrownBy(() -> read(text))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("f.sql:" + at + ": ")
        .hasMessageContainingAll(messages);
  }

  private PipelineSource load(String yaml, String... files) throws IOException {
    Files.writeString(dir.resolve("pipeline.yaml"), yaml);
    for (int i = 0; i < files.length; i++) {
      Files.writeString(dir.resolve("f" + i + ".sql"), files[i]);
    }
    return PipelineLoader.load(dir, Map.of());
  }

  private DatasetStatement table(PipelineSource source, String name) {
    return source.statements().stream()
        .filter(statement -> String.join(".", statement.nameParts()).equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void readsEveryDeclaration() {
    VaultStatement.Declaration hub =
        (VaultStatement.Declaration)
            vault("CREATE HUB silver.hub_pessoa BUSINESS KEY (cpf, pais) HASH KEY hk_p");
    assertThat(hub.kind()).isEqualTo(VaultKind.HUB);
    assertThat(hub.target().dotted()).isEqualTo("silver.hub_pessoa");
    assertThat(hub.businessKey())
        .extracting(VaultStatement.Name::last)
        .containsExactly("cpf", "pais");
    assertThat(hub.hashKey().orElseThrow().last()).isEqualTo("hk_p");

    VaultStatement.Declaration link =
        (VaultStatement.Declaration)
            vault("CREATE LINK same_as HUBS (hub_pessoa AS hk_master, hub_pessoa AS hk_duplicate)");
    assertThat(link.hubs()).hasSize(2);
    assertThat(link.hubs().get(1).column().orElseThrow().last()).isEqualTo("hk_duplicate");

    VaultStatement.Declaration effectivity =
        (VaultStatement.Declaration)
            vault("create effectivity satellite e on l driving key (silver.hub_pessoa)");
    assertThat(effectivity.kind()).isEqualTo(VaultKind.EFFECTIVITY_SATELLITE);
    assertThat(effectivity.drivingKey().orElseThrow().dotted()).isEqualTo("silver.hub_pessoa");
    assertThat(read("CREATE PIT p ON h SATELLITES (a, b)").dataset().kind())
        .isEqualTo(DatasetKind.MATERIALIZED_VIEW);
  }

  @Test
  void readsALoadFlow() {
    VaultStatement.Load load =
        (VaultStatement.Load)
            vault(
                "CREATE FLOW f AS LOAD SATELLITE s FROM STREAM(bronze.crm)\n"
                    + "BUSINESS KEY (documento) SEQUENCE BY coalesce(updated_at, ts)"
                    + " RECORD SOURCE 'crm'");
    assertThat(load.flow()).isEqualTo("f");
    assertThat(load.source()).isEqualTo("STREAM(bronze.crm)");
    assertThat(load.query()).isFalse();
    assertThat(load.sequenceBy().orElseThrow().sql()).isEqualTo("coalesce(updated_at, ts)");
    assertThat(load.recordSource()).isEqualTo("crm");
    assertThat(load.position().toString()).isEqualTo("f.sql:1:18");
  }

  @Test
  void locatesMistakesInDeclarations() {
    fails(
        "CREATE HUB h BUSINES KEY (cpf)",
        "1:14",
        "unknown clause 'BUSINES KEY'",
        "did you mean BUSINESS KEY?");
    fails("CREATE HUB h", "1:13", "CREATE HUB h needs BUSINESS KEY (cpf)");
    fails(
        "CREATE HUB h BUSINESS KEY (cpf) BUSINESS KEY (x)", "1:33", "BUSINESS KEY is given twice");
    fails("CREATE HUB h BUSINESS KEY (cpf, cpf)", "1:33", "cpf is named twice");
    fails("CREATE LINK l HUBS (h)", "1:20", "a link relates two or more hubs");
    fails("CREATE LINK l HUBS (a b)", "1:23", "expected , or ) in HUBS (...), not 'b'");
    fails("CREATE HUB h BUSINESS KEY (cpf x)", "1:32", "expected , or ) in BUSINESS KEY (...)");
    fails("CREATE SATELLITE s ATTRIBUTES (a)", "1:34", "needs ON silver.hub_pessoa");
    fails(
        "CREATE SATELLITE s ON h ATRIBUTES (a)",
        "1:25",
        "unknown clause 'ATRIBUTES'",
        "did you mean ATTRIBUTES?");
    fails("CREATE EFFECTIVITY SATELLITE e ON l DRIVING KEY (a, b)", "1:37", "names one hub");
    fails("CREATE HUB 'x' BUSINESS KEY (a)", "1:12", "expected the hub's name");
  }

  @Test
  void locatesMistakesInLoadFlows() {
    fails(
        "CREATE FLOW f AS LOAD HUBB h FROM STREAM(b.c) RECORD SOURCE 'x'",
        "1:23",
        "expected HUB, LINK, SATELLITE or EFFECTIVITY SATELLITE",
        "did you mean HUB?");
    fails(
        "CREATE FLOW f AS LOAD PIT p FROM STREAM(b.c) RECORD SOURCE 'x'",
        "1:23",
        "is not loaded by a flow");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM b.c RECORD SOURCE 'x'", "1:34", "write FROM STREAM(b.c)");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM STREAM read_kafka(topic => 'x') RECORD SOURCE 'x'",
        "1:41",
        "land the source in a streaming table first");
    fails("CREATE FLOW f AS LOAD HUB h FROM STREAM(b.c)", "1:18", "needs RECORD SOURCE 'name'");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM (SELECT (1) RECORD SOURCE 'x'",
        "1:34",
        "this parenthesis is never closed");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM STREAM(b.c) RECORD SOURCE crm",
        "1:60",
        "RECORD SOURCE takes a string");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM STREAM(b.c) SEQUENCE BY ts RECORD SOURCE 'x'",
        "1:46",
        "SEQUENCE BY does not apply to a hub");
    fails(
        "CREATE FLOW f AS LOAD SATELLITE s FROM STREAM(b.c) RECORD SOURCE 'x'",
        "1:18",
        "needs SEQUENCE BY");
    fails(
        "CREATE FLOW f AS LOAD HUB h FROM STREAM(b.c) RECORD SORCE 'x'",
        "1:46",
        "unknown clause 'RECORD SORCE'",
        "did you mean RECORD SOURCE?");
    fails(
        "CREATE FLOW f AS LOD HUB h FROM STREAM(b.c)",
        "1:18",
        "is not supported",
        "LOAD HUB hub FROM STREAM(source) RECORD SOURCE 'name'");
  }

  @Test
  void assemblesTheVaultAcrossFiles() throws IOException {
    PipelineSource source = load("name: dv\nnamespace: silver\n", VAULT, FLOWS);
    DatasetStatement hub = table(source, "hub_pessoa");
    VaultTable vault = hub.vault().orElseThrow();
    assertThat(hub.kind()).isEqualTo(DatasetKind.STREAMING_TABLE);
    assertThat(vault.hashKey()).isEqualTo("hk_pessoa");
    assertThat(vault.businessKey()).containsExactly("cpf");
    assertThat(vault.standard()).isEqualTo(HashStandard.DEFAULT);
    assertThat(hub.engineSql())
        .contains("CAST(`cpf` AS STRING) AS `__bk_1`", "'crm' AS `__record_source`")
        .contains("UNION ALL")
        .contains("CAST(`documento` AS STRING) AS `__bk_1`, 'facebook'");
    assertThat(hub.position().toString()).isEqualTo("f0.sql:1:12");

    VaultTable link = table(source, "link_pessoa_produtor").vault().orElseThrow();
    assertThat(link.hashKey()).isEqualTo("hk_pessoa_produtor");
    assertThat(link.hubs())
        .extracting(VaultTable.HubPart::column)
        .containsExactly("hk_pessoa", "hk_prod");

    DatasetStatement satellite = table(source, "sat_pessoa");
    assertThat(satellite.vault().orElseThrow().attributes()).containsExactly("nome", "email");
    assertThat(satellite.engineSql())
        .contains("`nome`, `email`, (ts) AS `__seq`")
        .contains("FROM (SELECT cpf, nome, lower(email) AS email, ts FROM STREAM(bronze.crm))");

    VaultTable effectivity = table(source, "eff_pessoa_produtor").vault().orElseThrow();
    assertThat(effectivity.drivingHub()).isZero();
    assertThat(effectivity.keyParts()).isEqualTo(2);

    DatasetStatement pit = table(source, "gold.pit_pessoa");
    assertThat(pit.kind()).isEqualTo(DatasetKind.MATERIALIZED_VIEW);
    assertThat(pit.engineSql()).contains("`sat_pessoa_load_date`", "`snapshot_date`");
    assertThat(table(source, "gold.bridge_pessoa").engineSql())
        .contains("JOIN `silver`.`link_pessoa_produtor` l0 ON l0.`hk_pessoa` = h.`hk_pessoa`");
  }

  @Test
  void thePipelineChoosesItsHashStandard() throws IOException {
    assertThatThrownBy(
            () -> load("name: dv\nnamespace: silver\nhash-standard: nope\n", VAULT, FLOWS))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("pipeline.yaml:3:16: ");
    assertThatThrownBy(() -> load("name: dv\nnamespace: silver\nhash-standrd: x\n", VAULT))
        .hasMessageContaining("did you mean 'hash-standard'?");
  }

  @Test
  void reportsEveryMismatchBetweenStatements() throws IOException {
    assertThatThrownBy(
            () ->
                load(
                    "name: dv\nnamespace: silver\n",
                    "CREATE HUB hub_pessoa BUSINESS KEY (cpf);\n"
                        + "CREATE HUB hub_vazio BUSINESS KEY (id);\n"
                        + "CREATE LINK l HUBS (hub_pesoa, hub_pessoa);\n"
                        + "CREATE SATELLITE s ON hub_pessoa ATTRIBUTES (nome, load_date);\n"
                        + "CREATE PIT p ON l SATELLITES (s);\n",
                    "CREATE FLOW a AS LOAD HUB hub_pessoa FROM STREAM(b.c) BUSINESS KEY (x, y)"
                        + " RECORD SOURCE 'x';\n"
                        + "CREATE FLOW b AS LOAD SATELLITE hub_pessoa FROM STREAM(b.c)"
                        + " SEQUENCE BY ts RECORD SOURCE 'x';\n"))
        .isInstanceOf(PipelineException.class)
        .hasMessageContainingAll(
            "f0.sql:2:12: no flow loads the hub silver.hub_vazio",
            "f0.sql:3:21: no hub silver.hub_pesoa is declared (did you mean silver.hub_pessoa?)",
            "f0.sql:4:52: the attribute load_date has the name of a column the satellite adds",
            "f0.sql:5:17: silver.l is a link, not a hub",
            "f1.sql:1:69: BUSINESS KEY names 2 columns but silver.hub_pessoa takes 1 (cpf)",
            "f1.sql:2:33: silver.hub_pessoa is a hub, not a satellite");
  }

  @Test
  void aLinkOfOneHubTwiceNeedsColumnsAndNamedKeys() throws IOException {
    assertThatThrownBy(
            () ->
                load(
                    "name: dv\nnamespace: silver\n",
                    "CREATE HUB hub_pessoa BUSINESS KEY (cpf);\n"
                        + "CREATE LINK same_as HUBS (hub_pessoa, hub_pessoa AS hk_dup);\n"
                        + "CREATE FLOW a AS LOAD HUB hub_pessoa FROM STREAM(b.c) RECORD SOURCE 'x';\n"
                        + "CREATE FLOW b AS LOAD LINK same_as FROM STREAM(b.d) RECORD SOURCE 'x';\n"))
        .hasMessageContaining(
            "f0.sql:4:18: name the source's business key columns, e.g. BUSINESS KEY (cpf, cpf)");
  }
}

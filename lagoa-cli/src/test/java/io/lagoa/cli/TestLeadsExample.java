package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/leads from the CLI, as its README says: connector files -> bronze -> identity graph ->
 * Data Vault silver -> the unified leads mart. The vault's row counts are what the data implies, a
 * rerun and a re-delivered file add nothing, and a later file's leads are resolved against the
 * graph with person ids kept; its bad input (garbage keys, a lead without keys, one without an id,
 * a phone shared by two thousand leads) is counted in the run's summary; a split made with {@code
 * lagoa identity split} reaches the vault and the mart in the next run, without a new lead.
 */
class TestLeadsExample {
  private static final Path EXAMPLE =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples/leads")
          .normalize();
  private static final int SHARED_PHONE_LEADS = 2000;
  private static TestingWarehouse warehouse;
  private static CliRunner cli;
  private static SparkSql sql;
  private static Path pipeline;

  @BeforeAll
  static void start() throws IOException {
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
    pipeline = warehouse.root().resolve("leads");
    copy(EXAMPLE, pipeline);
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
  }

  @Test
  void leadsThroughTheVaultIntoTheMartIncrementally() throws IOException {
    CliRunner.Result first = run();
    long leads = lines(pipeline.resolve("data"));
    assertThat(count("SELECT count(*) FROM silver.persons")).isEqualTo(leads);
    assertThat(first.err()).contains(leads + " records read (" + leads + " new");
    assertVaultMatchesTheData();
    assertThat(count("SELECT count(*) FROM silver.link_pessoa_same_as")).isZero();
    // the leads without a producer: counted, not loaded into the producer's hub and link
    long withoutProducer = count("SELECT count(*) FROM silver.stg_leads WHERE produtor_id IS NULL");
    assertThat(withoutProducer).isPositive();
    assertThat(first.err())
        .contains(withoutProducer + " staged rows without a business key (null or empty");
    Map<String, Long> counts = vaultCounts();

    // a rerun reads nothing new and writes nothing
    run();
    assertThat(vaultCounts()).isEqualTo(counts);

    // the README's split: teste@teste.com joined two people; crm/c207 and google/g207 leave. The
    // next run (whose new leads are of other persons) stages them again under their new person
    String joined = personsByRecord().get("crm/c207");
    assertThat(personsByRecord().get("crm/c180")).isEqualTo(joined);
    List<String> moving = List.of("crm/c207", "google/g207");
    CliRunner.Result split =
        cli.run(
            "identity",
            "split",
            joined,
            "--records",
            String.join(",", moving),
            "--reason",
            "junk e-mail");
    assertThat(split.exitCode()).as(split.toString()).isZero();
    String parted = personsByRecord().get("crm/c207");
    assertThat(parted).isNotEqualTo(joined);
    assertThat(personsByRecord().get("google/g207")).isEqualTo(parted);

    // a re-delivered file, and new leads: one joining two persons, a new person, garbage keys,
    // no key at all, no id, and a phone two thousand leads share
    Map<String, String> before = personsByRecord();
    // two persons without Facebook leads (the re-delivered file is Facebook's), not the split's
    String notOnFacebook =
        " NOT IN (SELECT person_id FROM silver.persons WHERE source = 'facebook'"
            + " OR person_id = '"
            + parted
            + "')";
    List<String> email =
        row(
            "SELECT p.person_id, p.email FROM silver.persons p JOIN silver.persons_keys k"
                + " ON k.key = concat('email:', p.email) AND k.status = 'ACTIVE'"
                + " WHERE p.document IS NULL AND p.person_id"
                + notOnFacebook
                + " ORDER BY p.person_id LIMIT 1");
    List<String> document =
        row(
            "SELECT person_id, document, name FROM silver.persons WHERE document IS NOT NULL"
                + " AND person_id <> '"
                + email.get(0)
                + "' AND person_id"
                + notOnFacebook
                + " ORDER BY person_id LIMIT 1");
    Path facebook = pipeline.resolve("data/facebook");
    Files.copy(facebook.resolve("leads-0001.jsonl"), facebook.resolve("leads-0001-again.jsonl"));
    long redelivered = lines(facebook.resolve("leads-0001.jsonl"));
    Files.writeString(
        pipeline.resolve("data/crm/leads-0002.jsonl"),
        String.join(
                "\n",
                "{\"id\": \"c9001\", \"nome\": \""
                    + document.get(2)
                    + "\", \"email\": \""
                    + email.get(1)
                    + "\", \"cpf\": \""
                    + document.get(1)
                    + "\", \"produtor_id\": \"prod-escola-dados\","
                    + " \"criado_em\": \"2026-12-01T10:00:00Z\"}",
                "{\"id\": \"c9002\", \"nome\": \"Teodoro Quintana Vasconcelos\", \"email\":"
                    + " \"teodoro.qv@exemplo.com.br\", \"celular\": \"(31) 98123-4567\","
                    + " \"produtor_id\": \"prod-fotografia\", \"criado_em\": \"2026-12-01T11:00:00Z\"}",
                "{\"id\": \"c9003\", \"nome\": \"Zélia Prado\", \"email\": \"zelia(at)gmail\","
                    + " \"celular\": \"123\", \"produtor_id\": \"prod-fotografia\","
                    + " \"criado_em\": \"2026-12-01T12:00:00Z\"}",
                "{\"id\": \"c9004\", \"nome\": \"Sem Contato\", \"criado_em\":"
                    + " \"2026-12-01T13:00:00Z\"}",
                "{\"nome\": \"Sem Id\", \"email\": \"sem.id@exemplo.com.br\", \"criado_em\":"
                    + " \"2026-12-01T14:00:00Z\"}")
            + "\n");
    String[] givenNames = {"Ana", "Bruno", "Carla", "Diego", "Elisa", "Fabio", "Gisele", "Heitor"};
    String[] last = {"Lima", "Costa", "Rocha", "Pinto", "Moura", "Freitas", "Teixeira", "Ramos"};
    StringBuilder shared = new StringBuilder();
    for (int i = 0; i < SHARED_PHONE_LEADS; i++) {
      shared
          .append("{\"lead_id\": \"gx")
          .append(i)
          .append("\", \"name\": \"")
          .append(givenNames[i % givenNames.length])
          .append(' ')
          .append(last[(i / givenNames.length) % last.length])
          .append("\", \"phone\": \"(21) 98765-4321\", \"campaign\": \"black-friday\",")
          .append(" \"produtor_id\": \"prod-curso-ingles\", \"submitted_at\":")
          .append(" \"2026-12-02T10:00:00Z\"}\n");
    }
    Files.writeString(
        pipeline.resolve("data/google/leads-0002.jsonl"), shared, StandardCharsets.UTF_8);

    CliRunner.Result third = run();
    long read = redelivered + 4 + SHARED_PHONE_LEADS;
    assertThat(third.err())
        .contains(read + " records read (" + (4 + SHARED_PHONE_LEADS) + " new, 0 updated, ")
        .contains(redelivered + " replayed)")
        .contains("1 merges")
        .contains("1 keys rejected as over-shared (" + SHARED_PHONE_LEADS + " uses)")
        .contains("2 garbage keys (1 email, 1 phone)")
        .contains("2 records without keys")
        .contains("1 without an id");

    // person ids are kept; the two persons the new lead joins become one, the older id surviving
    String survivor = min(email.get(0), document.get(0));
    String merged = max(email.get(0), document.get(0));
    Map<String, String> after = personsByRecord();
    before.forEach(
        (record, person) ->
            assertThat(after.get(record))
                .as(record)
                .isEqualTo(person.equals(merged) ? survivor : person));
    assertThat(after.get("crm/c9001")).isEqualTo(survivor);
    assertThat(
            rows(
                "SELECT hk_pessoa_sobrevivente = hash_key('"
                    + survivor
                    + "'), hk_pessoa_mesclada = hash_key('"
                    + merged
                    + "') FROM silver.link_pessoa_same_as"))
        .containsExactly(List.of("true", "true"));
    assertVaultMatchesTheData();
    // one satellite row per new lead (each a change for its person), none for the re-delivered;
    // the split's new person has its own
    long partedDetails =
        count("SELECT count(*) FROM silver.sat_pessoa_detalhes" + ofPerson(parted));
    assertThat(partedDetails).isBetween(1L, (long) moving.size());
    assertThat(count("SELECT count(*) FROM silver.sat_pessoa_detalhes"))
        .isEqualTo(counts.get("sat_pessoa_detalhes") + 4 + SHARED_PHONE_LEADS + partedDetails);
    assertThat(count("SELECT count(*) FROM silver.link_pessoa_same_as")).isOne();
    assertThat(
            row(
                "SELECT records, array_contains(produtores, 'prod-escola-dados')"
                    + " FROM gold.mart_leads_unificados WHERE person_id = '"
                    + survivor
                    + "'"))
        .containsExactly(
            Long.toString(
                count("SELECT count(*) FROM silver.persons WHERE person_id = '" + survivor + "'")),
            "true");

    // the split reached the vault: the moved leads staged once more, under their new person, with
    // its hub key, links and satellite rows; in the mart each half has only its own leads,
    // producers and details
    assertThat(count("SELECT count(*) FROM silver.stg_leads WHERE person_id = '" + parted + "'"))
        .isEqualTo(moving.size());
    assertThat(count("SELECT count(*) FROM silver.hub_pessoa WHERE person_id = '" + parted + "'"))
        .isOne();
    assertThat(count("SELECT count(*) FROM silver.link_pessoa_produtor" + ofPerson(parted)))
        .isEqualTo(
            count(
                "SELECT count(DISTINCT upper(trim(produtor_id))) FROM silver.stg_leads"
                    + " WHERE person_id = '"
                    + parted
                    + "'"));
    for (String person : List.of(parted, joined)) {
      String current = " FROM silver.persons WHERE person_id = '" + person + "'";
      assertThat(
              row(
                  "SELECT records, array_sort(transform(produtores, x -> upper(trim(x)))),"
                      + " coalesce(email, '') IN (SELECT coalesce(email, '')"
                      + current
                      + ") FROM gold.mart_leads_unificados WHERE person_id = '"
                      + person
                      + "'"))
          .as(person)
          .containsExactly(
              Long.toString(count("SELECT count(*)" + current)),
              String.valueOf(
                  rows("SELECT array_sort(collect_set(upper(trim(s.produtor_id))))"
                          + " FROM silver.stg_leads s JOIN silver.persons p"
                          + " ON p.source = s.source AND p.record_id = s.record_id"
                          + " WHERE p.person_id = '"
                          + person
                          + "' AND s.produtor_id IS NOT NULL")
                      .get(0)
                      .get(0)),
              "true");
    }
  }

  /** The rows of a vault table whose person hash key is this person's. */
  private static String ofPerson(String person) {
    return " WHERE hk_pessoa = hash_key('" + person + "')";
  }

  /**
   * Hub, link and satellite counts as the staged leads and the graph imply; the mart per person.
   */
  private static void assertVaultMatchesTheData() {
    assertThat(count("SELECT count(*) FROM silver.hub_pessoa"))
        .isEqualTo(count("SELECT count(DISTINCT person_id) FROM silver.stg_leads"));
    assertThat(count("SELECT count(*) FROM silver.hub_produtor"))
        .isEqualTo(count("SELECT count(DISTINCT upper(trim(produtor_id))) FROM silver.stg_leads"))
        .isEqualTo(4);
    assertThat(count("SELECT count(*) FROM silver.link_pessoa_produtor"))
        .isEqualTo(
            count(
                "SELECT count(DISTINCT person_id, upper(trim(produtor_id))) FROM silver.stg_leads"
                    + " WHERE produtor_id IS NOT NULL"));
    // a satellite row per change of a person's details, in touch order; a re-delivered lead is
    // no change
    assertThat(count("SELECT count(*) FROM silver.sat_pessoa_detalhes"))
        .isLessThanOrEqualTo(count("SELECT count(*) FROM silver.stg_leads"));
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT hk_pessoa, hash_diff, count(*) AS n"
                    + " FROM silver.sat_pessoa_detalhes GROUP BY hk_pessoa, hash_diff,"
                    + " applied_at) WHERE n > 1"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM silver.hub_pessoa h LEFT ANTI JOIN"
                    + " silver.sat_pessoa_detalhes s ON s.hk_pessoa = h.hk_pessoa"))
        .isZero();
    long persons = count("SELECT count(DISTINCT person_id) FROM silver.persons");
    assertThat(count("SELECT count(*) FROM gold.mart_leads_unificados")).isEqualTo(persons);
    assertThat(count("SELECT count(DISTINCT person_id) FROM gold.mart_leads_unificados"))
        .isEqualTo(persons);
    assertThat(count("SELECT sum(records) FROM gold.mart_leads_unificados"))
        .isEqualTo(count("SELECT count(*) FROM silver.persons"));
  }

  /** The vault's and the mart's row counts. */
  private static Map<String, Long> vaultCounts() {
    Map<String, Long> counts = new HashMap<>();
    for (String table :
        List.of(
            "hub_pessoa",
            "hub_produtor",
            "link_pessoa_produtor",
            "sat_pessoa_detalhes",
            "link_pessoa_same_as")) {
      counts.put(table, count("SELECT count(*) FROM silver." + table));
    }
    counts.put("mart", count("SELECT count(*) FROM gold.mart_leads_unificados"));
    return counts;
  }

  private static CliRunner.Result run() {
    CliRunner.Result run = cli.run("pipeline", "run", pipeline.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return run;
  }

  private static Map<String, String> personsByRecord() {
    Map<String, String> persons = new HashMap<>();
    for (List<String> row : rows("SELECT source, record_id, person_id FROM silver.persons")) {
      persons.put(row.get(0) + "/" + row.get(1), row.get(2));
    }
    return persons;
  }

  private static long count(String query) {
    return Long.parseLong(row(query).get(0));
  }

  private static List<String> row(String query) {
    List<List<String>> rows = rows(query);
    assertThat(rows).as(query).hasSize(1);
    return rows.get(0);
  }

  private static List<List<String>> rows(String query) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : sql.execute(query, 100_000).rows()) {
      List<String> values = new ArrayList<>();
      for (Object value : row) {
        values.add(String.valueOf(value));
      }
      rows.add(values);
    }
    return rows;
  }

  private static long lines(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      long lines = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        lines += Files.readAllLines(file).stream().filter(line -> !line.isBlank()).count();
      }
      return lines;
    }
  }

  private static String min(String a, String b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String max(String a, String b) {
    return a.compareTo(b) <= 0 ? b : a;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}

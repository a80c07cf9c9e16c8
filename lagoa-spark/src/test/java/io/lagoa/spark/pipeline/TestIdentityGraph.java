package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.LagoaException;
import io.lagoa.identity.PersonExplanation;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.SplitResult;
import io.lagoa.service.Lakehouse;
import io.lagoa.service.identity.IdentityService;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CREATE IDENTITY GRAPH through real pipeline runs on Spark and Iceberg: matching across sources,
 * the over-sharing guard, replays, a merge keeping the older id, explain and an audited split,
 * whose moves a reader streams in the next run.
 */
class TestIdentityGraph {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture = new PipelineFixture(spark, warehouse, "identity");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static void sql(String statement) {
    spark.sql(statement).collectAsList();
  }

  private static Map<String, String> persons() {
    return fixture.rows("SELECT source, record_id, person_id FROM lagoa.idg.persons").stream()
        .collect(
            Collectors.toMap(
                row -> row.get(0) + "/" + row.get(1), row -> String.valueOf(row.get(2))));
  }

  @Test
  void unifiesMergesReplaysExplainsAndSplits() {
    sql("CREATE NAMESPACE IF NOT EXISTS lagoa.idg_src");
    sql(
        "CREATE TABLE lagoa.idg_src.crm (id STRING, nome STRING, email STRING, celular STRING,"
            + " cpf STRING) USING iceberg");
    sql(
        "CREATE TABLE lagoa.idg_src.fb (lead_id STRING, full_name STRING, email STRING,"
            + " phone STRING) USING iceberg");
    sql(
        "INSERT INTO lagoa.idg_src.crm VALUES"
            + " ('1', 'João Silva', 'joao@x.com', NULL, '529.982.247-25'),"
            + " ('2', 'Maria Souza', 'maria@x.com', NULL, NULL),"
            + " ('3', 'Carlos Pereira', NULL, '+55 11 98888-7777', NULL),"
            + " ('4', 'Beatriz Pereira', NULL, '(11) 98888-7777', NULL),"
            + " ('5', NULL, 'garbage', NULL, NULL)");
    sql(
        "INSERT INTO lagoa.idg_src.fb VALUES"
            + " ('f1', 'joao silva', ' JOAO@X.COM ', NULL),"
            + " ('f2', 'Lucas Pereira', NULL, '11988887777'),"
            + " ('f3', 'Helena Pereira', NULL, '5511988887777')");
    Path folder =
        fixture.pipeline(
            "idg",
            "persons.sql",
            "CREATE IDENTITY GRAPH persons\n"
                + "MATCH ON email, document, phone IF NAME SIMILARITY >= 0.85\n"
                + "MAX NAMES PER KEY 3\n"
                + "AS SELECT 'crm' AS source, id AS record_id, nome AS name, email,"
                + " celular AS phone, cpf AS document FROM STREAM(idg_src.crm)\n"
                + "UNION ALL SELECT 'facebook', lead_id, full_name, email, phone, NULL"
                + " FROM STREAM(idg_src.fb);\n"
                // a reader of the moves, as a vault's staging restages the records a split moved
                + "CREATE STREAMING TABLE restaged AS SELECT m.source, m.record_id, p.person_id,"
                + " m.from_person_id FROM STREAM(idg.persons_moves) m"
                + " JOIN idg.persons p ON p.source = m.source AND p.record_id = m.record_id");

    RunResult first = fixture.run(folder);
    FlowResult flow = PipelineFixture.flow(first, "idg.persons");
    assertThat(flow.rowsRead()).isEqualTo(8);
    assertThat(flow.rowsWritten()).isEqualTo(8);
    assertThat(flow.note().orElseThrow())
        .contains("8 records read (8 new", "1 keys rejected as over-shared (4 uses)")
        .contains("1 garbage keys", "1 records without keys");
    Map<String, String> persons = persons();
    assertThat(persons.get("crm/1")).isEqualTo(persons.get("facebook/f1"));
    assertThat(new java.util.HashSet<>(persons.values())).hasSize(7); // the family stays apart
    assertThat(
            fixture.rows("SELECT DISTINCT status FROM lagoa.idg.persons_keys WHERE kind = 'phone'"))
        .containsExactly(List.of("OVER_SHARED"));

    // the same lead delivered again changes nothing
    sql("INSERT INTO lagoa.idg_src.fb VALUES ('f1', 'joao silva', ' JOAO@X.COM ', NULL)");
    RunResult replay = fixture.run(folder);
    assertThat(PipelineFixture.flow(replay, "idg.persons").note().orElseThrow())
        .contains("1 records read (0 new, 0 updated, 1 replayed)");
    assertThat(persons()).isEqualTo(persons);
    RunResult upToDate = fixture.run(folder);
    assertThat(PipelineFixture.flow(upToDate, "idg.persons").status())
        .isEqualTo(FlowStatus.UP_TO_DATE);

    // a lead with Maria's e-mail and João's CPF: the two persons merge, the older id survives
    String joao = persons.get("crm/1");
    String maria = persons.get("crm/2");
    String survivor = joao.compareTo(maria) < 0 ? joao : maria; // same age: the smaller id
    String merged = survivor.equals(joao) ? maria : joao;
    sql("INSERT INTO lagoa.idg_src.fb VALUES ('f4', 'Maria S.', 'maria@x.com', NULL)");
    sql(
        "INSERT INTO lagoa.idg_src.crm VALUES"
            + " ('6', 'Maria Souza', 'MARIA@x.com', NULL, '52998224725')");
    RunResult third = fixture.run(folder);
    assertThat(PipelineFixture.flow(third, "idg.persons").note().orElseThrow())
        .contains("1 merges (");
    Map<String, String> after = persons();
    assertThat(List.of("crm/1", "crm/2", "facebook/f1", "facebook/f4", "crm/6"))
        .allSatisfy(record -> assertThat(after.get(record)).isEqualTo(survivor));
    assertThat(fixture.rows("SELECT merged_id, survivor_id FROM lagoa.idg.persons_same_as"))
        .containsExactly(List.of(merged, survivor));

    try (Lakehouse lakehouse = Lakehouse.open(warehouse.config())) {
      IdentityService service = new IdentityService(lakehouse);
      assertThat(service.graph(java.util.Optional.empty())).isEqualTo("idg.persons");
      List<PersonExplanation> byEmail = service.explain("idg.persons", " Maria@X.com");
      assertThat(byEmail)
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.personId()).isEqualTo(survivor);
                assertThat(p.records()).hasSize(5);
                assertThat(p.sameAs()).hasSize(1);
              });
      PersonExplanation byOldId = service.explain("idg.persons", merged).get(0);
      assertThat(byOldId.personId()).isEqualTo(survivor);
      assertThat(byOldId.mergedInto()).containsExactly(merged);
      assertThat(service.explain("idg.persons", "11 98888-7777")).hasSize(4);
      assertThatThrownBy(() -> service.explain("idg.persons", "p_0000000000000000"))
          .isInstanceOf(LagoaException.class)
          .hasMessageContaining("has no person p_0000000000000000");
      assertThatThrownBy(() -> service.explain("idg.persons", "nobody@x.com"))
          .hasMessageContaining("has no person with email:nobody@x.com");

      SplitResult split =
          service.split(
              "idg.persons",
              survivor,
              List.of(new RecordRef("crm", "2"), new RecordRef("facebook", "f4")),
              "Maria is not João");
      assertThat(split.newPersonId()).isNotEqualTo(survivor);
      Map<String, String> afterSplit = persons();
      assertThat(afterSplit.get("crm/2")).isEqualTo(split.newPersonId());
      assertThat(afterSplit.get("crm/1")).isEqualTo(survivor);
      assertThat(split.ambiguousKeys()).containsExactly("email:maria@x.com");
      assertThat(fixture.rows("SELECT action FROM lagoa.idg.persons_audit WHERE action = 'SPLIT'"))
          .hasSize(1);
      assertThat(
              fixture.rows(
                  "SELECT source, record_id, person_id, from_person_id, reason"
                      + " FROM lagoa.idg.persons_moves ORDER BY source, record_id"))
          .containsExactly(
              List.of("crm", "2", split.newPersonId(), survivor, "Maria is not João"),
              List.of("facebook", "f4", split.newPersonId(), survivor, "Maria is not João"));
      assertThatThrownBy(
              () ->
                  service.split("idg.persons", survivor, List.of(new RecordRef("crm", "404")), "x"))
          .hasMessageContaining("crm/404 is not one of its records");

      // the next run streams the moves: the reader learns of the split without a new record
      assertThat(fixture.rows("SELECT * FROM lagoa.idg.restaged")).isEmpty();
      RunResult afterSplitRun = fixture.run(folder);
      assertThat(PipelineFixture.flow(afterSplitRun, "idg.restaged").rowsWritten()).isEqualTo(2);
      assertThat(
              fixture.rows(
                  "SELECT source, record_id, person_id, from_person_id FROM lagoa.idg.restaged"
                      + " ORDER BY source, record_id"))
          .containsExactly(
              List.of("crm", "2", split.newPersonId(), survivor),
              List.of("facebook", "f4", split.newPersonId(), survivor));
      fixture.run(folder);
      assertThat(fixture.rows("SELECT * FROM lagoa.idg.restaged")).hasSize(2);
    }
  }
}

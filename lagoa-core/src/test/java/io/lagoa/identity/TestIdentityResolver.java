package io.lagoa.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The matching engine alone, against a graph in memory: no Spark, milliseconds. */
class TestIdentityResolver {
  private static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-12-02T10:00:00Z");
  private static final Instant T3 = Instant.parse("2026-12-03T10:00:00Z");

  private final MatchRules rules =
      MatchRules.of(
          MatchKey.strong(KeyKind.EMAIL),
          MatchKey.strong(KeyKind.DOCUMENT),
          MatchKey.withNames(KeyKind.PHONE, 0.85));
  private final IdentityResolver resolver = new IdentityResolver(rules);
  private final InMemoryGraph graph = new InMemoryGraph();

  private static SourceRecord record(
      String source, String id, String name, String email, String phone, String document) {
    Map<KeyKind, String> raw = new EnumMap<>(KeyKind.class);
    raw.put(KeyKind.EMAIL, email);
    raw.put(KeyKind.PHONE, phone);
    raw.put(KeyKind.DOCUMENT, document);
    return new SourceRecord(new RecordRef(source, id), name, raw);
  }

  private RunSummary run(Instant at, SourceRecord... records) {
    Resolution resolution = resolver.resolve(List.of(records), graph, at, "run-" + at);
    graph.apply(resolution);
    return resolution.summary();
  }

  @Test
  void recordsSharingAStrongKeyAreOnePersonWhateverTheirFormat() {
    RunSummary summary =
        run(
            T1,
            record("crm", "1", "João Silva", " Joao.Silva@Email.com ", null, "529.982.247-25"),
            record("facebook", "f9", "joao silva", "joao.silva@email.com", null, null),
            record("google", "g7", "J. Silva", null, null, "52998224725"),
            record("crm", "2", "Maria Souza", "maria@email.com", null, null));

    assertThat(graph.personOf("crm", "1"))
        .isEqualTo(graph.personOf("facebook", "f9"))
        .isEqualTo(graph.personOf("google", "g7"))
        .isNotEqualTo(graph.personOf("crm", "2"));
    assertThat(graph.personOf("crm", "1")).isEqualTo(PersonIds.of(new RecordRef("crm", "1")));
    assertThat(summary.newPersons()).isEqualTo(2);
    assertThat(summary.matchedRecords()).isEqualTo(3);
    assertThat(summary.newRecords()).isEqualTo(4);
    RecordRow google = graph.records.get(new RecordRef("google", "g7"));
    assertThat(google.matchKey()).isEqualTo("document:52998224725");
    assertThat(google.matchedWith()).isEqualTo("crm/1");
    assertThat(google.matchRule()).isEqualTo("strong key");
  }

  @Test
  void aPersonKeepsItsIdAsRecordsJoinAndTheOlderSurvivesAMerge() {
    run(T1, record("crm", "1", "Ana Lima", "ana@x.com", null, null));
    run(T2, record("facebook", "9", "Ana Paula", "ana.paula@y.com", null, null));
    String ana = graph.personOf("crm", "1");
    String paula = graph.personOf("facebook", "9");
    assertThat(ana).isNotEqualTo(paula);

    // a Google lead carrying both e-mails? No: one with the first e-mail and the CPF, then one
    // with the CPF and the second e-mail joins the two persons
    RunSummary third =
        run(
            T3,
            record("google", "1", "Ana Lima", "ana@x.com", null, "529.982.247-25"),
            record("google", "2", "Ana P. Lima", "ana.paula@y.com", null, "52998224725"));

    assertThat(third.merges()).isEqualTo(1);
    assertThat(third.newPersons()).isZero();
    assertThat(third.movedRecords()).isEqualTo(1);
    assertThat(graph.persons()).containsExactly(ana);
    assertThat(graph.sameAs)
        .singleElement()
        .satisfies(
            link -> {
              assertThat(link.mergedId()).isEqualTo(paula);
              assertThat(link.survivorId()).isEqualTo(ana);
              assertThat(link.reason()).contains("ana.paula@y.com");
            });
    assertThat(graph.keys.values())
        .extracting(KeyRow::personId)
        .containsOnly(ana); // the merged person's keys were re-pointed
    assertThat(graph.events)
        .extracting(GraphEvent::action)
        .containsExactly(GraphEvent.Action.MERGE);
  }

  @Test
  void replayedRecordsChangeNothing() {
    SourceRecord[] batch = {
      record("crm", "1", "Ana Lima", "ana@x.com", "(11) 99999-0001", null),
      record("facebook", "9", "Ana Lima", "ana@x.com", null, null)
    };
    run(T1, batch);
    Map<RecordRef, RecordRow> before = Map.copyOf(graph.records);
    Map<KeyRow.Id, KeyRow> keysBefore = Map.copyOf(graph.keys);

    Resolution again = resolver.resolve(List.of(batch[0], batch[1], batch[0]), graph, T2, "r2");

    assertThat(again.changesNothing()).isTrue();
    assertThat(again.summary().replayedRecords()).isEqualTo(3);
    assertThat(again.summary().recordsRead()).isEqualTo(3);
    graph.apply(again);
    assertThat(graph.records).isEqualTo(before);
    assertThat(graph.keys).isEqualTo(keysBefore);
  }

  @Test
  void aPhoneSharedByManyNamesJoinsNobody() {
    List<SourceRecord> family = new ArrayList<>();
    String[] names = {"Carlos Pereira", "Beatriz Pereira", "Lucas Pereira", "Helena Pereira"};
    for (int i = 0; i < names.length; i++) {
      family.add(record("crm", "c" + i, names[i], null, "+55 11 98888-7777", null));
    }
    RunSummary summary = run(T1, family.toArray(SourceRecord[]::new));

    assertThat(graph.persons()).hasSize(4);
    assertThat(summary.keysOverShared()).isEqualTo(1);
    assertThat(summary.rejectedKeyUses()).isEqualTo(4);
    assertThat(graph.keys.values()).extracting(KeyRow::status).containsOnly(KeyStatus.OVER_SHARED);

    // it stays rejected: a later record with that phone and a matching name joins nobody
    RunSummary later = run(T2, record("google", "g1", "Carlos Pereira", null, "11988887777", null));
    assertThat(later.newPersons()).isEqualTo(1);
    assertThat(later.rejectedKeyUses()).isEqualTo(1);
    assertThat(later.keysOverShared()).isZero(); // counted once, when it was rejected
  }

  @Test
  void aHouseholdPhoneUnderItsOwnLimitJoinsEachMembersRecordsOnly() {
    IdentityResolver household =
        new IdentityResolver(
            MatchRules.of(
                MatchKey.strong(KeyKind.EMAIL),
                MatchKey.withNames(KeyKind.PHONE, 0.85).withMaxNames(6)));
    InMemoryGraph tables = new InMemoryGraph();
    String[] names = {"Carlos Pereira", "Beatriz Pereira", "Lucas Pereira", "Helena Pereira"};
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      records.add(record("crm", "c" + i, names[i], null, "+55 11 98888-7777", null));
      records.add(record("facebook", "f" + i, names[i], null, "(11) 98888-7777", null));
    }
    Resolution resolution = household.resolve(records, tables, T1, "run-1");
    tables.apply(resolution);

    // four names are under the phone's limit of 6 (the graph's 3 would reject it for everyone)
    assertThat(resolution.summary().keysOverShared()).isZero();
    assertThat(tables.persons()).hasSize(4);
    for (int i = 0; i < names.length; i++) {
      assertThat(tables.personOf("facebook", "f" + i)).isEqualTo(tables.personOf("crm", "c" + i));
    }

    // past its own limit the phone joins nobody, as any over-shared key
    List<SourceRecord> more = new ArrayList<>();
    String[] others = {"Marta Pereira", "Rui Pereira", "Ana Pereira"};
    for (int i = 0; i < others.length; i++) {
      more.add(record("google", "g" + i, others[i], null, "11988887777", null));
    }
    more.add(record("google", "g9", "Carlos Pereira", null, "11988887777", null));
    Resolution later = household.resolve(more, tables, T2, "run-2");
    tables.apply(later);
    assertThat(later.summary().keysOverShared()).isEqualTo(1);
    assertThat(tables.personOf("google", "g9")).isNotEqualTo(tables.personOf("crm", "c0"));
  }

  @Test
  void aWeakKeyJoinsOnlyWhenTheNamesAgree() {
    run(
        T1,
        record("crm", "1", "Roberto Alves", null, "11 97777-1234", null),
        record("facebook", "2", "Alves, Roberto", null, "(11) 977771234", null),
        record("google", "3", "Fernanda Alves", null, "+5511977771234", null),
        record("google", "4", null, null, "+5511977771234", null));

    assertThat(graph.personOf("crm", "1")).isEqualTo(graph.personOf("facebook", "2"));
    assertThat(graph.personOf("google", "3")).isNotEqualTo(graph.personOf("crm", "1"));
    assertThat(graph.personOf("google", "4"))
        .isNotIn(graph.personOf("crm", "1"), graph.personOf("google", "3"));
    assertThat(graph.records.get(new RecordRef("facebook", "2")).matchRule())
        .isEqualTo("names agree >= 0.85 (1.00)");

    // across runs too: the stored names of the key decide
    run(T2, record("crm", "5", "Roberto Alvez", null, "11977771234", null));
    assertThat(graph.personOf("crm", "5")).isEqualTo(graph.personOf("crm", "1"));
  }

  @Test
  void namesAgreeWithOneSurnameLeftOutOrATypoButRelativesStayApart() {
    run(
        T1,
        record("crm", "1", "Rodrigo Gonçalves Dias", null, "51 90489-0402", null),
        record("facebook", "2", "Rodrigo Dias", null, "5551904890402", null),
        record("google", "3", "Rodrigo Gonçalves", null, "(51) 90489-0402", null),
        // a typo that moves the surname when the surnames are sorted (NUNES -> UNNES)
        record("crm", "4", "Edson Nunes Rocha", null, "61 99742-7046", null),
        record("google", "5", "Edson uNnes Rocha", null, "(61) 99742-7046", null),
        // relatives sharing the phone and the surnames, one written with a surname left out
        record("crm", "6", "Aline Soares Marques", null, "11 95555-0001", null),
        record("google", "7", "Alex Marques", null, "11955550001", null));

    assertThat(graph.personOf("facebook", "2"))
        .isEqualTo(graph.personOf("crm", "1"))
        .isEqualTo(graph.personOf("google", "3"));
    assertThat(graph.personOf("google", "5")).isEqualTo(graph.personOf("crm", "4"));
    assertThat(graph.personOf("google", "7")).isNotEqualTo(graph.personOf("crm", "6"));
    assertThat(NameAgreement.similarity("RODRIGO DIAS", "RODRIGO DIAS GONCALVES")).isEqualTo(1.0);
    assertThat(NameAgreement.similarity("ALEX MARQUES", "ALINE MARQUES SOARES")).isLessThan(0.85);
  }

  @Test
  void theSummaryCountsGarbagePerKind() {
    RunSummary summary =
        run(
            T1,
            record("crm", "1", "X", "not-an-email", "123", null),
            record("crm", "2", "Y", "n/a", "abc", null),
            record("crm", "3", null, null, null, null));

    assertThat(summary.toString())
        .contains("4 garbage keys (2 email, 2 phone)", "3 records without keys");
  }

  @Test
  void garbageAndMissingKeysAreCountedAndTheRecordIsStillAPerson() {
    RunSummary summary =
        run(
            T1,
            record("crm", "1", "X", "not-an-email", "123", "529.982.247-26"),
            record("crm", "2", null, null, null, null),
            record("crm", "3", "Y", "y@y.com", "abc", null));

    assertThat(summary.garbageKeys())
        .containsEntry(KeyKind.EMAIL, 1L)
        .containsEntry(KeyKind.PHONE, 2L)
        .containsEntry(KeyKind.DOCUMENT, 1L);
    assertThat(summary.recordsWithoutKeys()).isEqualTo(2);
    assertThat(summary.newPersons()).isEqualTo(3);
    assertThat(graph.records).hasSize(3);
    assertThat(graph.records.get(new RecordRef("crm", "2")).matchRule())
        .isEqualTo("new person (no usable key)");
  }

  @Test
  void aSplitIsAuditedAndHoldsOnLaterRuns() {
    run(
        T1,
        record("crm", "1", "Paulo Reis", "familia@x.com", null, null),
        record("facebook", "2", "Paula Reis", "familia@x.com", null, "529.982.247-25"));
    String person = graph.personOf("crm", "1");
    assertThat(graph.personOf("facebook", "2")).isEqualTo(person);

    Resolution split =
        resolver.split(
            person, List.of(new RecordRef("facebook", "2")), "shared e-mail", graph, T2, "s1");
    graph.apply(split);

    String paula = graph.personOf("facebook", "2");
    assertThat(paula).isNotEqualTo(person);
    assertThat(graph.personOf("crm", "1")).isEqualTo(person);
    assertThat(graph.keyRows(List.of("email:familia@x.com")))
        .extracting(KeyRow::status)
        .containsOnly(KeyStatus.AMBIGUOUS);
    assertThat(graph.keyRows(List.of("document:52998224725")))
        .singleElement()
        .satisfies(row -> assertThat(row.personId()).isEqualTo(paula));
    assertThat(graph.events)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.action()).isEqualTo(GraphEvent.Action.SPLIT);
              assertThat(event.detail()).contains("shared e-mail", "familia@x.com");
            });

    // a new record with the shared e-mail no longer joins the halves again
    run(T3, record("google", "3", "Paulo Reis", "familia@x.com", null, null));
    assertThat(graph.personOf("crm", "1")).isNotEqualTo(graph.personOf("facebook", "2"));

    assertThatThrownBy(
            () ->
                resolver.split(person, List.of(new RecordRef("crm", "404")), "x", graph, T3, "s2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crm/404 is not one of its records");
    assertThatThrownBy(() -> resolver.split("p_0000000000000000", List.of(), "x", graph, T3, "s3"))
        .hasMessageContaining("no person with that id");
  }

  @Test
  void rulesReadBackFromTheirDescription() {
    MatchRules custom =
        new MatchRules(
            List.of(MatchKey.strong(KeyKind.EMAIL), MatchKey.withNames(KeyKind.PHONE, 0.9)),
            5,
            "PT");
    assertThat(MatchRules.parse(custom.describe())).isEqualTo(custom);
  }
}

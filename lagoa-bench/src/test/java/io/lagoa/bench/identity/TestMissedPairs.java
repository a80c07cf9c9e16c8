package io.lagoa.bench.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The missed pairs' reasons and the key ceiling, on leads written by hand. */
class TestMissedPairs {
  private static LeadRecord lead(
      String source, String id, String name, String email, String phone, long person) {
    return new LeadRecord(source, id, name, email, phone, null, person);
  }

  @Test
  void sortsMissedPairsByReason() {
    List<LeadRecord> leads =
        List.of(
            // person 1: e-mail shared (joined), a third record with nothing in common
            lead("crm", "c1", "Ana Lima", "ana@x.com", null, 1),
            lead("facebook", "f1", "Ana Lima", " ANA@x.com ", "11 91111-1111", 1),
            lead("google", "g1", "Ana Lima", null, null, 1),
            // person 2: a phone shared, the names too far apart for the graph
            lead("crm", "c2", "Bruno Costa", null, "(21) 92222-2222", 2),
            lead("google", "g2", "Costa", null, "21922222222", 2),
            // person 3: a junk phone the graph rejected
            lead("crm", "c3", "Carla Dias", null, "11999999999", 3),
            lead("google", "g3", "Carla Dias", null, "(11) 99999-9999", 3));
    Map<String, String> predicted =
        Map.of(
            "crm/c1", "p1",
            "facebook/f1", "p1",
            "google/g1", "p9",
            "crm/c2", "p2",
            "google/g2", "p8",
            "crm/c3", "p3",
            "google/g3", "p7");

    MissedPairs.Analysis analysis =
        MissedPairs.analyze(leads, predicted, Set.of("phone:+5511999999999"), "BR");

    assertThat(analysis.truePairs()).isEqualTo(5);
    assertThat(analysis.reachablePairs()).isEqualTo(3);
    assertThat(analysis.keyCeiling()).isEqualTo(0.6);
    assertThat(analysis.missed())
        .containsOnly(
            Map.entry(MissedPairs.UNREACHABLE, 2L),
            Map.entry(MissedPairs.NAMES, 1L),
            Map.entry(MissedPairs.REJECTED, 1L));
  }
}

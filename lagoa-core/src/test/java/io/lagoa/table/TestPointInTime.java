package io.lagoa.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TestPointInTime {
  private static final ZoneId SAO_PAULO = ZoneId.of("America/Sao_Paulo");

  @Test
  void readsSnapshotIds() {
    PointInTime point = PointInTime.parse(" 4817364017012 ", "--to", SAO_PAULO);
    assertThat(point.isSnapshot()).isTrue();
    assertThat(point.snapshotId()).hasValue(4817364017012L);
    assertThat(point.time()).isEmpty();
    assertThat(point).hasToString("snapshot 4817364017012");
  }

  @Test
  void readsTimesWithAnOffsetAsThatInstant() {
    assertThat(PointInTime.parse("2026-11-25T10:15:30Z", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T10:15:30Z"));
    assertThat(PointInTime.parse("2026-11-25T10:15:30+01:00", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T09:15:30Z"));
    assertThat(PointInTime.parse("2026-11-25 10:15:30.250Z", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T10:15:30.250Z"));
  }

  @Test
  void readsTimesWithoutAnOffsetInTheGivenZone() {
    // Sao Paulo is UTC-3 in November (no daylight saving time since 2019).
    assertThat(PointInTime.parse("2026-11-25 10:15:30", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T13:15:30Z"));
    assertThat(PointInTime.parse("2026-11-25T10:15", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T13:15:00Z"));
    assertThat(PointInTime.parse("2026-11-25", "--to", SAO_PAULO).time())
        .hasValue(Instant.parse("2026-11-25T03:00:00Z"));
    assertThat(PointInTime.parse("2026-11-25", "--to", ZoneId.of("UTC")).time())
        .hasValue(Instant.parse("2026-11-25T00:00:00Z"));
  }

  @Test
  void rejectsAnythingElseNamingTheOptionAndTheValue() {
    for (String bad : new String[] {"yesterday", "123", "2026-13-01", "2026-11-25 25:00", ""}) {
      assertThatThrownBy(() -> PointInTime.parse(bad, "--from", SAO_PAULO))
          .isInstanceOfSatisfying(
              LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
          .hasMessageContaining("--from")
          .hasMessageContaining("'" + bad + "'")
          .hasMessageContaining("2026-11-25T10:15:30Z");
    }
  }
}

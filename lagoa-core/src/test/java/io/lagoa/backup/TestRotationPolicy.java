package io.lagoa.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which backups a grandfather-father-son policy keeps, and where a file's copy goes. */
class TestRotationPolicy {
  private static BackupManifest at(Instant started) {
    String id = started.toString();
    return new BackupManifest(
        BackupManifest.FORMAT, id, started.toString(), started.toString(), "w", List.of(), 0, 0);
  }

  /** Two backups a day for 60 days from Monday 2026-09-07, oldest first. */
  private static List<BackupManifest> twiceADay() {
    List<BackupManifest> backups = new ArrayList<>();
    Instant start = Instant.parse("2026-09-07T02:00:00Z");
    for (int day = 0; day < 60; day++) {
      backups.add(at(start.plus(Duration.ofDays(day))));
      backups.add(at(start.plus(Duration.ofDays(day)).plus(Duration.ofHours(12))));
    }
    return backups;
  }

  @Test
  void keepsTheNewestOfEachDayAndWeek() {
    List<BackupManifest> backups = twiceADay();
    List<String> kept = new ArrayList<>(new RotationPolicy(0, 7, 4, 0).keep(backups).keySet());
    // 7 days (the evening backup of each), then the newest of 4 ISO weeks: those of the last
    // two weeks are among the daily ones already
    assertThat(kept).hasSize(7 + 2).first().isEqualTo("2026-11-05T14:00:00Z");
    assertThat(kept)
        .contains("2026-10-30T14:00:00Z", "2026-10-25T14:00:00Z", "2026-10-18T14:00:00Z");
    assertThat(new RotationPolicy(0, 7, 4, 0).keep(backups).get("2026-11-05T14:00:00Z"))
        .isEqualTo("newest, daily 2026-11-05, weekly 2026-W45");
  }

  @Test
  void keepsTheNewestWhateverThePolicy() {
    List<BackupManifest> backups = twiceADay();
    assertThat(new RotationPolicy(1, 0, 0, 0).keep(backups))
        .containsOnlyKeys("2026-11-05T14:00:00Z");
    assertThat(new RotationPolicy(0, 0, 0, 2).keep(backups))
        .containsOnlyKeys("2026-11-05T14:00:00Z", "2026-10-31T14:00:00Z");
    assertThatThrownBy(() -> new RotationPolicy(0, 0, 0, 0))
        .hasMessageContaining("the policy keeps nothing");
    assertThatThrownBy(() -> new RotationPolicy(0, -1, 0, 0))
        .hasMessageContaining("keep daily is -1, it must be 0 or more");
  }

  @Test
  void copiesGoUnderTheirOwnPath() {
    assertThat(BackupLocation.relativePath("s3://lake/prod/t/data/a.parquet"))
        .isEqualTo("s3/lake/prod/t/data/a.parquet");
    assertThat(BackupLocation.relativePath("s3a://lake/prod/a")).isEqualTo("s3/lake/prod/a");
    assertThat(BackupLocation.relativePath("file:/srv/wh/a")).isEqualTo("file/srv/wh/a");
    assertThat(BackupLocation.relativePath("file:///srv/wh/a")).isEqualTo("file/srv/wh/a");
    assertThat(BackupLocation.relativePath("/srv/wh/a")).isEqualTo("file/srv/wh/a");
  }
}

package io.lagoa.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica's state file and its lease: one replicator at a time, a dead one's lease taken over.
 */
class TestReplicaLocation {
  private static final Instant NOW = Instant.parse("2026-12-03T02:00:00Z");

  @TempDir Path folder;

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private void writeLease(ReplicaLocation replica, long pid, String host, Instant expires)
      throws IOException {
    Files.createDirectories(replica.leaseFile().getParent());
    Files.writeString(
        replica.leaseFile(),
        new ObjectMapper()
            .writeValueAsString(
                new ReplicaLocation.Lease(pid, host, NOW.toString(), expires.toString())));
  }

  @Test
  void stateIsWrittenWholeAndReadBack() {
    ReplicaLocation replica = new ReplicaLocation(folder.resolve("replica"));
    assertThat(replica.state()).isEmpty();
    ReplicaState state = replica.create("file:///srv/lake", at(NOW));
    ReplicatedTable table =
        new ReplicatedTable(
            "shop.orders",
            "uuid-1",
            "file:///srv/lake/shop/orders",
            "file:" + replica.root() + "/shop/orders",
            "file:/srv/lake/shop/orders/metadata/00001-a.metadata.json",
            "file:" + replica.root() + "/shop/orders/metadata/00001-a.metadata.json",
            42L,
            NOW.toEpochMilli(),
            NOW.toString(),
            Map.of("file:/srv/lake/shop/orders/data/a.parquet", 100L));
    replica.write(state.with(table));
    ReplicaState read = replica.state().orElseThrow();
    assertThat(read.primaryWarehouse()).isEqualTo("file:///srv/lake");
    assertThat(read.table("shop.orders")).contains(table);
    assertThat(read.promoted()).isFalse();
    assertThat(replica.markPromoted(read, NOW.toString()).promoted()).isTrue();
    assertThat(replica.state().orElseThrow().promotedAt()).isEqualTo(NOW.toString());
    assertThat(replica.follow(replica.state().orElseThrow(), "file:///srv/other").promoted())
        .isFalse();
    try (Stream<String> files = list(replica.root().resolve(ReplicaLocation.FOLDER))) {
      assertThat(files).containsExactly("state.json"); // no temporary file left behind
    }
  }

  private static Stream<String> list(Path folder) {
    try {
      return Files.list(folder).map(p -> p.getFileName().toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aLiveLeaseOfAnotherHostIsRefusedUntilItExpires() throws IOException {
    ReplicaLocation replica = new ReplicaLocation(folder);
    writeLease(replica, 7, "another-host", NOW.plusSeconds(30));
    assertThatThrownBy(() -> replica.acquire(at(NOW), "replicate to"))
        .hasMessageContaining("Cannot replicate to " + folder)
        .hasMessageContaining("a replicator is running into it (pid 7 on another-host")
        .hasMessageContaining("expires at " + NOW.plusSeconds(30));
    ReplicaLocation.Lease taken = replica.acquire(at(NOW.plusSeconds(31)), "replicate to");
    assertThat(taken.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(replica.lease()).contains(taken);
    replica.release(taken);
    assertThat(replica.lease()).isEmpty();
  }

  @Test
  void aLeaseOfADeadProcessOnThisHostIsTakenOverAtOnce() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    ReplicaLocation replica = new ReplicaLocation(folder);
    writeLease(replica, finished.pid(), ReplicaLocation.hostName(), NOW.plusSeconds(60));
    assertThat(replica.lease().orElseThrow().live(at(NOW))).isFalse();
    ReplicaLocation.Lease taken = replica.acquire(at(NOW), "replicate to");
    assertThat(taken.host()).isEqualTo(ReplicaLocation.hostName());
  }

  @Test
  void aLeaseIsRenewedOnceAThirdOfItHasPassed() {
    ReplicaLocation replica = new ReplicaLocation(folder);
    ReplicaLocation.Lease lease = replica.acquire(at(NOW), "replicate to");
    assertThat(replica.renew(lease, at(NOW.plusSeconds(10)))).isSameAs(lease);
    ReplicaLocation.Lease renewed = replica.renew(lease, at(NOW.plusSeconds(21)));
    assertThat(Instant.parse(renewed.expiresAt()))
        .isEqualTo(NOW.plusSeconds(21).plus(ReplicaLocation.LEASE));
    assertThat(replica.lease()).contains(renewed);
    assertThat(Duration.between(NOW, Instant.parse(renewed.expiresAt())).toSeconds()).isEqualTo(81);
  }
}

package io.lagoa.backup;

/**
 * How far one table of a replica is behind the primary: the primary's current snapshot and the
 * replicated one, with their commit times (epoch milliseconds), and the seconds between them, which
 * is how much of the table's history a failover now would lose (0 when in sync).
 */
public record TableLag(
    String table,
    Status status,
    Long primarySnapshotId,
    Long primarySnapshotMillis,
    Long replicaSnapshotId,
    Long replicaSnapshotMillis,
    String replicatedAt,
    Double secondsBehind) {

  /** Where a table stands. */
  public enum Status {
    /** The replica has the primary's current state. */
    IN_SYNC,
    /** The primary committed since the table was last replicated. */
    BEHIND,
    /** The primary has the table; the replica does not have it yet. */
    NOT_REPLICATED,
    /** The replica has the table; the primary no longer does (it keeps its last state). */
    DROPPED_ON_PRIMARY;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  static TableLag of(String table, Long primaryId, Long primaryMillis, ReplicatedTable replica) {
    if (replica == null || !replica.registered()) {
      return new TableLag(
          table, Status.NOT_REPLICATED, primaryId, primaryMillis, null, null, null, null);
    }
    Long replicaId = replica.snapshotId();
    Long replicaMillis = replica.snapshotTimestampMillis();
    if (java.util.Objects.equals(primaryId, replicaId)) {
      return new TableLag(
          table,
          Status.IN_SYNC,
          primaryId,
          primaryMillis,
          replicaId,
          replicaMillis,
          replica.replicatedAt(),
          0.0);
    }
    // an empty replicated table (no snapshot yet) has no time to measure from
    Double behind =
        primaryMillis == null || replicaMillis == null
            ? null
            : Math.max(0, primaryMillis - replicaMillis) / 1000.0;
    return new TableLag(
        table,
        Status.BEHIND,
        primaryId,
        primaryMillis,
        replicaId,
        replicaMillis,
        replica.replicatedAt(),
        behind);
  }

  static TableLag dropped(ReplicatedTable replica) {
    return new TableLag(
        replica.name(),
        Status.DROPPED_ON_PRIMARY,
        null,
        null,
        replica.snapshotId(),
        replica.snapshotTimestampMillis(),
        replica.replicatedAt(),
        null);
  }
}

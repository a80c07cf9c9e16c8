package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a replica holds, kept in {@code _lagoa_replica/state.json} inside it: the primary warehouse
 * it follows, when it was promoted by a failover (then nothing replicates into it any more), and
 * each table's replicated state. Times are ISO-8601 UTC.
 */
public record ReplicaState(
    @JsonProperty("format") int format,
    @JsonProperty("primary_warehouse") String primaryWarehouse,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("promoted_at") String promotedAt,
    @JsonProperty("tables") List<ReplicatedTable> tables) {

  /** The version of this layout; a reader refuses a newer one. */
  public static final int FORMAT = 1;

  public ReplicaState {
    tables = tables == null ? List.of() : List.copyOf(tables);
  }

  public Optional<ReplicatedTable> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public boolean promoted() {
    return promotedAt != null;
  }

  /** The same state with one table's entry replaced (or added). */
  ReplicaState with(ReplicatedTable table) {
    List<ReplicatedTable> updated = new ArrayList<>();
    boolean replaced = false;
    for (ReplicatedTable existing : tables) {
      if (existing.name().equals(table.name())) {
        updated.add(table);
        replaced = true;
      } else {
        updated.add(existing);
      }
    }
    if (!replaced) {
      updated.add(table);
    }
    return new ReplicaState(format, primaryWarehouse, createdAt, promotedAt, updated);
  }

  ReplicaState withPromotion(String at) {
    return new ReplicaState(format, primaryWarehouse, createdAt, at, tables);
  }

  ReplicaState following(String primary) {
    return new ReplicaState(format, primary, createdAt, null, tables);
  }
}

package io.lagoa.identity;

import java.util.List;

/**
 * What a run (or a split) changes in a graph's tables; applied in one commit per table.
 *
 * @param records rows to insert or update in the graph's table, by {@link RecordRef}
 * @param keyUpserts rows to insert or update in the key index, by {@link KeyRow#id()}
 * @param keyDeletes rows of the key index to delete (a merged person's rows, re-pointed)
 * @param moves records a split moved to another person
 */
public record Resolution(
    List<RecordRow> records,
    List<KeyRow> keyUpserts,
    List<KeyRow.Id> keyDeletes,
    List<SameAs> sameAs,
    List<Move> moves,
    List<GraphEvent> events,
    RunSummary summary) {
  public Resolution {
    records = List.copyOf(records);
    keyUpserts = List.copyOf(keyUpserts);
    keyDeletes = List.copyOf(keyDeletes);
    sameAs = List.copyOf(sameAs);
    moves = List.copyOf(moves);
    events = List.copyOf(events);
  }

  public boolean changesNothing() {
    return records.isEmpty()
        && keyUpserts.isEmpty()
        && keyDeletes.isEmpty()
        && sameAs.isEmpty()
        && moves.isEmpty()
        && events.isEmpty();
  }
}

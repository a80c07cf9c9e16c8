package io.lagoa.identity;

import java.util.Map;

/**
 * A record as the graph's query delivers it: raw values, normalized by the graph.
 *
 * @param name the raw name, null when the query has none
 * @param raw the raw value of each key column the query has (absent or null when empty)
 */
public record SourceRecord(RecordRef ref, String name, Map<KeyKind, String> raw) {
  public SourceRecord {
    raw = KeyMaps.copy(raw);
  }
}

package io.lagoa.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A graph's tables in memory: the resolver's store, and where its resolutions are applied. */
final class InMemoryGraph implements IdentityStore {
  final Map<RecordRef, RecordRow> records = new LinkedHashMap<>();
  final Map<KeyRow.Id, KeyRow> keys = new LinkedHashMap<>();
  final List<SameAs> sameAs = new ArrayList<>();
  final List<GraphEvent> events = new ArrayList<>();

  void apply(Resolution resolution) {
    resolution.keyDeletes().forEach(keys::remove);
    resolution.keyUpserts().forEach(row -> keys.put(row.id(), row));
    resolution.records().forEach(row -> records.put(row.ref(), row));
    sameAs.addAll(resolution.sameAs());
    events.addAll(resolution.events());
  }

  String personOf(String source, String id) {
    return records.get(new RecordRef(source, id)).personId();
  }

  Set<String> persons() {
    Set<String> persons = new HashSet<>();
    records.values().forEach(row -> persons.add(row.personId()));
    return persons;
  }

  @Override
  public List<KeyRow> keyRows(Collection<String> wanted) {
    Set<String> set = new HashSet<>(wanted);
    return keys.values().stream().filter(row -> set.contains(row.key())).toList();
  }

  @Override
  public List<KeyRow> keyRowsOfPersons(Collection<String> personIds) {
    Set<String> set = new HashSet<>(personIds);
    return keys.values().stream().filter(row -> set.contains(row.personId())).toList();
  }

  @Override
  public Map<RecordRef, RecordRow> records(Collection<RecordRef> refs) {
    Map<RecordRef, RecordRow> found = new LinkedHashMap<>();
    refs.forEach(
        ref -> {
          if (records.containsKey(ref)) {
            found.put(ref, records.get(ref));
          }
        });
    return found;
  }

  @Override
  public List<RecordRow> recordsOfPersons(Collection<String> personIds) {
    Set<String> set = new HashSet<>(personIds);
    return records.values().stream().filter(row -> set.contains(row.personId())).toList();
  }
}

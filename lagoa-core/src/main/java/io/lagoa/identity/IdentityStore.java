package io.lagoa.identity;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the resolver reads of a graph's stored state: only the rows a batch touches, so a run costs
 * what its batch holds, not the graph's history. Implemented over the Iceberg tables in lagoa-spark
 * and in memory for tests.
 */
public interface IdentityStore {
  /** The key index's rows of these keys. */
  List<KeyRow> keyRows(Collection<String> keys);

  /** The key index's rows of these persons. */
  List<KeyRow> keyRowsOfPersons(Collection<String> personIds);

  /** The stored rows of these records, those the graph has. */
  Map<RecordRef, RecordRow> records(Collection<RecordRef> refs);

  /** All records of these persons. */
  List<RecordRow> recordsOfPersons(Collection<String> personIds);

  /** A store of a graph that does not exist yet. */
  IdentityStore EMPTY =
      new IdentityStore() {
        @Override
        public List<KeyRow> keyRows(Collection<String> keys) {
          return List.of();
        }

        @Override
        public List<KeyRow> keyRowsOfPersons(Collection<String> personIds) {
          return List.of();
        }

        @Override
        public Map<RecordRef, RecordRow> records(Collection<RecordRef> refs) {
          return Map.of();
        }

        @Override
        public List<RecordRow> recordsOfPersons(Collection<String> personIds) {
          return List.of();
        }
      };
}

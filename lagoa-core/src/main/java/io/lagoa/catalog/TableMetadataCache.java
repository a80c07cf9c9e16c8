package io.lagoa.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.iceberg.TableMetadata;

/**
 * Tables' metadata as parsed from their metadata files, by the file's location, for the tables used
 * last. Loading a table still asks the catalog where its current metadata file is (so every load
 * sees every commit) and checks that the file is there; only reading and parsing it again is
 * spared. Spark loads a table at least twice per statement (analysis, then the refresh of table
 * versions before execution): the first query of a process came back 0.2 s sooner. Safe because
 * Iceberg never rewrites a metadata file: every commit writes a new file under a new name (a
 * version and a random UUID).
 */
final class TableMetadataCache {
  /**
   * How many tables' metadata stay (the least recently used goes first). A table with a long
   * history has metadata of a few megabytes in memory; a miss costs one parse, as without a cache.
   */
  static final int TABLES = 64;

  private final Map<String, TableMetadata> byLocation =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TableMetadata> eldest) {
          return size() > TABLES;
        }
      };

  /**
   * The metadata at {@code location}, parsed by {@code parse} the first time only. A file that
   * {@code exists} no longer is parsed again, so that the load fails as it would without a cache
   * (Iceberg's catalog tests require it: a table whose metadata file was deleted is not found).
   */
  TableMetadata read(
      String location, Function<String, TableMetadata> parse, Predicate<String> exists) {
    TableMetadata known;
    synchronized (byLocation) {
      known = byLocation.get(location);
    }
    // The file system asked and the file parsed outside the lock: no load waits on another's I/O
    // (two threads may both parse one file the first time).
    if (known != null && exists.test(location)) {
      return known;
    }
    TableMetadata parsed = parse.apply(location);
    synchronized (byLocation) {
      TableMetadata cached = byLocation.putIfAbsent(location, parsed);
      return cached != null ? cached : parsed;
    }
  }
}

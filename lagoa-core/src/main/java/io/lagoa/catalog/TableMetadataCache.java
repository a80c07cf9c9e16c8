package io.lagoa.catalog;

import java.util.HashMap;
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
   * How many tables' metadata stay, one version each (the last read); the least recently used goes
   * first. A table with a long history has metadata of a few megabytes in memory; a miss costs one
   * parse, as without a cache.
   */
  static final int TABLES = 64;

  private final Map<String, TableMetadata> byLocation =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TableMetadata> eldest) {
          if (size() > TABLES) {
            latestByTable.remove(eldest.getValue().uuid(), eldest.getKey());
            return true;
          }
          return false;
        }
      };

  /**
   * Each table's (by its UUID) last metadata location read: a table that commits every few seconds
   * (a streaming one) keeps one version here, not {@link #TABLES} versions of itself.
   */
  private final Map<String, String> latestByTable = new HashMap<>();

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
      TableMetadata cached = byLocation.get(location);
      if (cached != null) {
        return cached;
      }
      byLocation.put(location, parsed);
      String older = parsed.uuid() == null ? null : latestByTable.put(parsed.uuid(), location);
      if (older != null && !older.equals(location)) {
        byLocation.remove(older);
      }
      return parsed;
    }
  }

  /** How many metadata versions are kept (for tests). */
  int size() {
    synchronized (byLocation) {
      return byLocation.size();
    }
  }
}

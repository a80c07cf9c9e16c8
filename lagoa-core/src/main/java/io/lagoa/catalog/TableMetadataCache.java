package io.lagoa.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.TableMetadata;

/**
 * Tables' metadata as parsed from their metadata files, by the file's location, for the tables used
 * last. Loading a table still asks the catalog where its current metadata file is (so every load
 * sees every commit); only parsing that file again is spared: Spark loads a table at least twice
 * per statement (analysis, then the refresh of table versions before execution), and the parse was
 * a sixth of a small query's time. Safe because Iceberg never rewrites a metadata file: every
 * commit writes a new file under a new name (a version and a random UUID).
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

  /** The metadata at {@code location}, parsed by {@code parse} the first time only. */
  TableMetadata read(String location, Function<String, TableMetadata> parse) {
    synchronized (byLocation) {
      TableMetadata known = byLocation.get(location);
      if (known != null) {
        return known;
      }
    }
    // Parsed outside the lock: two threads may both parse one file the first time, never wait.
    TableMetadata parsed = parse.apply(location);
    synchronized (byLocation) {
      TableMetadata known = byLocation.putIfAbsent(location, parsed);
      return known != null ? known : parsed;
    }
  }
}

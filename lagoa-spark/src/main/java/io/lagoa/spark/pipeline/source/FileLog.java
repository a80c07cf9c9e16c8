package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lagoa.error.Remedy;
import io.lagoa.pipeline.FlowException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.iceberg.io.FileIO;

/**
 * The files a {@code read_files} source has ingested, as immutable objects under the warehouse
 * ({@code <warehouse>/lagoa_system/file_logs/<namespace>/<table>/<uuid>.json.gz}).
 *
 * <p>Each batch writes one log naming its files and its parent (the log the target's last commit
 * pointed to), and the target's commit stores the new log's location with its rows: the ingested
 * set is whatever the committed chain holds, so it can never disagree with the table. Every {@link
 * #CONSOLIDATE_EVERY} batches a log holds the whole set instead, so loading follows at most that
 * many parents. Logs live outside the table's location, where Iceberg's orphan-file cleanup would
 * delete them; a log no retained snapshot points to is garbage.
 *
 * <p>An instance keeps the set each source loaded last (owned by {@link SourceReaders}), so a next
 * batch reads only the logs written since.
 */
final class FileLog {
  static final int CONSOLIDATE_EVERY = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The latest set loaded per source: logs never change, so a location identifies its set. */
  private final Map<String, Ingested> loaded = new ConcurrentHashMap<>();

  /** A file as listed: its qualified path, size and modification time (epoch ms). */
  record Entry(String path, long size, long modified) {}

  /** What a log chain holds: every ingested path, and how many chained logs since a full one. */
  record Ingested(String location, Set<String> paths, int depth) {}

  /** One log: its parent, depth, and the files of its batch. */
  record Log(String location, String parent, int depth, List<Entry> files, List<String> earlier) {}

  FileLog() {}

  /** Drops the loaded sets, as a new process starts. */
  void forget() {
    loaded.clear();
  }

  static String newLocation(String warehouse, String table) {
    String base =
        warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    return base
        + "/lagoa_system/file_logs/"
        + table.replace('.', '/')
        + "/"
        + UUID.randomUUID()
        + ".json.gz";
  }

  /** The set the log at {@code location} and its parents hold; empty for null. */
  Ingested load(FileIO io, String sourceKey, String location) {
    if (location == null) {
      return new Ingested(null, Set.of(), 0);
    }
    Ingested cached = loaded.get(sourceKey);
    if (cached != null && location.equals(cached.location())) {
      return cached;
    }
    List<Log> chain = new ArrayList<>();
    String next = location;
    Ingested base = new Ingested(null, Set.of(), 0);
    while (next != null) {
      if (cached != null && next.equals(cached.location())) {
        base = cached;
        break;
      }
      Log log = read(io, next);
      chain.add(log);
      next = log.parent();
    }
    Set<String> paths = new HashSet<>(base.paths());
    for (int i = chain.size() - 1; i >= 0; i--) {
      Log log = chain.get(i);
      paths.addAll(log.earlier());
      log.files().forEach(entry -> paths.add(entry.path()));
    }
    Ingested result =
        new Ingested(location, java.util.Collections.unmodifiableSet(paths), chain.get(0).depth());
    loaded.put(sourceKey, result);
    return result;
  }

  /**
   * Writes the log of a batch on top of {@code parent}; consolidates (writes the whole set) when
   * the chain has grown to {@link #CONSOLIDATE_EVERY}.
   */
  static String write(
      FileIO io, String location, String source, Ingested parent, List<Entry> files) {
    boolean full = parent.location() != null && parent.depth() + 1 >= CONSOLIDATE_EVERY;
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("source", source);
    if (full || parent.location() == null) {
      root.putNull("parent");
      root.put("depth", 0);
    } else {
      root.put("parent", parent.location());
      root.put("depth", parent.depth() + 1);
    }
    ArrayNode batch = root.putArray("files");
    for (Entry entry : files) {
      batch
          .addObject()
          .put("path", entry.path())
          .put("size", entry.size())
          .put("modified", entry.modified());
    }
    if (full) {
      ArrayNode earlier = root.putArray("earlier");
      parent.paths().stream().sorted().forEach(earlier::add);
    }
    try (OutputStream out = new GZIPOutputStream(io.newOutputFile(location).create())) {
      JSON.writeValue(out, root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the file log " + location, e);
    }
    return location;
  }

  static Log read(FileIO io, String location) {
    JsonNode root;
    try (InputStream in = new GZIPInputStream(io.newInputFile(location).newStream())) {
      root = JSON.readTree(in);
    } catch (IOException | RuntimeException e) {
      throw new FlowException(
          "cannot read the log of ingested files "
              + location
              + ", which the"
              + " target's last commit points to: "
              + e.getMessage()
              + "; if it was deleted, the table"
              + " needs a full refresh, which reads the folder from the start",
          e,
          Remedy.FULL_REFRESH);
    }
    List<Entry> files = new ArrayList<>();
    for (JsonNode file : root.path("files")) {
      files.add(
          new Entry(
              file.path("path").asText(),
              file.path("size").asLong(),
              file.path("modified").asLong()));
    }
    List<String> earlier = new ArrayList<>();
    for (JsonNode path : root.path("earlier")) {
      earlier.add(path.asText());
    }
    JsonNode parent = root.path("parent");
    return new Log(
        location,
        parent.isNull() || parent.isMissingNode() ? null : parent.asText(),
        root.path("depth").asInt(),
        files,
        earlier);
  }
}

package io.lagoa.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A connector's position as the caller stores it: Debezium's source partition and offset map of the
 * last record written, as JSON {@code {"partition":{"server":"x"},"offset":{"lsn":...}}}; and the
 * same as the entries of a Kafka Connect offset store, keyed and serialized the way Connect's
 * offset reader looks them up.
 */
public final class CdcOffsets {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Map<String, Object>>> POSITION =
      new TypeReference<>() {};

  private CdcOffsets() {}

  /** The position after a record: its source partition and offset. */
  public static String position(SourceRecord record) {
    Map<String, Object> position = new LinkedHashMap<>();
    position.put("partition", new TreeMap<>(record.sourcePartition()));
    position.put("offset", new TreeMap<>(record.sourceOffset()));
    try {
      return JSON.writeValueAsString(position);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the offset of " + record, e);
    }
  }

  /**
   * The offset store entries of a stored position, for an engine named {@code engineName}; empty
   * for null or blank.
   *
   * @throws IllegalArgumentException when the position is not one {@link #position} wrote
   */
  public static Map<ByteBuffer, ByteBuffer> storeEntries(String engineName, String position) {
    if (position == null || position.isBlank()) {
      return Map.of();
    }
    Map<String, Map<String, Object>> parsed = parse(position);
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
    byte[] key =
        converter.fromConnectData(
            engineName, null, Arrays.asList(engineName, parsed.get("partition")));
    byte[] value = converter.fromConnectData(engineName, null, parsed.get("offset"));
    return Map.of(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
  }

  /**
   * The log sequence number a stored position has reached: the last commit's LSN when Debezium
   * stored it (what it acknowledges to the slot), else the change's LSN.
   */
  public static Optional<Long> lsn(String position) {
    if (position == null || position.isBlank()) {
      return Optional.empty();
    }
    Map<String, Object> offset = parse(position).get("offset");
    Object lsn = offset.get("lsn_commit") != null ? offset.get("lsn_commit") : offset.get("lsn");
    return lsn instanceof Number number ? Optional.of(number.longValue()) : Optional.empty();
  }

  /** Whether the position lies inside the initial snapshot (not past its last record). */
  public static boolean inSnapshot(String position) {
    if (position == null || position.isBlank()) {
      return false;
    }
    Map<String, Object> offset = parse(position).get("offset");
    return Boolean.TRUE.equals(offset.get("snapshot"))
        && !Boolean.TRUE.equals(offset.get("last_snapshot_record"));
  }

  private static Map<String, Map<String, Object>> parse(String position) {
    try {
      Map<String, Map<String, Object>> parsed = JSON.readValue(position, POSITION);
      if (parsed == null || parsed.get("partition") == null || parsed.get("offset") == null) {
        throw new IllegalArgumentException(
            "not a connector position {\"partition\":{...},\"offset\":{...}}: " + position);
      }
      return parsed;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not a connector position {\"partition\":{...},\"offset\":{...}}: " + position, e);
    }
  }
}

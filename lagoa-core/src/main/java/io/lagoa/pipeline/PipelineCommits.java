package io.lagoa.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.text.ShortHash;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The snapshot-summary keys a pipeline run writes with its commits, and how to read them back.
 *
 * <p>A streaming table stores how far it has read its sources in the summary of the commit that
 * wrote the rows, so rows and positions are one atomic commit. Two runners of one pipeline could
 * both read from the same position and both append; to prevent that, each commit also says which
 * pipeline commit its batch started from ({@link #expectedBaseKey}), and the catalog refuses the
 * commit when the table's last pipeline commit is another one by then (see {@code
 * io.lagoa.catalog.ValidatingTableOperations}).
 *
 * <p>This class owns every key name a pipeline writes to a snapshot summary, and the format of
 * their values: the run and its expected base; each source's position and learned schema ({@code
 * lagoa.source.*}); the snapshot of each streamed table read ({@code lagoa.stream.*}); the inputs
 * of a materialized view ({@code lagoa.input.*}, {@code lagoa.query-hash}); and what a quarantine
 * commit notes about its batch.
 */
public final class PipelineCommits {
  /** The run that made a commit; marks a pipeline commit. */
  public static final String RUN_ID = "lagoa.pipeline.run-id";

  /**
   * Prefix of the key, followed by the table's name, whose value is the id of the table's last
   * pipeline commit when the batch started, or {@link #NONE}.
   */
  public static final String EXPECTED_BASE_PREFIX = "lagoa.pipeline.expected-base.";

  /** The value of {@link #EXPECTED_BASE_PREFIX} keys for a table without a pipeline commit. */
  public static final String NONE = "none";

  /** Prefix of the key, followed by the topic, holding a Kafka source's next offsets. */
  public static final String KAFKA_POSITION_PREFIX = "lagoa.source.kafka.";

  /** Prefix of the key, followed by the topic, holding a Kafka source's learned JSON schema. */
  public static final String KAFKA_SCHEMA_PREFIX = "lagoa.source.kafka-schema.";

  /**
   * Prefix of the key, followed by the replication slot, holding a PostgreSQL change stream's
   * position: Debezium's source partition and offset of the last change committed, as JSON.
   */
  public static final String POSTGRES_POSITION_PREFIX = "lagoa.source.postgres.";

  /** Prefix of the key, followed by the slot, holding the columns learned from the changes. */
  public static final String POSTGRES_SCHEMA_PREFIX = "lagoa.source.postgres-schema.";

  /**
   * Prefix of the key, followed by {@link #filesSourceId}, holding the location of a files source's
   * last file log.
   */
  public static final String FILES_POSITION_PREFIX = "lagoa.source.files.";

  /** Prefix of the key, followed by {@link #filesSourceId}, holding the learned schema. */
  public static final String FILES_SCHEMA_PREFIX = "lagoa.source.files-schema.";

  /**
   * Prefix of the key, followed by a streamed table's name, holding the last snapshot of that table
   * a streaming table has processed.
   */
  public static final String STREAM_STATE_PREFIX = "lagoa.stream.";

  /** On quarantine commits: the target's snapshot when the batch was read. */
  public static final String TARGET_SNAPSHOT = "lagoa.pipeline.target-snapshot";

  /** On a batch that replays an interrupted one: the quarantine commit, per table, it replays. */
  public static final String REPLAYS_PREFIX = "lagoa.pipeline.replays.";

  /**
   * On a commit that deletes the files a run had appended ({@link TableState#withdraw}): the ids of
   * the snapshots taken back, comma-separated. Not a pipeline commit (no {@link #RUN_ID}).
   */
  public static final String WITHDRAWS = "lagoa.pipeline.withdraws";

  /** On a materialized view's commits: the snapshot of each input it was computed from. */
  public static final String INPUT_PREFIX = "lagoa.input.";

  /** On a materialized view's commits: the hash of the query that computed it. */
  public static final String QUERY_HASH = "lagoa.query-hash";

  /**
   * On an AUTO CDC table's commits and on its change state's: the number of the batch of changes
   * the commit applied, so a state committed by a batch whose table commit never happened is found.
   */
  public static final String CDC_BATCH = "lagoa.cdc.batch";

  private static final ObjectMapper JSON = new ObjectMapper();

  private PipelineCommits() {}

  /** The key holding the next offsets of a Kafka source reading {@code topic}. */
  public static String kafkaPositionKey(String topic) {
    return KAFKA_POSITION_PREFIX + topic;
  }

  /** The key holding the JSON schema learned from {@code topic}. */
  public static String kafkaSchemaKey(String topic) {
    return KAFKA_SCHEMA_PREFIX + topic;
  }

  /** The key holding the position of the PostgreSQL change stream read through {@code slot}. */
  public static String postgresPositionKey(String slot) {
    return POSTGRES_POSITION_PREFIX + slot;
  }

  /** The key holding the columns learned from the change stream read through {@code slot}. */
  public static String postgresSchemaKey(String slot) {
    return POSTGRES_SCHEMA_PREFIX + slot;
  }

  /** The id of a files source in its keys: a hash of its folder's qualified location. */
  public static String filesSourceId(String folder) {
    return ShortHash.of(folder);
  }

  /** The key holding the location of the last file log of the files source in {@code folder}. */
  public static String filesPositionKey(String folder) {
    return FILES_POSITION_PREFIX + filesSourceId(folder);
  }

  /** The key holding the schema learned from the files in {@code folder}. */
  public static String filesSchemaKey(String folder) {
    return FILES_SCHEMA_PREFIX + filesSourceId(folder);
  }

  /** The key holding the last processed snapshot of the streamed table {@code table}. */
  public static String streamStateKey(String table) {
    return STREAM_STATE_PREFIX + table;
  }

  /**
   * Kafka offsets per partition as a summary value: {@code {"topic":{"0":42,"1":7}}}, the form
   * Spark's Kafka source takes too.
   */
  public static String kafkaOffsetsJson(String topic, Map<Integer, Long> offsets) {
    Map<String, Long> byPartition = new TreeMap<>();
    offsets.forEach((partition, offset) -> byPartition.put(Integer.toString(partition), offset));
    try {
      return JSON.writeValueAsString(Map.of(topic, byPartition));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The offsets of {@code topic}'s partitions in a value written by {@link #kafkaOffsetsJson} (or
   * by a user, as starting_offsets); empty for null or blank.
   *
   * @throws IllegalArgumentException when the value is not offsets per partition as JSON
   */
  public static Map<Integer, Long> parseKafkaOffsets(String topic, String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, Map<String, Long>> parsed =
          JSON.readValue(json, new TypeReference<Map<String, Map<String, Long>>>() {});
      Map<Integer, Long> offsets = new TreeMap<>();
      parsed
          .getOrDefault(topic, Map.of())
          .forEach((partition, offset) -> offsets.put(Integer.parseInt(partition), offset));
      return offsets;
    } catch (JsonProcessingException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "not offsets per partition as JSON ({\"" + topic + "\":{\"0\":42}}): " + json, e);
    }
  }

  /** The key holding the expected last pipeline commit of {@code table} (its dotted name). */
  public static String expectedBaseKey(String table) {
    return EXPECTED_BASE_PREFIX + table.toLowerCase(Locale.ROOT);
  }

  /**
   * The table's latest snapshot that a pipeline run committed, in the current snapshot's lineage.
   * Later snapshots of others (a compaction, which keeps no custom summary entries; a manual
   * INSERT) are passed over.
   */
  public static Optional<Snapshot> lastPipelineCommit(TableMetadata metadata) {
    if (metadata == null || metadata.currentSnapshot() == null) {
      return Optional.empty();
    }
    for (Snapshot snapshot :
        SnapshotUtil.ancestorsOf(metadata.currentSnapshot().snapshotId(), metadata::snapshot)) {
      Map<String, String> summary = snapshot.summary();
      if (summary != null && summary.containsKey(RUN_ID)) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /** {@link #lastPipelineCommit}'s id as the value of an expected-base key. */
  public static String lastPipelineCommitId(TableMetadata metadata) {
    return lastPipelineCommit(metadata).map(s -> Long.toString(s.snapshotId())).orElse(NONE);
  }
}

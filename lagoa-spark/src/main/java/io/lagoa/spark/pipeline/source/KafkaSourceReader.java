package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.error.ErrorCode;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceArguments;
import io.lagoa.pipeline.SourceArguments.Kafka;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.cdc.DebeziumChanges;
import io.lagoa.text.ShortHash;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Kafka topic for {@code read_kafka(...)}: each run reads the offsets between the position
 * stored with the target's last commit and the topic's end (at most {@code max_records_per_batch}
 * records), with Spark's Kafka source in batch mode.
 *
 * <p>Exactly once: the next offsets to read are committed in the target table's snapshot summary,
 * in the same Iceberg commit as the records, so after a crash at any moment the target holds every
 * record up to its stored position and nothing after it. Records that cannot be read go to the
 * source quarantine table: from a cached batch before the target's commit, marked so that a retry
 * skips those it already holds; or, from a batch read without a cache ({@link
 * QuarantineOrder#AFTER_TARGET}), after it, read again only when the write counted some.
 *
 * <p>Its arguments are {@link SourceArguments.Kafka}; its summary keys are {@link
 * PipelineCommits#kafkaPositionKey} and {@link PipelineCommits#kafkaSchemaKey}.
 */
public final class KafkaSourceReader implements SourceReader {
  static final String CORRUPT = "_corrupt_record";
  static final String RESCUED = "_rescued_data";
  static final String METADATA = "_kafka";
  private static final String ERROR = "__lagoa_error";
  private static final String RAW = "__lagoa_raw";
  private static final String KEY = "__lagoa_key";
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SparkSession spark;
  private final SourceCall call;
  private final String topic;
  private final String servers;
  private final Map<String, String> kafkaOptions;
  private final SourceReaders readers;

  KafkaSourceReader(SparkSession spark, SourceCall call, SourceReaders readers) {
    this.spark = spark;
    this.call = call;
    this.topic = call.argument("topic").orElseThrow();
    this.servers = call.argument("bootstrap_servers").orElseThrow();
    this.kafkaOptions = kafkaOptions(call);
    this.readers = readers;
  }

  @Override
  public SourceCall call() {
    return call;
  }

  /** The summary key holding this source's next offsets. */
  @Override
  public String positionKey() {
    return PipelineCommits.kafkaPositionKey(topic);
  }

  private String schemaKey() {
    return PipelineCommits.kafkaSchemaKey(topic);
  }

  /** As {@link #read(Map, Map, String, boolean)}: a dry run reads the same, and writes nothing. */
  @Override
  public SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun) {
    return read(stored, pending, runId, whole);
  }

  /**
   * As {@link #read(Map, Map, String, boolean)}; with {@link QuarantineOrder#AFTER_TARGET} a json,
   * text or binary batch is not cached (Debezium batches always are).
   */
  @Override
  public SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun,
      QuarantineOrder order) {
    return read(stored, pending, runId, whole, order);
  }

  /**
   * Reads the records after the stored position.
   *
   * @param stored the target's last snapshot summary (empty on a first run, a full refresh, or for
   *     a read of the whole topic)
   * @param pending the summary of a quarantine commit whose batch the target has not committed:
   *     that batch is read again, exactly
   * @param whole read everything, without the per-batch limit (a read without STREAM)
   */
  public SourceBatch read(
      Map<String, String> stored, Map<String, String> pending, String runId, boolean whole) {
    return read(stored, pending, runId, whole, QuarantineOrder.BEFORE_TARGET);
  }

  private SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      QuarantineOrder order) {
    Map<Integer, Long> latest = offsets(OffsetSpec.latest());
    Map<Integer, Long> earliest = offsets(OffsetSpec.earliest());
    Map<Integer, Long> start = startOffsets(stored.get(positionKey()), earliest, latest);
    long max = whole ? Long.MAX_VALUE : Kafka.MAX_RECORDS_PER_BATCH.longValue(call);
    Map<Integer, Long> end = endOffsets(start, latest, max);
    Map<Integer, Long> replay = parseOffsets(pending.get(positionKey()), "the pending batch");
    if (!replay.isEmpty()) {
      for (Map.Entry<Integer, Long> entry : replay.entrySet()) {
        if (end.containsKey(entry.getKey())) {
          end.put(
              entry.getKey(),
              Math.max(
                  start.get(entry.getKey()),
                  Math.min(entry.getValue(), latest.get(entry.getKey()))));
        }
      }
      LOG.debug("kafka:{}: reading the interrupted batch again, up to {}", topic, replay);
    }
    long records = 0;
    for (Map.Entry<Integer, Long> entry : end.entrySet()) {
      records += entry.getValue() - start.get(entry.getKey());
    }
    String description = "kafka:" + topic + " " + start + " to " + end;
    Map<String, String> position = new LinkedHashMap<>();
    position.put(positionKey(), offsetsJson(end));
    Dataset<Row> raw =
        spark
            .read()
            .format("kafka")
            .options(prefixed(consumerSettings(servers, kafkaOptions)))
            .option("kafka.bootstrap.servers", servers)
            .option("assign", assignJson(end.keySet()))
            .option("startingOffsets", offsetsJson(start))
            .option("endingOffsets", offsetsJson(end))
            .option("includeHeaders", "true")
            .option("failOnDataLoss", "true")
            .load();
    String format = Kafka.FORMAT.word(call);
    long maxBytes = Kafka.MAX_RECORD_BYTES.longValue(call);
    Column metadata =
        struct(
                expr("CAST(key AS STRING)").as("key"),
                col("topic"),
                col("partition"),
                col("offset"),
                col("timestamp"),
                col("headers"))
            .as(METADATA);
    if (format.equals("debezium")) {
      return debezium(stored, raw, metadata, maxBytes, runId, position, records, description);
    }
    Column error;
    List<Column> selected = new ArrayList<>();
    boolean addsColumns = false;
    if (format.equals("json")) {
      Parse parse = jsonSchema(stored, raw, maxBytes);
      addsColumns = parse.addsColumns();
      position.put(schemaKey(), parse.schema().json());
      // from_json(value, schema + _corrupt_record, PERMISSIVE), parsing the bytes directly
      raw =
          raw.withColumn(
              "__p",
              JsonColumns.column(
                  col("value"),
                  parse.schema(),
                  CORRUPT,
                  spark.sessionState().conf().sessionLocalTimeZone(),
                  parse.rescue(),
                  maxBytes));
      // Spark's generated code copies a BINARY value to test it for null or take its length:
      // only a null parse (no value, or an empty one) has its value tested; the length comes
      // from the parse
      String oversized = "__p." + JsonColumns.OVERSIZED;
      error =
          expr(
              unreadableRecord(
                      "__p IS NULL AND value IS NULL",
                      oversized + " IS NOT NULL",
                      oversized,
                      maxBytes)
                  // from_json reads an empty or blank value as no row: not a record to keep as
                  // nulls
                  + " WHEN __p IS NULL THEN 'not a JSON object: the value is empty or white space'"
                  + " WHEN __p."
                  + CORRUPT
                  + " IS NULL THEN NULL"
                  + " WHEN json_object_keys(CAST(value AS STRING)) IS NULL THEN"
                  + " 'not a JSON object: invalid JSON, or JSON that is not {...}'"
                  + " ELSE "
                  + typeError(parse.schema())
                  + " END");
      for (StructField field : parse.schema().fields()) {
        selected.add(col("__p." + quote(field.name())).as(field.name()));
      }
      if (parse.rescue()) {
        selected.add(col("__p." + JsonColumns.RESCUED).as(RESCUED));
      }
    } else {
      selected.add(
          format.equals("text") ? expr("CAST(value AS STRING)").as("value") : col("value"));
      error = expr(unreadableRecord(maxBytes) + " END");
    }
    selected.add(metadata);
    Dataset<Row> checked = raw.withColumn(ERROR, error);
    Dataset<Row> source;
    Runnable release;
    SourceBatch.RejectedCount rejectedCount = SourceBatch.RejectedCount.UNKNOWN;
    if (order == QuarantineOrder.BEFORE_TARGET) {
      // Both the rows and the rejected records come from one read of the batch, kept as the
      // parsed columns only: the raw bytes stay for the records that are rejected (copying every
      // record's bytes into the cache was a large part of a batch's cost).
      checked =
          checked
              .select(
                  withInternal(
                      selected,
                      col(ERROR),
                      when(col(ERROR).isNotNull(), col("value")).as(RAW),
                      when(col(ERROR).isNotNull(), col("key")).as(KEY)))
              .persist(StorageLevel.MEMORY_AND_DISK());
      source = checked;
      release = checked::unpersist;
    } else {
      // No cache: the target's write reads the batch and counts its records and the rejected
      // ones on the way; the rejected records are read again only when there are some.
      Observation observation =
          new Observation("lagoa_kafka_" + java.util.UUID.randomUUID().toString().replace("-", ""));
      source =
          checked
              .select(withInternal(selected, col(ERROR)))
              .observe(
                  observation,
                  count(lit(1)).as("records"),
                  count(when(col(ERROR).isNotNull(), lit(1))).as("rejected"));
      checked =
          checked.select(
              withInternal(selected, col(ERROR), col("value").as(RAW), col("key").as(KEY)));
      release = () -> {};
      long expected = records;
      rejectedCount = () -> observedRejected(observation, expected);
    }
    List<Column> output = new ArrayList<>();
    for (String name : source.columns()) {
      if (!name.equals(ERROR) && !name.equals(RAW) && !name.equals(KEY)) {
        output.add(col(quote(name)));
      }
    }
    Dataset<Row> rows = source.where(col(ERROR).isNull()).select(output.toArray(new Column[0]));
    Dataset<Row> rejected =
        checked
            .where(col(ERROR).isNotNull())
            .select(
                lit(call.displayName()).as("_source"),
                concat(
                        col(METADATA + ".topic"),
                        lit("/"),
                        col(METADATA + ".partition"),
                        lit("@"),
                        col(METADATA + ".offset"))
                    .as("_position"),
                // not _partition or _file: Iceberg reserves those names for its metadata columns
                col(METADATA + ".topic").as("_kafka_topic"),
                col(METADATA + ".partition").as("_kafka_partition"),
                col(METADATA + ".offset").as("_kafka_offset"),
                col(KEY).as("_kafka_key"),
                lit(null).cast("string").as("_source_file"),
                col(RAW).as("_raw"),
                col(ERROR).as("_error"),
                lit(runId).as("_run_id"),
                current_timestamp().as("_quarantined_at"));
    LOG.debug("{}: {} records", description, records);
    return new SourceBatch(
        rows,
        rejected,
        position,
        records > 0,
        addsColumns,
        description,
        release,
        () -> {},
        order,
        rejectedCount);
  }

  /**
   * The rejected records the observation counted, when it counted every record of the batch: the
   * batch's offsets span {@code expected} records, fewer when offsets are missing (a compacted
   * topic, transaction markers), and a query that did not read every record (a LIMIT) counts fewer
   * too. Either way the count is not taken as the batch's.
   */
  private OptionalLong observedRejected(Observation observation, long expected) {
    if (expected == 0) {
      return OptionalLong.of(0);
    }
    try {
      // the count arrives through Spark's listener bus, just after the write's job ended
      scala.concurrent.Await.ready(
          observation.future(), scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
      Row counted = observation.getRow();
      long seen = counted.getLong(0);
      if (seen != expected) {
        LOG.debug(
            "kafka:{}: {} of {} records counted: reading the rejected ones", topic, seen, expected);
        return OptionalLong.empty();
      }
      return OptionalLong.of(counted.getLong(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    } catch (TimeoutException e) {
      LOG.warn("kafka:{}: the count of rejected records did not arrive: reading them", topic);
      return OptionalLong.empty();
    } catch (RuntimeException e) {
      LOG.debug("kafka:{}: no count of rejected records ({}): reading them", topic, e.toString());
      return OptionalLong.empty();
    }
  }

  /**
   * A batch of Debezium change events ({@link DebeziumChanges}): one change row per event,
   * tombstones skipped, what is not a change event quarantined; the table's columns stored with the
   * position like a learned JSON schema.
   */
  private SourceBatch debezium(
      Map<String, String> stored,
      Dataset<Row> raw,
      Column metadata,
      long maxBytes,
      String runId,
      Map<String, String> position,
      long records,
      String description) {
    Optional<StructType> declared = declaredSchema();
    String evolution = SourceArguments.schemaEvolution(call, declared.isPresent());
    Optional<StructType> known =
        Optional.ofNullable(stored.get(schemaKey()))
            .map(json -> (StructType) org.apache.spark.sql.types.DataType.fromJson(json));
    Column oversized =
        when(
            octet_length(col("value")).gt(maxBytes),
            concat(
                lit("the record has "),
                octet_length(col("value")),
                lit(" bytes, more than max_record_bytes (" + maxBytes + ")")));
    Dataset<Row> input =
        raw.select(
            when(octet_length(col("value")).leq(maxBytes), expr("CAST(value AS STRING)"))
                .as("value"),
            concat(col("topic"), lit("/"), col("partition"), lit("@"), col("offset"))
                .as("_position"),
            oversized.as("_error"),
            col("value").as("_raw"), // kept only for the records that are rejected
            col("topic").as("_kafka_topic"),
            col("partition").as("_kafka_partition"),
            col("offset").as("_kafka_offset"),
            expr("CAST(key AS STRING)").as("_kafka_key"),
            metadata);
    DebeziumChanges.Result result =
        DebeziumChanges.decode(
            spark, input, declared, known, evolution.equals("add"), call.displayName(), runId);
    position.put(schemaKey(), result.imageSchema().json());
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{}: {} records, {} tombstones skipped",
          description,
          records,
          result.tombstones().getAsLong());
    }
    return new SourceBatch(
        result.rows(),
        result.rejected(),
        position,
        records > 0,
        result.addsColumns(),
        description,
        result.release());
  }

  private Optional<StructType> declaredSchema() {
    if (call.argument("schema").isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(StructType.fromDDL(call.argument("schema").get()));
    } catch (RuntimeException e) {
      throw new FlowException(
          call.positionOf("schema")
              + ": schema is not a valid list of"
              + " columns (e.g. 'id BIGINT, name STRING'): "
              + SourceText.firstLine(String.valueOf(e.getMessage())),
          e);
    }
  }

  private static Column[] withInternal(List<Column> columns, Column... internal) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(List.of(internal));
    return all.toArray(new Column[0]);
  }

  /**
   * The start of the SQL CASE that names why a record cannot be read whatever its format: no value
   * (a tombstone), or more bytes than {@code max_record_bytes}.
   */
  private static String unreadableRecord(long maxBytes) {
    return unreadableRecord(
        "value IS NULL", "octet_length(value) > " + maxBytes, "octet_length(value)", maxBytes);
  }

  /**
   * As {@link #unreadableRecord(long)}, where {@code tombstone} tells a record without a value,
   * {@code tooLong} one longer than {@code maxBytes}, and {@code length} gives its byte count.
   */
  private static String unreadableRecord(
      String tombstone, String tooLong, String length, long maxBytes) {
    return "CASE WHEN "
        + tombstone
        + " THEN 'the record has no value (a tombstone)'"
        + " WHEN "
        + tooLong
        + " THEN concat('the record has ', "
        + length
        + ", ' bytes, more than max_record_bytes ("
        + maxBytes
        + ")')";
  }

  /** Why a JSON object did not match the schema: the top-level fields whose type is wrong. */
  static String typeError(StructType schema) {
    StringBuilder fields = new StringBuilder("concat_ws(', '");
    for (StructField field : schema.fields()) {
      String name = field.name().replace("'", "\\'");
      fields
          .append(", CASE WHEN from_json(CAST(value AS STRING), 'map<string,string>')['")
          .append(name)
          .append("'] IS NOT NULL AND __p.")
          .append(quote(field.name()))
          .append(" IS NULL THEN '")
          .append(name)
          .append(" (")
          .append(field.dataType().sql())
          .append(")' END");
    }
    fields.append(")");
    return "concat('values do not match the schema: ', coalesce(nullif("
        + fields
        + ", ''), 'a nested field'))";
  }

  /** The schema to parse with, and whether new fields are added to it or rescued. */
  private record Parse(StructType schema, boolean rescue, boolean addsColumns) {}

  private Parse jsonSchema(Map<String, String> stored, Dataset<Row> raw, long maxBytes) {
    StructType declared = declaredSchema().orElse(null);
    String evolution = SourceArguments.schemaEvolution(call, declared != null);
    StructType known = declared;
    if (known == null && stored.containsKey(schemaKey())) {
      known = (StructType) org.apache.spark.sql.types.DataType.fromJson(stored.get(schemaKey()));
    } else if (declared != null && stored.containsKey(schemaKey())) {
      // fields added to a declared schema by earlier runs stay
      StructType learned =
          (StructType) org.apache.spark.sql.types.DataType.fromJson(stored.get(schemaKey()));
      known = merge(declared, learned);
    }
    boolean infer = known == null || evolution.equals("add");
    if (!infer) {
      return new Parse(known, true, false);
    }
    // Inference reads the batch from Kafka once more: cheaper than keeping every record's bytes.
    Dataset<String> json =
        raw.where(
                expr(
                    "value IS NOT NULL AND octet_length(value) <= "
                        + maxBytes
                        + " AND json_object_keys(CAST(value AS STRING)) IS NOT NULL"))
            .select(expr("CAST(value AS STRING)"))
            .as(org.apache.spark.sql.Encoders.STRING());
    StructType inferred = spark.read().option("mode", "DROPMALFORMED").json(json).schema();
    StructType schema = known == null ? inferred : merge(known, inferred);
    boolean adds = known == null || schema.fields().length > known.fields().length;
    return new Parse(schema, evolution.equals("rescue"), adds);
  }

  /** The first schema with the fields of the second that it lacks appended; types stay. */
  static StructType merge(StructType first, StructType second) {
    StructType merged = first;
    for (StructField field : second.fields()) {
      if (field.name().equals(CORRUPT)) {
        continue;
      }
      boolean present = false;
      for (String name : first.fieldNames()) {
        present |= name.equalsIgnoreCase(field.name());
      }
      if (!present) {
        merged = merged.add(field);
      }
    }
    return merged;
  }

  private Map<Integer, Long> startOffsets(
      String stored, Map<Integer, Long> earliest, Map<Integer, Long> latest) {
    Map<Integer, Long> start = new TreeMap<>();
    Map<Integer, Long> position = parseOffsets(stored, "the stored position");
    String starting = Kafka.STARTING_OFFSETS.text(call).orElseThrow();
    Map<Integer, Long> given =
        starting.startsWith("{") ? parseOffsets(starting, "starting_offsets") : Map.of();
    boolean failOnDataLoss = Kafka.FAIL_ON_DATA_LOSS.booleanValue(call);
    List<String> lost = new ArrayList<>();
    for (Map.Entry<Integer, Long> entry : latest.entrySet()) {
      int partition = entry.getKey();
      long first = earliest.get(partition);
      long offset;
      if (position.containsKey(partition)) {
        offset = position.get(partition);
      } else if (given.containsKey(partition)) {
        offset = given.get(partition);
      } else if (!position.isEmpty()) {
        offset = first; // a partition added to the topic since the last run
      } else {
        offset = starting.equalsIgnoreCase("latest") ? entry.getValue() : first;
      }
      if (offset < first) {
        lost.add("partition " + partition + " offsets " + offset + " to " + (first - 1));
        offset = first;
      }
      start.put(partition, Math.min(offset, entry.getValue()));
    }
    if (!lost.isEmpty()) {
      String message =
          "kafka:"
              + topic
              + ": records were deleted by the topic's retention before"
              + " they were read ("
              + String.join(", ", lost)
              + ")";
      if (failOnDataLoss) {
        throw new FlowException(
            call.position()
                + ": "
                + message
                + "; set fail_on_data_loss =>"
                + " FALSE to skip them and go on",
            null);
      }
      LOG.warn("{}; going on from the earliest offsets (fail_on_data_loss => FALSE)", message);
    }
    return start;
  }

  /** At most {@code max} records in all, shared evenly among partitions with data. */
  private static Map<Integer, Long> endOffsets(
      Map<Integer, Long> start, Map<Integer, Long> latest, long max) {
    Map<Integer, Long> end = new TreeMap<>();
    long perPartition = Math.max(1, max / Math.max(1, latest.size()));
    for (Map.Entry<Integer, Long> entry : latest.entrySet()) {
      long from = start.get(entry.getKey());
      end.put(entry.getKey(), Math.min(entry.getValue(), from + perPartition));
    }
    return end;
  }

  /** Offsets of every partition of the topic, at its start or its end. */
  public Map<Integer, Long> offsets(OffsetSpec spec) {
    Admin admin = readers.admin(servers, kafkaOptions);
    try {
      Map<String, TopicDescription> topics =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (TopicPartitionInfo partition : topics.get(topic).partitions()) {
        request.put(new TopicPartition(topic, partition.partition()), spec);
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
          admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
      Map<Integer, Long> offsets = new TreeMap<>();
      result.forEach((partition, info) -> offsets.put(partition.partition(), info.offset()));
      return offsets;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new FlowException(
            call.positionOf("topic")
                + ": topic "
                + topic
                + " does not exist"
                + " on "
                + servers
                + "; create it, or check the name",
            e);
      }
      throw unreachable(e.getCause());
    } catch (TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlowException("interrupted while reading offsets of kafka:" + topic, e);
    }
  }

  private FlowException unreachable(Throwable cause) {
    readers.dropAdmin(servers, kafkaOptions);
    return new FlowException(
        ErrorCode.KAFKA_UNREACHABLE,
        call.positionOf("bootstrap_servers")
            + ": cannot read the offsets of"
            + " topic "
            + topic
            + " from Kafka at "
            + servers
            + ": "
            + (cause == null ? "no answer within 30 s" : cause.getMessage())
            + "; is the broker running and reachable?",
        cause);
  }

  /** {@code kafka_options => 'security.protocol=SSL, ssl.truststore.location=/x'}. */
  private static Map<String, String> kafkaOptions(SourceCall call) {
    try {
      return Kafka.KAFKA_OPTIONS.options(call);
    } catch (IllegalArgumentException e) {
      throw new FlowException(e.getMessage(), null);
    }
  }

  /**
   * Lagoa's consumer defaults, then the user's {@code kafka_options}.
   *
   * <p>Spark's Kafka reader asks the broker for the partition's earliest and latest offsets after
   * every poll (two round trips), and a poll returns at most {@code max.poll.records} (Kafka's
   * default 500, ~0.5 MB of 1 KB events): with 5,000 records and 4 MB a partition per fetch, a
   * batch of 500,000 ~1 KB events ran 1.3x faster (docs/benchmarks.md).
   *
   * <p>Spark pools its executors' consumers by group id, and without one it makes a new group id
   * for every read: each batch then opened new consumers (a connection, metadata) while the pool
   * kept the last 64 with their buffered fetches. One group id per cluster and settings (a hash of
   * them: consumers are only shared where they would be configured alike) lets every batch reuse
   * them. Lagoa assigns partitions and never commits offsets, so the group holds nothing.
   */
  static Map<String, String> consumerSettings(String servers, Map<String, String> options) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("max.poll.records", "5000");
    settings.put("max.partition.fetch.bytes", Integer.toString(4 << 20));
    settings.put("group.id", "lagoa-" + settingsHash(servers, options));
    settings.putAll(options);
    return settings;
  }

  private static String settingsHash(String servers, Map<String, String> options) {
    StringBuilder text = new StringBuilder(servers);
    new TreeMap<>(options)
        .forEach((key, value) -> text.append('\n').append(key).append('=').append(value));
    return ShortHash.of(text.toString());
  }

  private static Map<String, String> prefixed(Map<String, String> options) {
    Map<String, String> prefixed = new LinkedHashMap<>();
    options.forEach((key, value) -> prefixed.put("kafka." + key, value));
    return prefixed;
  }

  private String assignJson(java.util.Set<Integer> partitions) {
    try {
      return JSON.writeValueAsString(Map.of(topic, new ArrayList<>(partitions)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String offsetsJson(Map<Integer, Long> offsets) {
    return PipelineCommits.kafkaOffsetsJson(topic, offsets);
  }

  /** The offsets a summary value of {@link #positionKey()} holds. */
  public Map<Integer, Long> storedOffsets(String json) {
    return parseOffsets(json, "the stored position");
  }

  private Map<Integer, Long> parseOffsets(String json, String what) {
    try {
      return PipelineCommits.parseKafkaOffsets(topic, json);
    } catch (IllegalArgumentException e) {
      throw new FlowException(
          call.position() + ": " + what + " of kafka:" + topic + " is " + e.getMessage(),
          e.getCause());
    }
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}

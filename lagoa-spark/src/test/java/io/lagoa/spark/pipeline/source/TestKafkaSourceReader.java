package io.lagoa.spark.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.DatasetStatementParser;
import io.lagoa.pipeline.ExpectationPolicy;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.sql.StatementSplitter;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How read_kafka picks the offsets of a batch, against a real broker. */
class TestKafkaSourceReader {
  private static TestingKafka kafka;
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SourceReaders readers;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    readers = new SourceReaders();
  }

  @AfterAll
  static void stop() {
    readers.close();
    warehouse.close();
    kafka.close();
  }

  @Test
  void readsWithLargerPollsAndOneGroupPerClusterUnlessKafkaOptionsSaySo() {
    Map<String, String> defaults = KafkaSourceReader.consumerSettings("h:9092", Map.of());
    assertThat(defaults)
        .containsEntry("max.poll.records", "5000")
        .containsEntry("max.partition.fetch.bytes", "4194304");
    assertThat(defaults.get("group.id"))
        .startsWith("lagoa-")
        .isEqualTo(KafkaSourceReader.consumerSettings("h:9092", Map.of()).get("group.id"))
        .isNotEqualTo(KafkaSourceReader.consumerSettings("other:9092", Map.of()).get("group.id"))
        .isNotEqualTo(
            KafkaSourceReader.consumerSettings("h:9092", Map.of("security.protocol", "SSL"))
                .get("group.id"));
    assertThat(
            KafkaSourceReader.consumerSettings(
                "h:9092", Map.of("max.poll.records", "10", "group.id", "mine")))
        .containsEntry("max.poll.records", "10")
        .containsEntry("group.id", "mine")
        .containsEntry("max.partition.fetch.bytes", "4194304");
  }

  @Test
  void aNewTableStartsAtTheEarliestOffsets() {
    kafka.createTopic("o_earliest", 2);
    produce("o_earliest", 0, "a", "b", "c");
    produce("o_earliest", 1, "d");
    SourceBatch batch = read(reader("o_earliest", ""), Map.of());
    assertThat(values(batch)).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(offsets("o_earliest", batch)).isEqualTo(Map.of(0, 3L, 1, 1L));
    assertThat(batch.hasNew()).isTrue();
    batch.release().run();
  }

  @Test
  void latestStartsAtTheEndAndStoredPositionsWin() {
    kafka.createTopic("o_latest", 1);
    produce("o_latest", 0, "old");
    KafkaSourceReader reader = reader("o_latest", ", starting_offsets => 'latest'");
    SourceBatch first = read(reader, Map.of());
    assertThat(values(first)).isEmpty();
    assertThat(first.hasNew()).isFalse();
    assertThat(offsets("o_latest", first)).isEqualTo(Map.of(0, 1L));
    produce("o_latest", 0, "new");
    SourceBatch next = read(reader, first.position());
    assertThat(values(next)).containsExactly("new");
    assertThat(offsets("o_latest", next)).isEqualTo(Map.of(0, 2L));
    // a stored position wins over starting_offsets
    SourceBatch stored =
        read(
            reader,
            Map.of(
                reader.positionKey(), PipelineCommits.kafkaOffsetsJson("o_latest", Map.of(0, 0L))));
    assertThat(values(stored)).containsExactly("old", "new");
    first.release().run();
    next.release().run();
    stored.release().run();
  }

  @Test
  void offsetsPerPartitionAsJson() {
    kafka.createTopic("o_json", 2);
    produce("o_json", 0, "p0-0", "p0-1", "p0-2");
    produce("o_json", 1, "p1-0", "p1-1");
    // partition 1 is not named: it starts at its earliest offset
    SourceBatch batch =
        read(reader("o_json", ", starting_offsets => '{\"o_json\":{\"0\":2}}'"), Map.of());
    assertThat(values(batch)).containsExactlyInAnyOrder("p0-2", "p1-0", "p1-1");
    batch.release().run();
  }

  @Test
  void maxRecordsPerBatchIsSharedAmongPartitions() {
    kafka.createTopic("o_max", 2);
    produce("o_max", 0, "a0", "a1", "a2", "a3");
    produce("o_max", 1, "b0", "b1", "b2", "b3");
    KafkaSourceReader reader = reader("o_max", ", max_records_per_batch => 4");
    SourceBatch first = read(reader, Map.of());
    assertThat(values(first)).containsExactlyInAnyOrder("a0", "a1", "b0", "b1");
    assertThat(offsets("o_max", first)).isEqualTo(Map.of(0, 2L, 1, 2L));
    SourceBatch second = read(reader, first.position());
    assertThat(values(second)).containsExactlyInAnyOrder("a2", "a3", "b2", "b3");
    // a read without STREAM takes everything, whatever the limit
    SourceBatch whole = reader.read(Map.of(), Map.of(), "run", true);
    assertThat(values(whole)).hasSize(8);
    first.release().run();
    second.release().run();
    whole.release().run();
  }

  @Test
  void anInterruptedBatchIsReadAgainExactly() {
    kafka.createTopic("o_replay", 1);
    produce("o_replay", 0, "a", "b", "c");
    KafkaSourceReader reader = reader("o_replay", "");
    Map<String, String> pending =
        Map.of(reader.positionKey(), PipelineCommits.kafkaOffsetsJson("o_replay", Map.of(0, 2L)));
    SourceBatch replay = reader.read(Map.of(), pending, "run", false);
    assertThat(values(replay)).containsExactly("a", "b");
    assertThat(offsets("o_replay", replay)).isEqualTo(Map.of(0, 2L));
    replay.release().run();
  }

  @Test
  void anUncachedBatchCountsItsRejectedRecordsWhileItsRowsAreRead() {
    kafka.createTopic("o_count", 2);
    produce("o_count", 0, "a", "much too long", "b");
    produce("o_count", 1, "c");
    KafkaSourceReader reader = reader("o_count", ", max_record_bytes => 5");
    SourceBatch batch =
        reader.read(Map.of(), Map.of(), "run", false, false, QuarantineOrder.AFTER_TARGET);
    assertThat(batch.order()).isEqualTo(QuarantineOrder.AFTER_TARGET);
    assertThat(values(batch)).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(batch.rejectedCount().afterRead()).hasValue(1);
    // the rejected records are read again, on demand
    assertThat(batch.rejected().select("_kafka_offset", "_error").collectAsList())
        .singleElement()
        .hasToString("[1,the record has 13 bytes, more than max_record_bytes (5)]");

    // a read that stopped early did not see every record: its count is not the batch's
    SourceBatch partial =
        reader.read(Map.of(), Map.of(), "run", false, false, QuarantineOrder.AFTER_TARGET);
    assertThat(partial.rows().limit(1).collectAsList()).hasSize(1);
    assertThat(partial.rejectedCount().afterRead()).isEmpty();

    // a cached batch (the order without a journal) knows nothing of counts
    SourceBatch cached = read(reader, Map.of());
    assertThat(cached.order()).isEqualTo(QuarantineOrder.BEFORE_TARGET);
    assertThat(cached.rejectedCount().afterRead()).isEmpty();
    cached.release().run();
  }

  @Test
  void aPartitionAddedSinceTheLastRunIsReadFromItsStart() throws Exception {
    kafka.createTopic("o_grow", 1);
    produce("o_grow", 0, "a");
    KafkaSourceReader reader = reader("o_grow", ", starting_offsets => 'latest'");
    SourceBatch first = read(reader, Map.of());
    assertThat(values(first)).isEmpty();
    kafka
        .admin()
        .createPartitions(Map.of("o_grow", NewPartitions.increaseTo(2)))
        .all()
        .get(30, TimeUnit.SECONDS);
    produce("o_grow", 1, "x", "y");
    produce("o_grow", 0, "b");
    SourceBatch next = read(reader, first.position());
    assertThat(values(next)).containsExactlyInAnyOrder("b", "x", "y");
    assertThat(offsets("o_grow", next)).isEqualTo(Map.of(0, 2L, 1, 2L));
    first.release().run();
    next.release().run();
  }

  @Test
  void offsetsDeletedByRetentionFailTheBatchUnlessToldToGoOn() throws Exception {
    kafka.createTopic("o_gone", 1);
    produce("o_gone", 0, "a", "b", "c", "d");
    kafka
        .admin()
        .deleteRecords(Map.of(new TopicPartition("o_gone", 0), RecordsToDelete.beforeOffset(2)))
        .all()
        .get(30, TimeUnit.SECONDS);
    Map<String, String> stored =
        Map.of(
            PipelineCommits.kafkaPositionKey("o_gone"),
            PipelineCommits.kafkaOffsetsJson("o_gone", Map.of(0, 1L)));
    assertThatThrownBy(() -> read(reader("o_gone", ""), stored))
        .isInstanceOf(FlowException.class)
        .hasMessageContaining("f.sql:1:")
        .hasMessageContaining(
            "kafka:o_gone: records were deleted by the topic's retention before"
                + " they were read (partition 0 offsets 1 to 1)")
        .hasMessageContaining("set fail_on_data_loss => FALSE");
    SourceBatch skipped = read(reader("o_gone", ", fail_on_data_loss => FALSE"), stored);
    assertThat(values(skipped)).containsExactly("c", "d");
    skipped.release().run();
  }

  @Test
  void aTopicThatDoesNotExistIsNamedAtItsPlace() {
    assertThatThrownBy(() -> read(reader("o_missing", ""), Map.of()))
        .isInstanceOf(FlowException.class)
        .hasMessageContaining("topic o_missing does not exist on " + kafka.bootstrapServers());
  }

  @Test
  void closedReadersReadNothing() {
    kafka.createTopic("o_closed", 1);
    SourceReaders closed = new SourceReaders();
    KafkaSourceReader reader = closed.kafka(spark, call("o_closed", ""));
    assertThat(reader.offsets(org.apache.kafka.clients.admin.OffsetSpec.latest()))
        .isEqualTo(Map.of(0, 0L));
    closed.close();
    assertThatThrownBy(() -> reader.offsets(org.apache.kafka.clients.admin.OffsetSpec.latest()))
        .hasMessage("Cannot read sources: the source readers are closed");
    assertThatThrownBy(() -> closed.kafka(spark, call("o_any", "")))
        .hasMessage("Cannot read sources: the source readers are closed");
  }

  private static SourceBatch read(KafkaSourceReader reader, Map<String, String> stored) {
    return reader.read(stored, Map.of(), "run", false);
  }

  private static KafkaSourceReader reader(String topic, String arguments) {
    return readers.kafka(spark, call(topic, arguments));
  }

  private static SourceCall call(String topic, String arguments) {
    String sql =
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_kafka(bootstrap_servers =>"
            + " '"
            + kafka.bootstrapServers()
            + "', topic => '"
            + topic
            + "', format => 'text'"
            + arguments
            + ")";
    return DatasetStatementParser.parse(
            "f.sql", StatementSplitter.splitAll(sql).get(0), ExpectationPolicy.WARN)
        .sources()
        .get(0);
  }

  private static List<String> values(SourceBatch batch) {
    return batch.rows().select("value").as(Encoders.STRING()).collectAsList();
  }

  private static Map<Integer, Long> offsets(String topic, SourceBatch batch) {
    return new TreeMap<>(
        PipelineCommits.parseKafkaOffsets(
            topic, batch.position().get(PipelineCommits.kafkaPositionKey(topic))));
  }

  private static void produce(String topic, int partition, String... values) {
    Properties properties = kafka.clientProperties();
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
      for (String value : values) {
        producer
            .send(new ProducerRecord<>(topic, partition, null, value))
            .get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.testing.TestingKafka.Message;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestTestingKafka {
  private static TestingKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = TestingKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void producesAndReadsBack() {
    kafka.createTopic("events", 1);
    assertThat(kafka.topics()).contains("events");
    assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");

    kafka.produce("events", List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":3}"));

    assertThat(kafka.values("events")).containsExactly("{\"id\":1}", "{\"id\":2}", "{\"id\":3}");
    assertThat(kafka.endOffset("events")).isEqualTo(3);
    assertThat(kafka.count("events")).isEqualTo(3);
  }

  @Test
  void keysPickPartitions() {
    kafka.createTopic("keyed", 3);
    assertThat(kafka.partitions("keyed")).isEqualTo(3);
    kafka.produceMessages(
        "keyed",
        List.of(
            new Message("a", "1"),
            new Message("b", "2"),
            new Message("a", "3"),
            new Message("c", "4")));

    List<Message> messages = kafka.messages("keyed");
    assertThat(messages).hasSize(4);
    // one key, one partition: its messages keep their order
    assertThat(messages.stream().filter(m -> "a".equals(m.key())).map(Message::value))
        .containsExactly("1", "3");
    assertThat(kafka.endOffsets("keyed")).containsOnlyKeys(0, 1, 2);
    assertThat(kafka.endOffsets("keyed").values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(4);
  }

  @Test
  void consumerGroupsWork() {
    // What Spark's Kafka source and any plain consumer do: subscribe in a group and poll.
    kafka.createTopic("grouped", 2);
    kafka.produce("grouped", List.of("x", "y", "z"));
    Properties properties = kafka.clientProperties();
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-group");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    int read = 0;
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("grouped"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (read < 3 && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        read += records.count();
      }
      consumer.commitSync();
    }
    assertThat(read).isEqualTo(3);
  }

  @Test
  void topicsAreNeverCreatedImplicitly() {
    assertThatThrownBy(() -> kafka.values("missing")).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> kafka.deleteTopic("missing"))
        .isInstanceOf(UnknownTopicOrPartitionException.class);
    assertThat(kafka.topics()).doesNotContain("missing");
  }
}

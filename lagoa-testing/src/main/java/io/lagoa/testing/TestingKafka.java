package io.lagoa.testing;

import io.lagoa.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real single-node Apache Kafka 4.x broker (KRaft, broker and controller in one) on 127.0.0.1,
 * with its data in a temporary folder removed on close.
 *
 * <p>The broker runs in a child JVM ({@link KafkaBroker}) from its own jars, so its Scala and
 * kafka-clients 4.x never meet Spark's kafka-clients 3.9.1 on the test class path; the child ends
 * by itself if the test JVM dies. Topics are never created implicitly: call {@link #createTopic}.
 * Helpers here talk to the broker with the same kafka-clients Spark uses. Start one per test class
 * (it takes about 3 seconds) and use a topic per test.
 */
public final class TestingKafka implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path root;
  private final KafkaBroker broker;
  private final Admin admin;
  private KafkaProducer<String, String> producer;

  private TestingKafka(Path root, KafkaBroker broker) {
    this.root = root;
    this.broker = broker;
    this.admin = Admin.create(clientProperties());
  }

  /** A key and a value (either may be null), as produced or read back. */
  public record Message(String key, String value) {}

  /** Starts a broker; returns once it serves clients. */
  public static TestingKafka start() {
    Path root;
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(base);
      root = Files.createTempDirectory(base, "lagoa-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IllegalStateException failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        KafkaBroker broker =
            KafkaBroker.builder(root)
                .maxHeap("384m")
                // a test broker serves little: start fast rather than run fast
                .jvmOptions(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))
                .start();
        return new TestingKafka(root, broker);
      } catch (IllegalStateException e) {
        // most likely another process took a free port first; try other ports
        failure = e;
      }
    }
    TestingWarehouse.deleteRecursively(root);
    throw failure;
  }

  /** {@code 127.0.0.1:<port>} */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The process id of the broker's JVM. */
  public long pid() {
    return broker.pid();
  }

  /** {@code bootstrap.servers} for a client of this broker; add the rest yourself. */
  public Properties clientProperties() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return properties;
  }

  /** An admin client shared by this fixture; do not close it. */
  public Admin admin() {
    return admin;
  }

  /** Creates a topic with this many partitions (one replica), and waits until it is usable. */
  public void createTopic(String name, int partitions) {
    await(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all());
    // The controller has the topic once createTopics completes; wait until the broker's own
    // metadata gives every partition a leader too, so the first send never meets a leaderless one.
    // Until the broker has applied the controller's record it does not know the topic at all.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      TopicDescription description = null;
      try {
        description = await(admin.describeTopics(List.of(name)).allTopicNames()).get(name);
      } catch (UnknownTopicOrPartitionException notYet) {
        // the broker's metadata is behind the controller's: ask again
      }
      if (description != null
          && description.partitions().size() == partitions
          && description.partitions().stream()
              .allMatch(p -> p.leader() != null && p.leader().id() >= 0)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topic "
                + name
                + " has partitions without a leader after "
                + TIMEOUT
                + ": "
                + description
                + "\n"
                + broker.logTail());
      }
      pause(Duration.ofMillis(50));
    }
  }

  public void deleteTopic(String name) {
    await(admin.deleteTopics(List.of(name)).all());
  }

  /** The topics that exist, internal ones left out. */
  public Set<String> topics() {
    return await(admin.listTopics().names());
  }

  public int partitions(String topic) {
    TopicDescription description =
        await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    return description.partitions().size();
  }

  /** Sends these values without keys; returns once the broker acknowledged every one. */
  public void produce(String topic, List<String> values) {
    List<Message> messages = new ArrayList<>();
    for (String value : values) {
      messages.add(new Message(null, value));
    }
    produceMessages(topic, messages);
  }

  /**
   * Sends these keyed messages (a key picks the partition); returns once the broker acknowledged
   * every one.
   */
  public void produceMessages(String topic, Collection<Message> messages) {
    KafkaProducer<String, String> client = producer();
    List<Future<?>> sent = new ArrayList<>();
    for (Message message : messages) {
      sent.add(client.send(new ProducerRecord<>(topic, message.key(), message.value())));
    }
    client.flush();
    try {
      for (Future<?> result : sent) {
        await(result);
      }
    } catch (RuntimeException e) {
      // say what the broker was doing: a send that times out has its cause there
      throw new IllegalStateException(
          "cannot send "
              + messages.size()
              + " messages to topic "
              + topic
              + ": "
              + e
              + "\nthe broker's log ends with:\n"
              + broker.logTail(),
          e);
    }
  }

  /** The end offset (next offset to be written) of each partition of the topic. */
  public Map<Integer, Long> endOffsets(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      Map<Integer, Long> offsets = new TreeMap<>();
      consumer.endOffsets(partitions, TIMEOUT).forEach((p, o) -> offsets.put(p.partition(), o));
      return offsets;
    }
  }

  /** The sum of the end offsets of the topic's partitions. */
  public long endOffset(String topic) {
    return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
  }

  /** How many records the topic holds (end minus start offset, summed over partitions). */
  public long count(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
      return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
    }
  }

  /** Every value in the topic, partition by partition, each in offset order. */
  public List<String> values(String topic) {
    return messages(topic).stream().map(Message::value).toList();
  }

  /**
   * Every message in the topic, read without a consumer group: partition by partition, each in
   * offset order.
   */
  public List<Message> messages(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "cannot read topic "
                  + topic
                  + ": not at its end offsets "
                  + end
                  + " after "
                  + TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records.stream()
          .filter(r -> r.offset() < end.get(new TopicPartition(r.topic(), r.partition())))
          .sorted(
              Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition())
                  .thenComparingLong(ConsumerRecord::offset))
          .map(r -> new Message(r.key(), r.value()))
          .collect(Collectors.toList());
    }
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ZERO);
    }
    admin.close(Duration.ZERO);
    broker.kill(); // its data is deleted next: no clean shutdown needed
    TestingWarehouse.deleteRecursively(root);
  }

  private synchronized KafkaProducer<String, String> producer() {
    if (producer == null) {
      Properties properties = clientProperties();
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
      // fail a send within the fixture's timeout rather than Kafka's default two minutes
      properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
      producer = new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }
    return producer;
  }

  private KafkaConsumer<String, String> consumer() {
    Properties properties = clientProperties();
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
  }

  private static List<TopicPartition> partitionsOf(
      KafkaConsumer<String, String> consumer, String topic) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, TIMEOUT).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .sorted(Comparator.comparingInt(TopicPartition::partition))
            .toList();
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("cannot read topic " + topic + ": it does not exist");
    }
    return partitions;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the Kafka broker did not answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

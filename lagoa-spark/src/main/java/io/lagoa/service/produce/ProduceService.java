package io.lagoa.service.produce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.produce.ProduceException.Problem;
import io.lagoa.service.produce.ProduceResult.PartitionOffsets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends JSON lines to a Kafka topic, each line one record, with an idempotent producer (acks=all).
 * A file is checked whole first: a line that is not JSON stops it before anything is sent. Raw
 * sends lines as they are (bad records on purpose, say). Needs Kafka, not Spark.
 *
 * <p>One {@link #produce} at a time per instance; {@link #stop()} (from another thread, a shutdown
 * hook say) ends it early with what was acknowledged so far.
 */
public final class ProduceService {
  /** How long to wait for the broker before saying it cannot be reached. */
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private static final long PROGRESS_NANOS = 200_000_000L;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private volatile boolean stop;
  private volatile CountDownLatch finished = new CountDownLatch(0);

  /**
   * Checks the options and the file, checks the broker answers and the topic exists (creating it
   * when asked), then sends. Returns once every record sent was acknowledged, or after {@link
   * #stop()}.
   *
   * @throws ProduceException with {@link Problem#UNREACHABLE} (code {@link
   *     ErrorCode#KAFKA_UNREACHABLE}) when no broker answers, and an invalid-argument problem
   *     before anything is sent when the options, the file or the topic are wrong
   */
  public ProduceResult produce(ProduceOptions options, ProduceListener listener) {
    check(options);
    finished = new CountDownLatch(1);
    try {
      long lines = options.file() == null ? -1 : validate(options);
      reachable(options.bootstrapServers());
      int topicPartitions = ensureTopic(options, listener);
      return new Sender(options, listener, lines, topicPartitions).run();
    } finally {
      finished.countDown();
    }
  }

  /**
   * Stops a running {@link #produce} after the record it is sending, and waits (up to 20 seconds)
   * until it has flushed what it sent and returned. This instance sends nothing after it: a later
   * {@link #produce} returns at once, having sent nothing.
   */
  public void stop() {
    stop = true;
    try {
      finished.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void check(ProduceOptions options) {
    if (options.rate() < 0 || Double.isNaN(options.rate())) {
      throw new ProduceException(
          Problem.RATE,
          "cannot send at a rate of "
              + options.rate()
              + " records per second: give 0 or more, 0 for no limit");
    }
    if (options.repeat() < 1) {
      throw new ProduceException(
          Problem.REPEAT, "cannot send the file " + options.repeat() + " times: give 1 or more");
    }
    if (options.loop() && options.repeat() != 1) {
      throw new ProduceException(
          Problem.LOOP_WITH_REPEAT,
          "cannot both loop and send the file "
              + options.repeat()
              + " times: a loop repeats until stopped");
    }
    if (options.file() == null && (options.loop() || options.repeat() != 1)) {
      throw new ProduceException(
          Problem.REPLAY_INPUT,
          "cannot replay standard input: it is read once; save it to a file and send that");
    }
    if (options.partitions() < 1) {
      throw new ProduceException(
          Problem.PARTITIONS,
          "cannot create a topic with " + options.partitions() + " partitions: give 1 or more");
    }
    if (options.topic().isBlank()) {
      throw new ProduceException(Problem.TOPIC, "cannot send to an empty topic name");
    }
  }

  /**
   * Reads the whole file once before anything is sent, so a bad line stops with nothing half sent.
   * Returns the number of records it holds.
   */
  private static long validate(ProduceOptions options) {
    Path path = options.file();
    long records = 0;
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      long number = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        number++;
        line = number == 1 ? withoutByteOrderMark(line) : line;
        if (options.raw()) {
          records++;
        } else if (!line.isBlank()) {
          key(options, parse(line, number, options.source()), number, options.source());
          records++;
        }
      }
    } catch (NoSuchFileException e) {
      throw new ProduceException(Problem.FILE, "cannot read " + path + ": no such file");
    } catch (IOException e) {
      throw new ProduceException(
          Problem.FILE, "cannot read " + path + ": " + LagoaException.rootMessage(e));
    }
    return records;
  }

  private static JsonNode parse(String line, long number, String source) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
      throw new ProduceException(
          Problem.INVALID_JSON,
          "cannot send "
              + source
              + ": line "
              + number
              + (column > 0 ? ", column " + column : "")
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + ")"
              + (source.equals("standard input") ? "" : "; nothing was sent")
              + ".");
    }
  }

  /** The key field's value as text; null without a key field. */
  private static String key(ProduceOptions options, JsonNode record, long number, String source) {
    String keyField = options.keyField();
    if (keyField == null) {
      return null;
    }
    JsonNode value = record;
    for (String part : keyField.split("\\.")) {
      value = value == null || !value.isObject() ? null : value.get(part);
    }
    if (value == null || value.isMissingNode()) {
      throw new ProduceException(
          Problem.KEY_FIELD,
          "cannot send "
              + source
              + ": line "
              + number
              + " has no field '"
              + keyField
              + "' for the record key"
              + (source.equals("standard input") ? "" : "; nothing was sent"));
    }
    if (value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** Fails in a second when nothing listens at any bootstrap address, rather than timing out. */
  private static void reachable(String bootstrapServers) {
    List<String> tried = new ArrayList<>();
    for (String server : bootstrapServers.split(",")) {
      String address = server.strip();
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        throw new ProduceException(
            Problem.BOOTSTRAP_SERVERS,
            "cannot use bootstrap servers "
                + bootstrapServers
                + ": give host:port, e.g. localhost:9092");
      }
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ProduceException(
            Problem.BOOTSTRAP_SERVERS,
            "cannot use bootstrap servers " + bootstrapServers + ": '" + address + "' has no port");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 3000);
        return;
      } catch (IOException e) {
        tried.add(address + " (" + LagoaException.rootMessage(e) + ")");
      }
    }
    throw unreachable(bootstrapServers, "nothing answers at " + String.join(", ", tried));
  }

  private static ProduceException unreachable(String bootstrapServers, String reason) {
    return new ProduceException(
        Problem.UNREACHABLE,
        "cannot reach Kafka at "
            + bootstrapServers
            + ": "
            + reason
            + ". Is a broker running there?");
  }

  /** Checks the topic exists (creating it when asked); returns its partition count. */
  private static int ensureTopic(ProduceOptions options, ProduceListener listener) {
    String topic = options.topic();
    String servers = options.bootstrapServers();
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, CONNECT_TIMEOUT_MILLIS / 2);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CONNECT_TIMEOUT_MILLIS);
    try (Admin admin = admin(properties, servers)) {
      try {
        TopicDescription description =
            await(admin.describeTopics(List.of(topic)).allTopicNames(), servers).get(topic);
        return description.partitions().size();
      } catch (UnknownTopicOrPartitionException e) {
        if (!options.createTopic()) {
          Set<String> topics = new TreeSet<>(await(admin.listTopics().names(), servers));
          throw new ProduceException(
              Problem.TOPIC_MISSING,
              "cannot send to topic '"
                  + topic
                  + "': it does not exist on "
                  + servers
                  + (topics.isEmpty()
                      ? "; the broker has no topics yet"
                      : "; topics there: " + String.join(", ", topics)));
        }
      }
      try {
        await(
            admin
                .createTopics(List.of(new NewTopic(topic, options.partitions(), (short) -1)))
                .all(),
            servers);
        listener.topicCreated(topic, options.partitions());
        return options.partitions();
      } catch (TopicExistsException e) {
        // created by someone else meanwhile: use it as it is
        return await(admin.describeTopics(List.of(topic)).allTopicNames(), servers)
            .get(topic)
            .partitions()
            .size();
      }
    }
  }

  private static Admin admin(Properties properties, String servers) {
    try {
      return Admin.create(properties);
    } catch (KafkaException e) {
      throw new ProduceException(
          Problem.BOOTSTRAP_SERVERS,
          "cannot use bootstrap servers " + servers + ": " + LagoaException.rootMessage(e));
    }
  }

  private static <T> T await(KafkaFuture<T> future, String servers) {
    try {
      return future.get(CONNECT_TIMEOUT_MILLIS + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(servers, "no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s");
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new ProduceException(Problem.FAILED, "Kafka failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw unreachable(servers, "no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProduceException(Problem.FAILED, "interrupted while talking to Kafka", e);
    }
  }

  private static String withoutByteOrderMark(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  /** Acknowledged records of one partition; updated from the producer's callback thread. */
  private static final class PartitionStats {
    final int partition;
    long records;
    long firstOffset = -1;
    long lastOffset = -1;

    PartitionStats(int partition) {
      this.partition = partition;
    }
  }

  /** The sending loop: paced, stoppable, and failing on the first undelivered record. */
  private final class Sender {
    private final ProduceOptions options;
    private final ProduceListener listener;
    private final long linesPerPass;
    private final int topicPartitions;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Map<Integer, PartitionStats> acknowledged = new TreeMap<>();
    private long acknowledgedRecords;
    private long acknowledgedBytes;

    Sender(ProduceOptions options, ProduceListener listener, long linesPerPass, int partitions) {
      this.options = options;
      this.listener = listener;
      this.linesPerPass = linesPerPass;
      this.topicPartitions = partitions;
    }

    ProduceResult run() {
      long started = System.nanoTime();
      long sent = 0;
      String source = options.source();
      long expected = linesPerPass >= 0 && !options.loop() ? linesPerPass * options.repeat() : -1;
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        listener.started(source, options.topic(), topicPartitions, expected);
        long lastProgress = 0;
        for (int pass = 0;
            (options.loop() || pass < options.repeat()) && !stop && failure.get() == null;
            pass++) {
          try (BufferedReader reader = open()) {
            long number = 0;
            String line;
            while (!stop && failure.get() == null && (line = reader.readLine()) != null) {
              number++;
              line = number == 1 ? withoutByteOrderMark(line) : line;
              String key = null;
              if (!options.raw()) {
                if (line.isBlank()) {
                  continue;
                }
                // a file was checked before; a stream is checked here, line by line
                key = key(options, parse(line, number, source), number, source);
              } else if (options.keyField() != null) {
                key = rawKey(line);
              }
              pace(started, sent);
              send(producer, key, line);
              sent++;
              long now = System.nanoTime();
              if (now - lastProgress > PROGRESS_NANOS) {
                lastProgress = now;
                listener.progress(sent, expected, now - started);
              }
            }
          }
        }
        producer.flush();
        listener.finished(System.nanoTime() - started);
      } catch (IOException e) {
        throw new ProduceException(
            Problem.FAILED, "cannot read " + source + ": " + LagoaException.rootMessage(e), e);
      } catch (KafkaException e) {
        failure.compareAndSet(null, e);
      }
      long nanos = System.nanoTime() - started;
      Exception error = failure.get();
      synchronized (this) {
        if (error != null) {
          throw new ProduceException(
              Problem.FAILED,
              "cannot send to topic "
                  + options.topic()
                  + " at "
                  + options.bootstrapServers()
                  + ": "
                  + LagoaException.rootMessage(error)
                  + ". "
                  + String.format(Locale.ROOT, "%,d", acknowledgedRecords)
                  + " records were stored before the error"
                  + offsets(),
              error);
        }
        List<PartitionOffsets> partitions = new ArrayList<>();
        for (PartitionStats stats : acknowledged.values()) {
          partitions.add(
              new PartitionOffsets(
                  stats.partition, stats.records, stats.firstOffset, stats.lastOffset));
        }
        return new ProduceResult(
            options.topic(),
            options.bootstrapServers(),
            acknowledgedRecords,
            acknowledgedBytes,
            nanos,
            stop,
            partitions);
      }
    }

    private synchronized String offsets() {
      if (acknowledged.isEmpty()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      for (PartitionStats stats : acknowledged.values()) {
        parts.add("partition " + stats.partition + " up to offset " + stats.lastOffset);
      }
      return " (" + String.join(", ", parts) + ")";
    }

    /** Sleeps until record number {@code sent} is due at the rate; never while behind. */
    private void pace(long started, long sent) {
      if (options.rate() <= 0) {
        return;
      }
      long due = started + (long) (sent * 1e9 / options.rate());
      long wait;
      while (!stop && (wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String key, String line) {
      byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
      byte[] value = line.getBytes(StandardCharsets.UTF_8);
      long size = value.length + (keyBytes == null ? 0 : keyBytes.length);
      producer.send(
          new ProducerRecord<>(options.topic(), keyBytes, value),
          (RecordMetadata metadata, Exception exception) -> {
            if (exception != null) {
              failure.compareAndSet(null, exception);
            } else {
              acknowledge(metadata, size);
            }
          });
    }

    private synchronized void acknowledge(RecordMetadata metadata, long size) {
      PartitionStats stats =
          acknowledged.computeIfAbsent(metadata.partition(), PartitionStats::new);
      stats.records++;
      if (stats.firstOffset < 0 || metadata.offset() < stats.firstOffset) {
        stats.firstOffset = metadata.offset();
      }
      stats.lastOffset = Math.max(stats.lastOffset, metadata.offset());
      acknowledgedRecords++;
      acknowledgedBytes += size;
    }

    /** When raw, a key when the line happens to be a JSON object with the field. */
    private String rawKey(String line) {
      try {
        return key(options, JSON.readTree(line), 0, options.source());
      } catch (JsonProcessingException | LagoaException e) {
        return null;
      }
    }

    private BufferedReader open() throws IOException {
      if (options.file() == null) {
        return new BufferedReader(new InputStreamReader(options.input(), StandardCharsets.UTF_8)) {
          @Override
          public void close() {
            // the caller's stream is not ours to close
          }
        };
      }
      return Files.newBufferedReader(options.file(), StandardCharsets.UTF_8);
    }

    private KafkaProducer<byte[], byte[]> producer() {
      Properties properties = new Properties();
      properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      // fail within seconds if the broker goes away mid-way, not after the default minutes
      properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(CONNECT_TIMEOUT_MILLIS));
      properties.put(
          ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(CONNECT_TIMEOUT_MILLIS));
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
      try {
        return new KafkaProducer<>(
            properties, new ByteArraySerializer(), new ByteArraySerializer());
      } catch (KafkaException e) {
        throw new ProduceException(
            Problem.BOOTSTRAP_SERVERS,
            "cannot use bootstrap servers "
                + options.bootstrapServers()
                + ": "
                + LagoaException.rootMessage(e));
      }
    }
  }
}

package io.lagoa.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.StatusLine;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
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
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "produce",
    description = {
      "Sends each line of a JSON-lines file (- reads standard input) as one record",
      "to a Kafka topic, with an idempotent producer (acks=all). A file is checked",
      "whole first: a line that is not JSON stops it before anything is sent.",
      "--raw sends lines as they are (bad records on purpose, say). Prints the",
      "records sent per partition, with their offsets."
    },
    mixinStandardHelpOptions = true)
final class ProduceCommand implements Callable<Integer> {
  static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  /** How long to wait for the broker before saying it cannot be reached. */
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Cli cli;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to send to.")
  String topic;

  @Parameters(
      index = "1",
      paramLabel = "FILE",
      description = "A JSON-lines file, one record per line; - reads standard input.")
  String file;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
      description = "The Kafka brokers (default: ${DEFAULT-VALUE}, where 'lagoa dev kafka' runs).")
  String bootstrapServers;

  @Option(
      names = "--key-field",
      paramLabel = "FIELD",
      description =
          "Use this field of each record as the record key (a.b for a nested field), so records"
              + " with one key go to one partition in order. Default: no key.")
  String keyField;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Send N records per second, evenly (default: as fast as the broker takes them).")
  double rate;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "1",
      description = "Send the file N times (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--loop", description = "Send the file again and again until Ctrl-C.")
  boolean loop;

  @Option(
      names = "--raw",
      description =
          "Send every line exactly as it is, blank and invalid ones included (default: check"
              + " that every line is JSON and skip blank lines).")
  boolean raw;

  @Option(
      names = "--create-topic",
      description = "Create the topic if it does not exist (default: a missing topic is an error).")
  boolean createTopic;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "1",
      description = "Partitions of a topic created by --create-topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Mixin OutputOptions output;

  ProduceCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    checkOptions();
    Path path = "-".equals(file) ? null : cli.resolve(file);
    String source = path == null ? "standard input" : path.toString();
    long lines = path == null ? -1 : validate(path);

    reachable();
    int topicPartitions = ensureTopic();
    Sender sender = new Sender(source, lines, topicPartitions);
    // Ctrl-C ends the JVM through its shutdown hooks: let the sending loop stop, flush what it
    // sent and print the summary before the JVM goes.
    Thread stopper = new Thread(sender::stopAndWait, "lagoa-produce-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      Summary summary = sender.run(path);
      printSummary(summary);
      return 0;
    } finally {
      sender.finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is waiting for this summary
      }
    }
  }

  private void checkOptions() {
    if (rate < 0) {
      throw invalid(
          "cannot send at --rate " + rate + ": give records per second, or 0 for no limit");
    }
    if (repeat < 1) {
      throw invalid("cannot send the file --repeat " + repeat + " times: give 1 or more");
    }
    if (loop && repeat != 1) {
      throw invalid("cannot use --loop with --repeat: --loop repeats until Ctrl-C");
    }
    if ("-".equals(file) && (loop || repeat != 1)) {
      throw invalid(
          "cannot replay standard input with --repeat or --loop: save it to a file and send that");
    }
    if (partitions < 1) {
      throw invalid("cannot create a topic with --partitions " + partitions + ": give 1 or more");
    }
    if (topic.isBlank()) {
      throw invalid("cannot send to an empty topic name");
    }
  }

  /**
   * Reads the whole file once before anything is sent, so a bad line stops the command with nothing
   * half sent. Returns the number of records it holds.
   */
  private long validate(Path path) {
    long records = 0;
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      long number = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        number++;
        line = number == 1 ? withoutByteOrderMark(line) : line;
        if (raw) {
          records++;
        } else if (!line.isBlank()) {
          key(parse(line, number, path.toString()), number, path.toString());
          records++;
        }
      }
    } catch (NoSuchFileException e) {
      throw invalid("cannot read " + path + ": no such file");
    } catch (IOException e) {
      throw invalid("cannot read " + path + ": " + LagoaException.rootMessage(e));
    }
    return records;
  }

  private JsonNode parse(String line, long number, String source) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
      throw invalid(
          "cannot send "
              + source
              + ": line "
              + number
              + (column > 0 ? ", column " + column : "")
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + ")"
              + (source.equals("standard input") ? "" : "; nothing was sent")
              + ". Fix the line, or send lines as they are with --raw"
              + " (e.g. to test how a pipeline quarantines bad records).");
    }
  }

  /** The key field's value as text; null without --key-field. */
  private String key(JsonNode record, long number, String source) {
    if (keyField == null) {
      return null;
    }
    JsonNode value = record;
    for (String part : keyField.split("\\.")) {
      value = value == null || !value.isObject() ? null : value.get(part);
    }
    if (value == null || value.isMissingNode()) {
      throw invalid(
          "cannot send "
              + source
              + ": line "
              + number
              + " has no field '"
              + keyField
              + "' for --key-field"
              + (source.equals("standard input") ? "" : "; nothing was sent"));
    }
    if (value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** Fails in a second when nothing listens at any bootstrap address, rather than timing out. */
  private void reachable() {
    List<String> tried = new ArrayList<>();
    for (String server : bootstrapServers.split(",")) {
      String address = server.strip();
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        throw invalid(
            "cannot use --bootstrap-servers "
                + bootstrapServers
                + ": give host:port, e.g. localhost:9092");
      }
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw invalid(
            "cannot use --bootstrap-servers "
                + bootstrapServers
                + ": '"
                + address
                + "' has no port");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 3000);
        return;
      } catch (IOException e) {
        tried.add(address + " (" + LagoaException.rootMessage(e) + ")");
      }
    }
    throw unreachable("nothing answers at " + String.join(", ", tried));
  }

  private LagoaException unreachable(String reason) {
    return new LagoaException(
        ErrorCode.KAFKA_UNREACHABLE,
        "cannot reach Kafka at "
            + bootstrapServers
            + ": "
            + reason
            + ". Is a broker running there? Start a local one with 'lagoa dev kafka',"
            + " or pass --bootstrap-servers.");
  }

  /** Checks the topic exists (creating it with --create-topic); returns its partition count. */
  private int ensureTopic() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, CONNECT_TIMEOUT_MILLIS / 2);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CONNECT_TIMEOUT_MILLIS);
    try (Admin admin = admin(properties)) {
      try {
        TopicDescription description =
            await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        return description.partitions().size();
      } catch (UnknownTopicOrPartitionException e) {
        if (!createTopic) {
          Set<String> topics = new TreeSet<>(await(admin.listTopics().names()));
          throw invalid(
              "cannot send to topic '"
                  + topic
                  + "': it does not exist on "
                  + bootstrapServers
                  + ". Create it with --create-topic (and --partitions N)"
                  + (topics.isEmpty()
                      ? "; the broker has no topics yet"
                      : "; topics there: " + String.join(", ", topics)));
        }
      }
      try {
        await(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all());
        cli.err().println("created topic " + topic + " with " + partitions + " partition(s)");
        cli.err().flush();
        return partitions;
      } catch (TopicExistsException e) {
        // created by someone else meanwhile: use it as it is
        return await(admin.describeTopics(List.of(topic)).allTopicNames())
            .get(topic)
            .partitions()
            .size();
      }
    }
  }

  private Admin admin(Properties properties) {
    try {
      return Admin.create(properties);
    } catch (KafkaException e) {
      throw invalid(
          "cannot use --bootstrap-servers "
              + bootstrapServers
              + ": "
              + LagoaException.rootMessage(e));
    }
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(CONNECT_TIMEOUT_MILLIS + 2000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable("no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s");
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new LagoaException(ErrorCode.IO_ERROR, "Kafka failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw unreachable("no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagoaException(ErrorCode.IO_ERROR, "interrupted while talking to Kafka", e);
    }
  }

  private void printSummary(Summary summary) {
    PrintWriter out = cli.out();
    OutputFormat format = output.format();
    if (format == OutputFormat.JSON) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("topic", topic);
      document.put("bootstrap_servers", bootstrapServers);
      document.put("records", summary.records());
      document.put("bytes", summary.bytes());
      document.put("seconds", summary.nanos() / 1e9);
      document.put("records_per_second", summary.perSecond());
      document.put("stopped_early", summary.stopped());
      List<Map<String, Object>> partitionList = new ArrayList<>();
      for (PartitionStats stats : summary.partitions().values()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("partition", stats.partition);
        entry.put("records", stats.records);
        entry.put("first_offset", stats.firstOffset);
        entry.put("last_offset", stats.lastOffset);
        partitionList.add(entry);
      }
      document.put("partitions", partitionList);
      JsonDocument.print(document, out);
      return;
    }
    List<List<Object>> rows = new ArrayList<>();
    for (PartitionStats stats : summary.partitions().values()) {
      rows.add(List.of(stats.partition, stats.records, stats.firstOffset, stats.lastOffset));
    }
    if (format == OutputFormat.TABLE) {
      out.println(
          String.format(
              Locale.ROOT,
              "%s %,d %s (%s) to %s in %s: %,.0f records/s",
              summary.stopped() ? "Stopped after sending" : "Sent",
              summary.records(),
              summary.records() == 1 ? "record" : "records",
              bytes(summary.bytes()),
              topic,
              Values.seconds(summary.nanos()),
              summary.perSecond()));
    }
    cli.printer()
        .print(List.of("partition", "records", "first_offset", "last_offset"), rows, format, out);
  }

  private static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
  }

  private static String withoutByteOrderMark(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  private static LagoaException invalid(String message) {
    return new LagoaException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** A terminal gets a live count; tests, pipes and CI logs do not. */
  private boolean terminal() {
    String term = cli.env().get("TERM");
    return System.console() != null && term != null && !term.equals("dumb");
  }

  /** What was sent, as the broker acknowledged it. */
  record Summary(
      long records,
      long bytes,
      long nanos,
      boolean stopped,
      Map<Integer, PartitionStats> partitions) {
    double perSecond() {
      return nanos == 0 ? 0 : records * 1e9 / nanos;
    }
  }

  /** Acknowledged records of one partition; updated from the producer's callback thread. */
  static final class PartitionStats {
    final int partition;
    long records;
    long firstOffset = -1;
    long lastOffset = -1;

    PartitionStats(int partition) {
      this.partition = partition;
    }
  }

  /** The sending loop: paced, stoppable by Ctrl-C, and failing on the first undelivered record. */
  private final class Sender {
    private final String source;
    private final long linesPerPass;
    private final int topicPartitions;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Map<Integer, PartitionStats> acknowledged = new TreeMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stop;
    private long acknowledgedRecords;
    private long acknowledgedBytes;

    Sender(String source, long linesPerPass, int topicPartitions) {
      this.source = source;
      this.linesPerPass = linesPerPass;
      this.topicPartitions = topicPartitions;
    }

    void stopAndWait() {
      stop = true;
      try {
        finished.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    Summary run(Path path) {
      long started = System.nanoTime();
      long sent = 0;
      String target = "to " + topic + " (" + topicPartitions + " partition(s))";
      try (KafkaProducer<byte[], byte[]> producer = producer();
          StatusLine progress = new StatusLine(cli.err(), terminal())) {
        progress.start("sending " + source + " " + target);
        long lastDraw = 0;
        for (int pass = 0; (loop || pass < repeat) && !stop && failure.get() == null; pass++) {
          try (BufferedReader reader = open(path)) {
            long number = 0;
            String line;
            while (!stop && failure.get() == null && (line = reader.readLine()) != null) {
              number++;
              line = number == 1 ? withoutByteOrderMark(line) : line;
              String key = null;
              if (!raw) {
                if (line.isBlank()) {
                  continue;
                }
                // a file was checked before; standard input is checked here, line by line
                key = key(parse(line, number, source), number, source);
              } else if (keyField != null) {
                key = rawKey(line);
              }
              pace(started, sent);
              send(producer, key, line);
              sent++;
              long now = System.nanoTime();
              if (now - lastDraw > 200_000_000L) {
                lastDraw = now;
                progress.update(progressText(target, sent, now - started));
              }
            }
          }
        }
        producer.flush();
        progress.finish(Values.seconds(System.nanoTime() - started));
      } catch (IOException e) {
        throw new LagoaException(
            ErrorCode.IO_ERROR, "cannot read " + source + ": " + LagoaException.rootMessage(e), e);
      } catch (KafkaException e) {
        failure.compareAndSet(null, e);
      }
      long nanos = System.nanoTime() - started;
      Exception error = failure.get();
      synchronized (this) {
        if (error != null) {
          throw new LagoaException(
              ErrorCode.IO_ERROR,
              "cannot send to topic "
                  + topic
                  + " at "
                  + bootstrapServers
                  + ": "
                  + LagoaException.rootMessage(error)
                  + ". "
                  + String.format(Locale.ROOT, "%,d", acknowledgedRecords)
                  + " records were stored before the error"
                  + offsets(),
              error);
        }
        return new Summary(
            acknowledgedRecords, acknowledgedBytes, nanos, stop, new TreeMap<>(acknowledged));
      }
    }

    private String progressText(String target, long sent, long nanos) {
      String count =
          linesPerPass > 0 && !loop
              ? String.format(Locale.ROOT, "%,d/%,d", sent, linesPerPass * repeat)
              : String.format(Locale.ROOT, "%,d", sent);
      return String.format(
          Locale.ROOT,
          "sending %s %s: %s records, %,.0f/s",
          source,
          target,
          count,
          sent * 1e9 / nanos);
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

    /** Sleeps until record number {@code sent} is due at --rate; never while behind. */
    private void pace(long started, long sent) {
      if (rate <= 0) {
        return;
      }
      long due = started + (long) (sent * 1e9 / rate);
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
          new ProducerRecord<>(topic, keyBytes, value),
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

    /** With --raw, a key when the line happens to be a JSON object with the field. */
    private String rawKey(String line) {
      try {
        return key(JSON.readTree(line), 0, source);
      } catch (JsonProcessingException | LagoaException e) {
        return null;
      }
    }

    private BufferedReader open(Path path) throws IOException {
      if (path == null) {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
          @Override
          public void close() {
            // standard input is not ours to close
          }
        };
      }
      return Files.newBufferedReader(path, StandardCharsets.UTF_8);
    }

    private KafkaProducer<byte[], byte[]> producer() {
      Properties properties = new Properties();
      properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
        throw invalid(
            "cannot use --bootstrap-servers "
                + bootstrapServers
                + ": "
                + LagoaException.rootMessage(e));
      }
    }
  }
}

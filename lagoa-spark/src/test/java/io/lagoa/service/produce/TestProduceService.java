package io.lagoa.service.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.service.produce.ProduceException.Problem;
import io.lagoa.service.produce.ProduceResult.PartitionOffsets;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingKafka.Message;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The produce service against a real broker, without the CLI. */
class TestProduceService {
  private static TestingKafka kafka;

  @TempDir Path folder;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private Path file(String name, String text) throws IOException {
    return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static ProduceOptions.Builder options(String topic) {
    return ProduceOptions.builder(topic).bootstrapServers(kafka.bootstrapServers());
  }

  @Test
  void sendsEachLineAndReportsOffsetsPerPartition() throws IOException {
    kafka.createTopic("service-orders", 1);
    Path orders = file("orders.jsonl", "{\"id\": 1}\n\n{\"id\": 2}\n{\"id\": 3}\n");
    Events events = new Events();

    ProduceResult result =
        new ProduceService().produce(options("service-orders").file(orders).build(), events);

    assertThat(result.topic()).isEqualTo("service-orders");
    assertThat(result.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
    assertThat(result.records()).isEqualTo(3);
    assertThat(result.bytes()).isEqualTo(3 * "{\"id\": 1}".length());
    assertThat(result.stopped()).isFalse();
    assertThat(result.partitions()).containsExactly(new PartitionOffsets(0, 3, 0, 2));
    assertThat(kafka.values("service-orders"))
        .containsExactly("{\"id\": 1}", "{\"id\": 2}", "{\"id\": 3}");
    assertThat(events.seen)
        .containsExactly("started " + orders + " service-orders 1 3", "finished");
  }

  @Test
  void keysRecordsByAFieldAndRepeatsTheFile() throws IOException {
    kafka.createTopic("service-keyed", 3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      text.append("{\"customer\": {\"id\": \"c").append(i % 2).append("\"}, \"n\": ").append(i);
      text.append("}\n");
    }
    Path lines = file("keyed.jsonl", text.toString());

    ProduceResult result =
        new ProduceService()
            .produce(
                options("service-keyed").file(lines).keyField("customer.id").repeat(2).build(),
                ProduceListener.NONE);

    assertThat(result.records()).isEqualTo(20);
    assertThat(result.partitions().stream().mapToLong(PartitionOffsets::records).sum())
        .isEqualTo(20);
    assertThat(kafka.messages("service-keyed"))
        .hasSize(20)
        .extracting(Message::key)
        .containsOnly("c0", "c1");
    // one key, one partition: at most two partitions hold records
    assertThat(result.partitions()).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void aBadLineStopsTheFileBeforeAnythingIsSent() throws IOException {
    kafka.createTopic("service-strict", 1);
    Path lines = file("bad.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": \n");

    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(options("service-strict").file(lines).build(), ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(Problem.INVALID_JSON);
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            })
        .hasMessageContaining("line 3")
        .hasMessageContaining("is not valid JSON")
        .hasMessageContaining("nothing was sent")
        .hasMessageNotContaining("--");
    assertThat(kafka.count("service-strict")).isZero();

    Path noKey = file("nokey.jsonl", "{\"id\": 1}\n{\"other\": 2}\n");
    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(
                        options("service-strict").file(noKey).keyField("id").build(),
                        ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class, e -> assertThat(e.problem()).isEqualTo(Problem.KEY_FIELD))
        .hasMessageContaining("line 2 has no field 'id'");
    assertThat(kafka.count("service-strict")).isZero();

    ProduceResult raw =
        new ProduceService()
            .produce(options("service-strict").file(lines).raw(true).build(), ProduceListener.NONE);
    assertThat(raw.records()).isEqualTo(3);
    assertThat(kafka.values("service-strict")).contains("{\"id\": ");
  }

  @Test
  void aMissingTopicIsAnErrorUnlessCreatingItWasAsked() throws IOException {
    kafka.createTopic("service-existing", 1);
    Path lines = file("two.jsonl", "{\"a\": 1}\n{\"a\": 2}\n");

    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(options("service-new").file(lines).build(), ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TOPIC_MISSING))
        .hasMessageContaining("topic 'service-new'")
        .hasMessageContaining("does not exist on " + kafka.bootstrapServers())
        .hasMessageContaining("service-existing");
    assertThat(kafka.topics()).doesNotContain("service-new");

    Events events = new Events();
    ProduceResult result =
        new ProduceService()
            .produce(
                options("service-new").file(lines).createTopic(true).partitions(2).build(), events);
    assertThat(events.seen).first().isEqualTo("created service-new 2");
    assertThat(result.records()).isEqualTo(2);
    assertThat(kafka.partitions("service-new")).isEqualTo(2);
  }

  @Test
  void readsAStreamOnceAndChecksItLineByLine() {
    kafka.createTopic("service-piped", 1);
    byte[] bytes = "{\"a\": 1}\n{\"a\": 2}\n".getBytes(StandardCharsets.UTF_8);

    ProduceResult result =
        new ProduceService()
            .produce(
                options("service-piped").input(new ByteArrayInputStream(bytes)).build(),
                ProduceListener.NONE);

    assertThat(result.records()).isEqualTo(2);
    assertThat(kafka.values("service-piped")).containsExactly("{\"a\": 1}", "{\"a\": 2}");
    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(
                        options("service-piped")
                            .input(new ByteArrayInputStream(bytes))
                            .repeat(2)
                            .build(),
                        ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class, e -> assertThat(e.problem()).isEqualTo(Problem.REPLAY_INPUT))
        .hasMessageContaining("cannot replay standard input");
  }

  @Test
  void badOptionsAreRejectedBeforeKafkaIsAsked() {
    List<ProduceOptions.Builder> bad =
        List.of(
            ProduceOptions.builder("t").file(Path.of("x")).rate(-1),
            ProduceOptions.builder("t").file(Path.of("x")).repeat(0),
            ProduceOptions.builder("t").file(Path.of("x")).loop(true).repeat(2),
            ProduceOptions.builder("t").file(Path.of("x")).partitions(0),
            ProduceOptions.builder(" ").file(Path.of("x")));
    List<Problem> problems = new ArrayList<>();
    for (ProduceOptions.Builder options : bad) {
      try {
        new ProduceService().produce(options.build(), ProduceListener.NONE);
      } catch (ProduceException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.getMessage()).doesNotContain("--");
        problems.add(e.problem());
      }
    }
    assertThat(problems)
        .containsExactly(
            Problem.RATE,
            Problem.REPEAT,
            Problem.LOOP_WITH_REPEAT,
            Problem.PARTITIONS,
            Problem.TOPIC);

    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(
                        ProduceOptions.builder("t").file(folder.resolve("nowhere.jsonl")).build(),
                        ProduceListener.NONE))
        .hasMessageContaining("nowhere.jsonl: no such file");
  }

  @Test
  void noBrokerIsKafkaUnreachableWithinSeconds() throws IOException {
    Path lines = file("one.jsonl", "{\"a\": 1}\n");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    long started = System.nanoTime();
    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(
                        ProduceOptions.builder("t")
                            .file(lines)
                            .bootstrapServers("127.0.0.1:" + port)
                            .build(),
                        ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(Problem.UNREACHABLE);
              assertThat(e.code()).isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
            })
        .hasMessageContaining("cannot reach Kafka at 127.0.0.1:" + port);
    assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);

    assertThatThrownBy(
            () ->
                new ProduceService()
                    .produce(
                        ProduceOptions.builder("t").file(lines).bootstrapServers("nohost").build(),
                        ProduceListener.NONE))
        .isInstanceOfSatisfying(
            ProduceException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.BOOTSTRAP_SERVERS))
        .hasMessageContaining("give host:port");
  }

  @Test
  void stopEndsALoopWithWhatWasAcknowledged() throws Exception {
    kafka.createTopic("service-loop", 1);
    Path lines = file("loop.jsonl", "{\"a\": 1}\n");
    ProduceService service = new ProduceService();

    CompletableFuture<ProduceResult> running =
        CompletableFuture.supplyAsync(
            () ->
                service.produce(
                    options("service-loop").file(lines).loop(true).rate(200).build(),
                    ProduceListener.NONE));
    while (kafka.count("service-loop") < 20) {
      Thread.sleep(50);
    }
    service.stop();
    ProduceResult result = running.get(30, TimeUnit.SECONDS);

    assertThat(result.stopped()).isTrue();
    assertThat(result.records()).isGreaterThanOrEqualTo(20);
    assertThat(kafka.count("service-loop")).isEqualTo(result.records());
    assertThat(result.partitions())
        .containsExactly(new PartitionOffsets(0, result.records(), 0, result.records() - 1));
  }

  /** What the listener was told, in order; progress left out (it depends on timing). */
  private static final class Events implements ProduceListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void topicCreated(String topic, int partitions) {
      seen.add("created " + topic + " " + partitions);
    }

    @Override
    public void started(String source, String topic, int partitions, long expected) {
      seen.add("started " + source + " " + topic + " " + partitions + " " + expected);
    }

    @Override
    public void finished(long nanos) {
      seen.add("finished");
    }
  }
}

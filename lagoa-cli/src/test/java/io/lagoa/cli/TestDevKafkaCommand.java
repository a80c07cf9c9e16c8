package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa dev kafka} run in-process on a thread (interrupting the thread is how a test stops
 * it, like Ctrl-C does for a person), reached by a plain Kafka client and by {@code lagoa produce}.
 */
class TestDevKafkaCommand {
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  /** A running {@code lagoa dev kafka}. */
  private static final class Running {
    final Thread thread;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exitCode = new AtomicInteger(-1);

    Running(String... args) {
      thread =
          new Thread(
              () ->
                  exitCode.set(
                      Main.run(
                          args,
                          // start fast on a busy CI machine, as TestingKafka does
                          warehouse.environment(
                              Map.of(
                                  DevCommand.Kafka.JAVA_OPTS, "-XX:TieredStopAtLevel=1 -Xmx384m")),
                          warehouse.root(),
                          new PrintWriter(out, true),
                          new PrintWriter(err, true))),
              "dev-kafka");
      thread.start();
    }

    Running awaitRunning() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!out.toString().contains("Stop it with Ctrl-C")) {
        assertThat(thread.isAlive()).as("stopped early:\n%s\n%s", out, err).isTrue();
        assertThat(System.nanoTime()).as("not running after 90 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      return this;
    }

    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(60_000);
      assertThat(thread.isAlive()).isFalse();
      return exitCode.get();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void servesClientsAndKeepsTopicsAcrossRestarts() throws Exception {
    int port = freePort();
    Path data = warehouse.root().resolve("kafka-data");
    String bootstrap = "127.0.0.1:" + port;

    Running first =
        new Running("dev", "kafka", "--port", String.valueOf(port), "--data", data.toString())
            .awaitRunning();
    assertThat(first.out.toString())
        .contains("bootstrap servers " + bootstrap)
        .contains("data: " + data)
        .contains("kept across restarts");
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(properties)) {
      admin
          .createTopics(List.of(new NewTopic("clicks", 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    warehouse.writeFile("clicks.jsonl", "{\"page\": \"/\"}\n{\"page\": \"/buy\"}\n");
    CliRunner.Result produced =
        new CliRunner(warehouse)
            .run("produce", "clicks", "clicks.jsonl", "--bootstrap-servers", bootstrap);
    assertThat(produced.exitCode()).as(produced.toString()).isZero();
    assertThat(first.stop()).isZero();
    assertThat(first.out.toString()).contains("Kafka stopped.");
    assertThat(data.resolve("logs").resolve("broker.log")).exists();

    // Same folder, same port: the topic and its records are still there.
    Running second =
        new Running("dev", "kafka", "--port", String.valueOf(port), "--data", data.toString())
            .awaitRunning();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          List.of(new TopicPartition("clicks", 0), new TopicPartition("clicks", 1));
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
    } finally {
      assertThat(second.stop()).isZero();
    }
  }

  @Test
  void aTakenPortIsAClearError() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRunner.Result result =
          new CliRunner(warehouse)
              .run(
                  "dev",
                  "kafka",
                  "--port",
                  String.valueOf(taken.getLocalPort()),
                  "--data",
                  warehouse.root().resolve("unused").toString());
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
      assertThat(result.err())
          .contains("cannot start Kafka on 127.0.0.1:" + taken.getLocalPort())
          .contains("the port is in use")
          .contains("--port");
    }
  }
}

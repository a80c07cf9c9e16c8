package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingKafka.Message;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code lagoa produce} end to end against a real broker, run in-process through Main.run. */
class TestProduceCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingWarehouse warehouse;
  private static TestingKafka kafka;
  private static CliRunner cli;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    kafka = TestingKafka.start();
    cli = new CliRunner(warehouse);
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    warehouse.close();
  }

  private static CliRunner.Result produce(String... args) {
    String[] command = new String[args.length + 3];
    command[0] = "produce";
    System.arraycopy(args, 0, command, 1, args.length);
    command[args.length + 1] = "--bootstrap-servers";
    command[args.length + 2] = kafka.bootstrapServers();
    return cli.run(command);
  }

  private static Map<String, Object> json(CliRunner.Result result) {
    try {
      return JSON.readValue(result.out(), new TypeReference<>() {});
    } catch (IOException e) {
      throw new AssertionError("not a JSON object: " + result, e);
    }
  }

  @Test
  void sendsEachLineAsOneRecord() {
    kafka.createTopic("orders", 1);
    warehouse.writeFile(
        "orders.jsonl", "{\"id\": 1, \"total\": 9.5}\n\n{\"id\": 2, \"total\": 3}\n{\"id\": 3}\n");

    CliRunner.Result result = produce("orders", "orders.jsonl");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    // blank lines are skipped; values are sent exactly as written
    assertThat(kafka.values("orders"))
        .containsExactly("{\"id\": 1, \"total\": 9.5}", "{\"id\": 2, \"total\": 3}", "{\"id\": 3}");
    assertThat(result.out()).contains("Sent 3 records").contains("to orders");
    assertThat(result.out()).containsPattern("(?m)^\\s*0\\s+\\|\\s+3\\s+\\|\\s+0\\s+\\|\\s+2\\s*$");
  }

  @Test
  void keyFieldKeysRecordsAndJsonSummaryHasOffsets() {
    kafka.createTopic("keyed", 3);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      lines.append("{\"customer\": {\"id\": \"c").append(i % 4).append("\"}, \"n\": ").append(i);
      lines.append("}\n");
    }
    warehouse.writeFile("keyed.jsonl", lines.toString());

    CliRunner.Result result =
        produce("keyed", "keyed.jsonl", "--key-field", "customer.id", "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Map<String, Object> summary = json(result);
    assertThat(summary).containsEntry("records", 30).containsEntry("topic", "keyed");
    List<Map<String, Object>> partitions = (List<Map<String, Object>>) summary.get("partitions");
    assertThat(partitions.stream().mapToInt(p -> (Integer) p.get("records")).sum()).isEqualTo(30);
    assertThat(kafka.endOffsets("keyed").values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(30);
    List<Message> messages = kafka.messages("keyed");
    assertThat(messages).extracting(Message::key).containsOnly("c0", "c1", "c2", "c3");
    // one key, one partition, in the order sent
    assertThat(messages.stream().filter(m -> m.key().equals("c1")).map(Message::value))
        .containsExactly(
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 1}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 5}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 9}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 13}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 17}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 21}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 25}",
            "{\"customer\": {\"id\": \"c1\"}, \"n\": 29}");
  }

  @Test
  void anInvalidLineStopsTheCommandBeforeAnythingIsSent() {
    kafka.createTopic("strict", 1);
    warehouse.writeFile("bad.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3,}\n");

    CliRunner.Result result = produce("strict", "bad.jsonl");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .contains("line 3")
        .contains("is not valid JSON")
        .contains("nothing was sent")
        .contains("--raw");
    assertThat(kafka.count("strict")).isZero();

    CliRunner.Result noKey = produce("strict", "bad.jsonl", "--raw");
    assertThat(noKey.exitCode()).as(noKey.toString()).isZero();
    assertThat(kafka.values("strict"))
        .containsExactly("{\"id\": 1}", "{\"id\": 2}", "{\"id\": 3,}");
  }

  @Test
  void aMissingKeyFieldIsAnError() {
    kafka.createTopic("nokey", 1);
    warehouse.writeFile("nokey.jsonl", "{\"id\": 1}\n{\"other\": 2}\n");

    CliRunner.Result result = produce("nokey", "nokey.jsonl", "--key-field", "id");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("line 2 has no field 'id'");
    assertThat(kafka.count("nokey")).isZero();
  }

  @Test
  void aMissingTopicIsAnErrorUnlessCreated() {
    warehouse.writeFile("new.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");

    CliRunner.Result missing = produce("brand-new", "new.jsonl");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
    assertThat(missing.err())
        .contains("topic 'brand-new'")
        .contains("does not exist on " + kafka.bootstrapServers())
        .contains("--create-topic");
    assertThat(kafka.topics()).doesNotContain("brand-new");

    CliRunner.Result created =
        produce("brand-new", "new.jsonl", "--create-topic", "--partitions", "2");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.err()).contains("created topic brand-new with 2 partition(s)");
    assertThat(kafka.partitions("brand-new")).isEqualTo(2);
    assertThat(kafka.count("brand-new")).isEqualTo(2);
  }

  @Test
  void anUnreachableBrokerFailsFastNamingTheAddress() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    warehouse.writeFile("one.jsonl", "{\"id\": 1}\n");
    long started = System.nanoTime();

    CliRunner.Result result =
        cli.run("produce", "t", "one.jsonl", "--bootstrap-servers", "127.0.0.1:" + port);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .contains("cannot reach Kafka at 127.0.0.1:" + port)
        .contains("lagoa dev kafka");
    assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
  }

  @Test
  void aMissingFileOrBadOptionsAreErrors() {
    CliRunner.Result missing = produce("orders", "nowhere.jsonl");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read").contains("nowhere.jsonl: no such file");

    CliRunner.Result stdinLoop = produce("orders", "-", "--loop");
    assertThat(stdinLoop.exitCode()).isEqualTo(2);
    assertThat(stdinLoop.err()).contains("cannot replay standard input");

    CliRunner.Result badServers = cli.run("produce", "t", "-", "--bootstrap-servers", "nohost");
    assertThat(badServers.exitCode()).isEqualTo(2);
    assertThat(badServers.err()).contains("give host:port");
  }

  @Test
  void repeatsTheFileAtASteadyRate() {
    kafka.createTopic("paced", 1);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      lines.append("{\"n\": ").append(i).append("}\n");
    }
    warehouse.writeFile("paced.jsonl", lines.toString());
    long started = System.nanoTime();

    CliRunner.Result result =
        produce("paced", "paced.jsonl", "--repeat", "3", "--rate", "100", "--json");

    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(kafka.count("paced")).isEqualTo(60);
    assertThat(json(result)).containsEntry("records", 60);
    // 60 records at 100/s: the last is due after 0.59 s
    assertThat(millis).isGreaterThanOrEqualTo(590);
    double rate = ((Number) json(result).get("records_per_second")).doubleValue();
    assertThat(rate).isBetween(50.0, 110.0);
  }

  @Test
  void readsStandardInput() {
    kafka.createTopic("piped", 1);
    InputStream original = System.in;
    try {
      System.setIn(
          new ByteArrayInputStream("{\"a\": 1}\n{\"a\": 2}\n".getBytes(StandardCharsets.UTF_8)));
      CliRunner.Result result = produce("piped", "-");
      assertThat(result.exitCode()).as(result.toString()).isZero();
    } finally {
      System.setIn(original);
    }
    assertThat(kafka.values("piped")).containsExactly("{\"a\": 1}", "{\"a\": 2}");
  }
}

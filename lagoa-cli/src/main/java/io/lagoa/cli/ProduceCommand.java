package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.StatusLine;
import io.lagoa.cli.output.Values;
import io.lagoa.error.LagoaException;
import io.lagoa.service.produce.ProduceException;
import io.lagoa.service.produce.ProduceListener;
import io.lagoa.service.produce.ProduceOptions;
import io.lagoa.service.produce.ProduceResult;
import io.lagoa.service.produce.ProduceService;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  static final String DEFAULT_BOOTSTRAP_SERVERS = ProduceOptions.DEFAULT_BOOTSTRAP_SERVERS;

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
    ProduceOptions.Builder options =
        ProduceOptions.builder(topic)
            .bootstrapServers(bootstrapServers)
            .keyField(keyField)
            .rate(rate)
            .repeat(repeat)
            .loop(loop)
            .raw(raw)
            .createTopic(createTopic)
            .partitions(partitions);
    if ("-".equals(file)) {
      options.input(System.in);
    } else {
      options.file(cli.resolve(file));
    }
    ProduceService service = new ProduceService();
    CountDownLatch printed = new CountDownLatch(1);
    // Ctrl-C ends the JVM through its shutdown hooks: let the sending stop, flush what it sent
    // and print the summary before the JVM goes.
    Thread stopper =
        new Thread(
            () -> {
              service.stop();
              try {
                printed.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "lagoa-produce-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try (Progress progress = new Progress()) {
      ProduceResult result = service.produce(options.build(), progress);
      printSummary(result);
      return 0;
    } catch (ProduceException e) {
      throw inFlags(e);
    } finally {
      printed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is waiting for this summary
      }
    }
  }

  /** The service's error in this command's words: which option or command fixes it. */
  private LagoaException inFlags(ProduceException e) {
    String message =
        switch (e.problem()) {
          case RATE ->
              "cannot send at --rate " + rate + ": give records per second, or 0 for no limit";
          case REPEAT -> "cannot send the file --repeat " + repeat + " times: give 1 or more";
          case LOOP_WITH_REPEAT -> "cannot use --loop with --repeat: --loop repeats until Ctrl-C";
          case REPLAY_INPUT ->
              "cannot replay standard input with --repeat or --loop: save it to a file and send"
                  + " that";
          case PARTITIONS ->
              "cannot create a topic with --partitions " + partitions + ": give 1 or more";
          case BOOTSTRAP_SERVERS ->
              e.getMessage().replace("bootstrap servers", "--bootstrap-servers");
          case INVALID_JSON ->
              e.getMessage()
                  + " Fix the line, or send lines as they are with --raw"
                  + " (e.g. to test how a pipeline quarantines bad records).";
          case KEY_FIELD -> e.getMessage().replace("for the record key", "for --key-field");
          case TOPIC_MISSING ->
              e.getMessage() + ". Create it with --create-topic (and --partitions N).";
          case UNREACHABLE ->
              e.getMessage()
                  + " Start a local one with 'lagoa dev kafka', or pass --bootstrap-servers.";
          case TOPIC, FILE, FAILED -> e.getMessage();
        };
    return message.equals(e.getMessage()) ? e : new LagoaException(e.code(), message, e);
  }

  private void printSummary(ProduceResult summary) {
    PrintWriter out = cli.out();
    OutputFormat format = output.format();
    if (format == OutputFormat.JSON) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("topic", summary.topic());
      document.put("bootstrap_servers", summary.bootstrapServers());
      document.put("records", summary.records());
      document.put("bytes", summary.bytes());
      document.put("seconds", summary.nanos() / 1e9);
      document.put("records_per_second", summary.recordsPerSecond());
      document.put("stopped_early", summary.stopped());
      List<Map<String, Object>> partitionList = new ArrayList<>();
      for (ProduceResult.PartitionOffsets stats : summary.partitions()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("partition", stats.partition());
        entry.put("records", stats.records());
        entry.put("first_offset", stats.firstOffset());
        entry.put("last_offset", stats.lastOffset());
        partitionList.add(entry);
      }
      document.put("partitions", partitionList);
      JsonDocument.print(document, out);
      return;
    }
    List<List<Object>> rows = new ArrayList<>();
    for (ProduceResult.PartitionOffsets stats : summary.partitions()) {
      rows.add(
          List.of(stats.partition(), stats.records(), stats.firstOffset(), stats.lastOffset()));
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
              summary.topic(),
              Values.seconds(summary.nanos()),
              summary.recordsPerSecond()));
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

  /** A terminal gets a live count; tests, pipes and CI logs do not. */
  private boolean terminal() {
    String term = cli.env().get("TERM");
    return System.console() != null && term != null && !term.equals("dumb");
  }

  /** The service's progress on standard error: a status line, live on a terminal. */
  private final class Progress implements ProduceListener, AutoCloseable {
    private StatusLine line;
    private String source;
    private String target;

    @Override
    public void topicCreated(String topic, int partitions) {
      cli.err().println("created topic " + topic + " with " + partitions + " partition(s)");
      cli.err().flush();
    }

    @Override
    public void started(String source, String topic, int partitions, long expected) {
      this.source = source;
      this.target = "to " + topic + " (" + partitions + " partition(s))";
      line = new StatusLine(cli.err(), terminal());
      line.start("sending " + source + " " + target);
    }

    @Override
    public void progress(long sent, long expected, long nanos) {
      String count =
          expected > 0
              ? String.format(Locale.ROOT, "%,d/%,d", sent, expected)
              : String.format(Locale.ROOT, "%,d", sent);
      line.update(
          String.format(
              Locale.ROOT,
              "sending %s %s: %s records, %,.0f/s",
              source,
              target,
              count,
              sent * 1e9 / nanos));
    }

    @Override
    public void finished(long nanos) {
      line.finish(Values.seconds(nanos));
    }

    @Override
    public void close() {
      if (line != null) {
        line.close();
      }
    }
  }
}

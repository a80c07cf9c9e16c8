package io.lagoa.cli;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.io.Folders;
import io.lagoa.kafka.KafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "dev",
    description = "Local services for development, run in the foreground.",
    mixinStandardHelpOptions = true,
    subcommands = {DevCommand.Kafka.class, DevPostgresCommand.class})
final class DevCommand extends CommandGroup {
  DevCommand(Cli cli) {
    super(cli);
  }

  @Command(
      name = "kafka",
      description = {
        "Runs a local single-node Apache Kafka broker (KRaft) on 127.0.0.1 in the",
        "foreground until Ctrl-C, for streaming pipelines without a Kafka cluster.",
        "Topics and their records are kept in the data folder across restarts.",
        "Topics are never created on first use: create them with",
        "'lagoa produce --create-topic' or any Kafka tool.",
        "LAGOA_KAFKA_JAVA_OPTS adds options to the broker's JVM, e.g. -Xmx4g",
        "(the default heap is 1g)."
      },
      mixinStandardHelpOptions = true)
  static final class Kafka implements Callable<Integer> {
    /** Extra options for the broker's JVM, e.g. -Xmx4g (default heap: 1g). */
    static final String JAVA_OPTS = "LAGOA_KAFKA_JAVA_OPTS";

    private final Cli cli;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "9092",
        description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description =
            "Folder for the broker's topics, configuration and logs (default: .lagoa/kafka next"
                + " to a local warehouse, else in the current folder).")
    Path data;

    @Option(
        names = "--temporary",
        description = "Keep everything in a temporary folder, deleted when the broker stops.")
    boolean temporary;

    Kafka(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (temporary && data != null) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot use --data with --temporary: choose a folder to keep, or a temporary one");
      }
      if (port < 1 || port > 65535) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot use port " + port + ": a port is a number from 1 to 65535");
      }
      Path folder = temporary ? temporaryFolder() : dataFolder();
      PrintWriter out = cli.out();
      KafkaBroker broker = start(folder);
      out.println(
          "Kafka "
              + broker.version()
              + " is running: bootstrap servers "
              + broker.bootstrapServers()
              + " (one node, KRaft)");
      out.println(
          "  data: "
              + folder
              + (temporary ? "  (temporary, deleted on stop)" : "  (kept across restarts)"));
      out.println("  log:  " + broker.logFile());
      out.println(
          "Send test data: lagoa produce <topic> <file.jsonl> --create-topic --bootstrap-servers "
              + broker.bootstrapServers());
      out.println("Stop it with Ctrl-C (or: kill " + ProcessHandle.current().pid() + ").");
      out.flush();

      return Foreground.run(
          new Foreground.Server() {
            @Override
            public void stop() {
              broker.stop();
            }

            @Override
            public int waitFor() throws InterruptedException {
              return broker.waitFor();
            }

            @Override
            public String logTail() {
              return broker.logTail();
            }
          },
          "kafka",
          "the Kafka broker",
          () -> stopped(out, folder));
    }

    private int stopped(PrintWriter out, Path folder) {
      out.println("Kafka stopped.");
      out.flush();
      if (temporary) {
        deleteRecursively(folder);
      }
      return 0;
    }

    private KafkaBroker start(Path folder) {
      List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC"));
      String extra = cli.env().get(JAVA_OPTS);
      if (extra != null && !extra.isBlank()) {
        jvmOptions.addAll(List.of(extra.strip().split("\\s+"))); // later options win, e.g. -Xmx
      }
      try {
        return KafkaBroker.builder(folder).port(port).jvmOptions(jvmOptions).start();
      } catch (IllegalArgumentException e) {
        throw new LagoaException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + " with --port", e);
      } catch (IllegalStateException | UncheckedIOException e) {
        if (temporary) {
          deleteRecursively(folder);
        }
        throw new LagoaException(ErrorCode.IO_ERROR, e.getMessage(), e);
      }
    }

    /** --data, else .lagoa/kafka beside a local warehouse, else in the current folder. */
    private Path dataFolder() {
      if (data != null) {
        return cli.resolve(data.toString());
      }
      Path base =
          cli.config()
              .localWarehouse()
              .map(warehouse -> warehouse.toAbsolutePath().normalize().getParent())
              .orElse(cli.workingDir());
      return base.resolve(".lagoa").resolve("kafka");
    }

    private static Path temporaryFolder() {
      try {
        return Files.createTempDirectory("lagoa-kafka-");
      } catch (IOException e) {
        throw new LagoaException(
            ErrorCode.IO_ERROR, "cannot create a temporary folder for Kafka: " + e.getMessage(), e);
      }
    }

    private static void deleteRecursively(Path folder) {
      try {
        Folders.deleteRecursively(folder);
      } catch (IOException e) {
        // best effort: a temporary folder left behind is cleaned by the OS
      }
    }
  }
}

package io.lagoa.kafka.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Runs inside the broker's own JVM (class path: the Kafka broker jars and this module's jar, never
 * Lagoa's): formats the storage on first start, starts a combined broker+controller, then writes
 * the ready file the launcher waits for. The JVM shuts the broker down cleanly on SIGTERM/SIGINT
 * and when its standard input closes, which happens when the process that started it goes away.
 *
 * <p>Arguments: the server.properties file, then the ready file to write once the broker serves.
 */
public final class BrokerMain {
  /** How long a clean shutdown may take before the JVM is halted. */
  private static final long SHUTDOWN_GRACE_MILLIS = 30_000;

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: BrokerMain <server.properties> <ready file>");
      System.exit(2);
    }
    Path serverProperties = Path.of(args[0]);
    Path readyFile = Path.of(args[1]);
    watchParent();

    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(serverProperties, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    format(serverProperties, Path.of(properties.getProperty("log.dirs")));

    KafkaRaftServer server =
        new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "kafka-shutdown"));
    try {
      server.startup();
    } catch (Throwable e) {
      System.err.println("the Kafka broker failed to start:");
      e.printStackTrace();
      System.exit(1);
    }
    // Written under another name and moved, so the launcher never reads half a file.
    Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
    Files.writeString(partial, properties.getProperty("advertised.listeners"));
    Files.move(partial, readyFile, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("the Kafka broker is ready");
    server.awaitShutdown();
  }

  /** Formats the log folder unless an earlier start already did (then its data is kept). */
  private static void format(Path serverProperties, Path logDirectory) {
    if (Files.exists(logDirectory.resolve("meta.properties"))) {
      return;
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      status =
          StorageTool.execute(
              new String[] {
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                serverProperties.toString()
              },
              print);
    }
    System.out.print(output.toString(StandardCharsets.UTF_8));
    if (status != 0) {
      System.err.println("cannot format the Kafka storage in " + logDirectory);
      System.exit(1);
    }
  }

  /**
   * Ends the JVM when standard input closes: nothing is ever sent on it, so end of input means the
   * parent closed it or died. Exits through the shutdown hooks (a clean broker shutdown), halting
   * if that takes too long.
   */
  private static void watchParent() {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() != -1) {
                  // read until the parent closes the pipe
                }
              } catch (IOException e) {
                // a broken pipe means the same: the parent is gone
              }
              Thread halt =
                  new Thread(
                      () -> {
                        try {
                          Thread.sleep(SHUTDOWN_GRACE_MILLIS);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        Runtime.getRuntime().halt(1);
                      },
                      "halt-after-grace");
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}

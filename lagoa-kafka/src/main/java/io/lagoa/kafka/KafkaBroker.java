package io.lagoa.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A local single-node Apache Kafka broker (KRaft, combined broker and controller) in a child JVM,
 * listening on 127.0.0.1 only.
 *
 * <p>The broker runs from its own folder of jars (the build copies Kafka 4.x and its dependencies
 * to a {@code kafka-broker} folder next to this module's jar), so its Scala, Jackson, log4j and
 * kafka-clients never meet Spark's. Everything it writes lives in one folder: {@code
 * server.properties}, {@code data/} (the topics; formatted on first start and kept after that),
 * {@code logs/broker.log} and {@code logs/stdout.log}. The child shuts down cleanly on {@link
 * #stop()} and also when the JVM that started it dies. Uses only the JDK, so any module can start a
 * broker without Kafka on its class path.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final String MAIN = "io.lagoa.kafka.broker.BrokerMain";

  private final Path directory;
  private final int port;
  private final Process process;
  private final String version;

  private KafkaBroker(Path directory, int port, Process process, String version) {
    this.directory = directory;
    this.port = port;
    this.process = process;
    this.version = version;
  }

  /** A broker that keeps everything in this folder (created if missing). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** {@code 127.0.0.1:<port>}, for a client's {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  /** The Kafka version the broker runs, e.g. {@code 4.4.0}. */
  public String version() {
    return version;
  }

  /** The folder holding the broker's configuration, data and logs. */
  public Path directory() {
    return directory;
  }

  /** The broker's own log (log4j), rolled at 10 MB. */
  public Path logFile() {
    return directory.resolve("logs").resolve("broker.log");
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Blocks until the broker's JVM exits, and returns its exit code. */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /**
   * Shuts the broker down cleanly (SIGTERM: it closes its logs so the next start needs no
   * recovery), killing it if that takes more than 30 seconds.
   */
  public void stop() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the broker at once (SIGKILL), for callers that throw its data away anyway. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The last lines of the broker's output and log, for error messages. */
  public String logTail() {
    return tail(directory);
  }

  /** Whether nothing listens on this port of 127.0.0.1. */
  public static boolean portAvailable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The folder of broker jars next to this class's jar (or classes folder): {@code
   * lib/kafka-broker} in the distribution, {@code lagoa-kafka/target/kafka-broker} in a build.
   */
  public static Path defaultLibrary() {
    try {
      Path own =
          Path.of(KafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return own.getParent().resolve("kafka-broker");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How to start a broker; nothing happens until {@link #start()}. */
  public static final class Builder {
    private final Path directory;
    private int port = 0;
    private String maxHeap = "1g";
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private Path library = null;
    private Duration startTimeout = Duration.ofSeconds(90);

    private Builder(Path directory) {
      this.directory = directory.toAbsolutePath().normalize();
    }

    /** The client port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "cannot use port " + port + ": a port is a number from 1 to 65535");
      }
      this.port = port;
      return this;
    }

    /** The broker JVM's -Xmx, e.g. {@code 512m}; 1g by default. */
    public Builder maxHeap(String maxHeap) {
      this.maxHeap = maxHeap;
      return this;
    }

    /** Adds options for the broker's JVM. */
    public Builder jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    /** Sets a server.properties entry, over the defaults this class writes. */
    public Builder property(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    /** The folder of broker jars; {@link #defaultLibrary()} unless set. */
    public Builder library(Path library) {
      this.library = library;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Starts the broker and returns once it serves clients.
     *
     * @throws IllegalArgumentException when the port is taken
     * @throws IllegalStateException when the broker cannot start; the message ends with the tail of
     *     its log
     */
    public KafkaBroker start() {
      Path jars = library == null ? defaultLibrary() : library;
      List<Path> brokerJars = jars(jars);
      int clientPort = port == 0 ? freePort() : port;
      if (port != 0 && !portAvailable(port)) {
        throw new IllegalArgumentException(
            "cannot start Kafka on "
                + HOST
                + ":"
                + port
                + ": the port is in use (is a broker already running there?); choose another port");
      }
      int controllerPort = freePort();
      Path readyFile = directory.resolve("broker.ready");
      Path logs = directory.resolve("logs");
      Process process;
      try {
        Files.createDirectories(logs);
        Files.createDirectories(directory.resolve("data"));
        Files.deleteIfExists(readyFile);
        Path serverProperties = directory.resolve("server.properties");
        writeProperties(serverProperties, serverProperties(clientPort, controllerPort));
        Path log4j = directory.resolve("log4j2.properties");
        writeProperties(log4j, log4jProperties(logs));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        command.addAll(jvmOptions);
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        // log4j's own shutdown hook would close the log while Kafka's is still shutting down
        command.add("-Dlog4j2.shutdownHookEnabled=false");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(classPath(brokerJars));
        command.add(MAIN);
        command.add(serverProperties.toString());
        command.add(readyFile.toString());
        process =
            new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("stdout.log").toFile())
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start Kafka in " + directory, e);
      }
      KafkaBroker broker = new KafkaBroker(directory, clientPort, process, version(brokerJars));
      broker.awaitReady(readyFile, startTimeout);
      return broker;
    }

    private Map<String, String> serverProperties(int clientPort, int controllerPort) {
      Map<String, String> properties = new LinkedHashMap<>();
      properties.put("process.roles", "broker,controller");
      properties.put("node.id", "1");
      properties.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
      properties.put(
          "listeners",
          "PLAINTEXT://"
              + HOST
              + ":"
              + clientPort
              + ",CONTROLLER://"
              + HOST
              + ":"
              + controllerPort);
      properties.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
      properties.put("controller.listener.names", "CONTROLLER");
      properties.put("inter.broker.listener.name", "PLAINTEXT");
      properties.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
      properties.put("log.dirs", directory.resolve("data").toString());
      // One node: every internal topic has one replica; small ones so the first consumer group
      // or producer id is served at once instead of after creating 50 partitions.
      properties.put("num.partitions", "1");
      properties.put("default.replication.factor", "1");
      properties.put("min.insync.replicas", "1");
      properties.put("offsets.topic.replication.factor", "1");
      properties.put("offsets.topic.num.partitions", "1");
      properties.put("transaction.state.log.replication.factor", "1");
      properties.put("transaction.state.log.min.isr", "1");
      properties.put("transaction.state.log.num.partitions", "1");
      properties.put("share.coordinator.state.topic.replication.factor", "1");
      properties.put("share.coordinator.state.topic.min.isr", "1");
      properties.put("group.initial.rebalance.delay.ms", "0");
      // The broker is served only after a heartbeat tells it that it caught up with the
      // metadata; every 500 ms instead of 2 s starts it sooner, at no cost on one node.
      properties.put("broker.heartbeat.interval.ms", "500");
      // A typo in a topic name must fail, not create a new empty topic.
      properties.put("auto.create.topics.enable", "false");
      // A laptop or a 2-core CI machine: few threads, a small cleaner buffer (default 128 MB).
      properties.put("num.network.threads", "2");
      properties.put("num.io.threads", "2");
      properties.put("num.recovery.threads.per.data.dir", "1");
      properties.put("background.threads", "2");
      properties.put("log.cleaner.threads", "1");
      properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
      properties.putAll(overrides);
      return properties;
    }

    private static Map<String, String> log4jProperties(Path logs) {
      Map<String, String> properties = new LinkedHashMap<>();
      properties.put("status", "warn");
      properties.put("appender.file.type", "RollingFile");
      properties.put("appender.file.name", "file");
      properties.put("appender.file.fileName", logs.resolve("broker.log").toString());
      properties.put("appender.file.filePattern", logs.resolve("broker.log.%i").toString());
      properties.put("appender.file.layout.type", "PatternLayout");
      properties.put("appender.file.layout.pattern", "[%d] %p %m (%c)%n");
      properties.put("appender.file.policies.type", "Policies");
      properties.put("appender.file.policies.size.type", "SizeBasedTriggeringPolicy");
      properties.put("appender.file.policies.size.size", "10MB");
      properties.put("appender.file.strategy.type", "DefaultRolloverStrategy");
      properties.put("appender.file.strategy.max", "5");
      properties.put("rootLogger.level", "info");
      properties.put("rootLogger.appenderRef.file.ref", "file");
      // Kafka's own defaults: per-request and state-change chatter stays out of the log.
      properties.put("logger.request.name", "kafka.request.logger");
      properties.put("logger.request.level", "warn");
      properties.put("logger.state.name", "state.change.logger");
      properties.put("logger.state.level", "warn");
      return properties;
    }
  }

  private void awaitReady(Path readyFile, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(readyFile)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "cannot start Kafka in "
                + directory
                + ": the broker exited with "
                + process.exitValue()
                + " before it was ready; its last lines:\n"
                + tail(directory));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        kill();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Kafka was starting", e);
      }
    }
    kill();
    throw new IllegalStateException(
        "cannot start Kafka in "
            + directory
            + ": the broker was not ready within "
            + timeout.toSeconds()
            + " s; its last lines:\n"
            + tail(directory));
  }

  private static List<Path> jars(Path library) {
    List<Path> jars = new ArrayList<>();
    if (Files.isDirectory(library)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(library, "*.jar")) {
        files.forEach(jars::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (jars.stream().noneMatch(jar -> jar.getFileName().toString().startsWith("kafka_"))) {
      throw new IllegalStateException(
          "cannot start Kafka: the broker jars are missing from "
              + library
              + "; rebuild Lagoa (./mvnw package -pl lagoa-cli -am, or ./lagoa rebuilds itself)");
    }
    jars.sort(null);
    return jars;
  }

  /** From the broker jar's name, kafka_2.13-4.4.0.jar. */
  private static String version(List<Path> brokerJars) {
    for (Path jar : brokerJars) {
      String name = jar.getFileName().toString();
      if (name.startsWith("kafka_") && name.endsWith(".jar") && name.indexOf('-') > 0) {
        return name.substring(name.indexOf('-') + 1, name.length() - ".jar".length());
      }
    }
    return "unknown";
  }

  private static String classPath(List<Path> brokerJars) {
    List<String> entries = new ArrayList<>();
    for (Path jar : brokerJars) {
      entries.add(jar.toString());
    }
    try {
      // BrokerMain itself: this module's jar or classes folder.
      entries.add(
          Path.of(KafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void writeProperties(Path file, Map<String, String> values) throws IOException {
    Properties properties = new Properties();
    properties.putAll(values);
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(writer, "written by Lagoa on every start; edits are overwritten");
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path directory) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("stdout.log", "broker.log")) {
      Path file = directory.resolve("logs").resolve(name);
      try {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> last = lines.subList(Math.max(0, lines.size() - 25), lines.size());
        if (!last.isEmpty()) {
          out.append("--- ").append(file).append('\n').append(String.join("\n", last)).append('\n');
        }
      } catch (IOException e) {
        // not written yet
      }
    }
    return out.length() == 0 ? "(the broker wrote no log)" : out.toString().stripTrailing();
  }
}

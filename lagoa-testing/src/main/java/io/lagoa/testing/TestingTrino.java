package io.lagoa.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Trino server (476, coordinator and worker in one) on 127.0.0.1 with only its Iceberg
 * connector, for tests that read and write Lagoa's tables from another engine.
 *
 * <p>Trino runs in a child JVM on Java 24+ ({@link #findJava24()}), from {@code lib/} and {@code
 * plugin/iceberg/} of the {@code io.trino:trino-server} tarball, unpacked once into {@code
 * ~/.cache/lagoa/trino-server-476} (see lagoa-testing/pom.xml for the Maven side). Its jars never
 * meet Lagoa's; statements go through Trino's HTTP client protocol. Everything the server writes
 * lives in a temporary folder removed on close; the child ends by itself if the test JVM dies.
 *
 * <p>Starting takes about 15 seconds on two cores: share one server per test JVM with {@link
 * #shared()} and give each test class its own catalog ({@link #createCatalog}), or start one with a
 * fixed catalog named {@value #CATALOG} ({@link #start(Map)}). A test on a machine without Java 24+
 * is skipped, with the reason.
 */
public final class TestingTrino implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestingTrino.class);

  /** The catalog {@link #start(Map)} configures. */
  public static final String CATALOG = "lagoa";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final String MAIN = "io.trino.server.TrinoServer";
  private static final Pattern CATALOG_NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /**
   * Trino's recommended JVM settings, sized for a 2-core machine shared with Spark, and tuned to
   * start fast (C1 only: test queries are small).
   */
  private static final List<String> JVM_CONFIG =
      List.of(
          "-Xmx1G",
          "-XX:TieredStopAtLevel=1",
          "-XX:ReservedCodeCacheSize=256M",
          "-XX:+ExitOnOutOfMemoryError",
          "-XX:-OmitStackTraceInFastThrow",
          "-XX:+EnableDynamicAgentLoading",
          "--enable-native-access=ALL-UNNAMED",
          "-Djdk.attach.allowAttachSelf=true",
          "-Djdk.nio.maxCachedBufferSize=2000000",
          "-Dfile.encoding=UTF-8");

  private static TestingTrino shared;

  private final Path root;
  private final Process process;
  private final int port;
  private final String version;
  private final TrinoClient client;
  private final boolean isShared;
  private boolean closed;

  /** A column of a result: its name, its Trino type (e.g. {@code varchar(3)}) and base type. */
  public record Column(String name, String type, String rawType) {}

  /**
   * What a statement returned: its columns and rows (values as {@link #query} describes), and for a
   * statement that changed something, Trino's update type ({@code INSERT}, {@code CREATE TABLE})
   * and, when Trino counts them, the rows it changed.
   */
  public record QueryResult(
      List<Column> columns, List<List<Object>> rows, String updateType, Long updateCount) {
    /** The one value of a one-row, one-column result. */
    public Object onlyValue() {
      if (rows.size() != 1 || rows.get(0).size() != 1) {
        throw new IllegalStateException(
            "expected one row of one value, got " + rows.size() + " rows: " + rows);
      }
      return rows.get(0).get(0);
    }
  }

  private TestingTrino(Path root, Process process, int port, String version, boolean isShared) {
    this.root = root;
    this.process = process;
    this.port = port;
    this.version = version;
    this.isShared = isShared;
    this.client = new TrinoClient(URI.create(uri()), "lagoa");
  }

  /**
   * A Java 24 or later to run Trino, as its {@code bin/java}: the JDK named by {@code
   * -Dlagoa.trino.java} or {@code LAGOA_TRINO_JAVA} (its folder or its java), else this JVM, else
   * {@code JAVA_HOME}, else the newest in {@code /usr/lib/jvm} and the other usual folders.
   *
   * @throws IllegalStateException when the one named is missing or older than 24
   */
  public static Optional<Path> findJava24() {
    return TrinoDistribution.findJava24();
  }

  /**
   * Starts a server with no catalog of its own; add some with {@link #createCatalog}. Skips the
   * calling test (a JUnit assumption) when the machine has no Java 24+.
   */
  public static TestingTrino start() {
    return start(null, false);
  }

  /**
   * Starts a server with one Iceberg catalog, {@value #CATALOG}, configured by these properties
   * ({@code connector.name=iceberg} is added), e.g. {@code iceberg.catalog.type=rest} and {@code
   * iceberg.rest-catalog.uri}. Trino fails to start on a property it does not know. Skips the
   * calling test (a JUnit assumption) when the machine has no Java 24+.
   */
  public static TestingTrino start(Map<String, String> icebergCatalogProperties) {
    return start(Map.copyOf(icebergCatalogProperties), false);
  }

  /**
   * One server for the whole test JVM, started on first use and stopped when the JVM exits; its
   * {@link #close()} does nothing. It has no catalog of its own: each test class creates its own
   * with {@link #createCatalog} (and drops it when done), pointed at its own Lagoa server.
   */
  public static synchronized TestingTrino shared() {
    if (shared == null || !shared.process.isAlive()) {
      TestingTrino server = start(null, true);
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "testing-trino-shutdown"));
      shared = server;
    }
    return shared;
  }

  private static TestingTrino start(Map<String, String> catalog, boolean isShared) {
    Optional<Path> java = findJava24();
    Assumptions.assumeTrue(
        java.isPresent(),
        "Trino needs Java "
            + TrinoDistribution.MINIMUM_JAVA
            + "+ and none was found (this JVM, JAVA_HOME, /usr/lib/jvm, ...);"
            + " install one or set LAGOA_TRINO_JAVA to its folder");
    TrinoDistribution.Installation installation = TrinoDistribution.install();
    IllegalStateException failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path root;
      try {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        root = Files.createTempDirectory(base, "lagoa-trino-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        return launch(java.get(), installation, root, freePort(), catalog, isShared);
      } catch (PortTakenException e) {
        // another process took the free port first; try another
        failure = e;
        TestingWarehouse.deleteRecursively(root);
      }
    }
    throw failure;
  }

  private static TestingTrino launch(
      Path java,
      TrinoDistribution.Installation installation,
      Path root,
      int port,
      Map<String, String> catalog,
      boolean isShared) {
    Path etc = root.resolve("etc");
    Path data = root.resolve("data");
    Path log = root.resolve("server.log");
    String uri = "http://127.0.0.1:" + port;

    Map<String, String> node = new LinkedHashMap<>();
    node.put("node.environment", "lagoa_test");
    node.put("node.id", UUID.randomUUID().toString());
    node.put("node.data-dir", data.toString());
    node.put("node.internal-address", "127.0.0.1");
    node.put("node.bind-ip", "127.0.0.1");

    Map<String, String> config = new LinkedHashMap<>();
    config.put("coordinator", "true");
    config.put("node-scheduler.include-coordinator", "true");
    config.put("http-server.http.port", String.valueOf(port));
    config.put("discovery.uri", uri);
    // Only the Iceberg plugin: loading every plugin of the tarball takes far longer.
    config.put("plugin.dir", installation.plugins().toString());
    // CREATE CATALOG / DROP CATALOG, so one server can serve several test classes. The catalog
    // store is Trino's file store, which reads and writes etc/catalog of the working folder (it
    // does not take catalog.config-dir from config.properties).
    config.put("catalog.management", "dynamic");
    config.put("http-server.log.enabled", "false");
    config.put("query.max-memory", "512MB");
    config.put("query.max-memory-per-node", "256MB");
    config.put("shutdown.grace-period", "1s");

    Process process;
    try {
      Files.createDirectories(etc.resolve("catalog"));
      Files.createDirectories(data);
      writeProperties(etc.resolve("node.properties"), node);
      writeProperties(etc.resolve("config.properties"), config);
      Files.write(etc.resolve("jvm.config"), JVM_CONFIG, StandardCharsets.UTF_8);
      if (catalog != null) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("connector.name", "iceberg");
        properties.putAll(catalog);
        writeProperties(etc.resolve("catalog").resolve(CATALOG + ".properties"), properties);
      }
      // What Trino's launcher runs (bin/launcher run -v): java -cp lib/* <jvm.config>
      // -D<node.properties> -Dconfig=etc/config.properties TrinoServer, from a folder holding etc/.
      List<String> command = new ArrayList<>();
      command.add(java.toString());
      command.add("-cp");
      command.add(installation.lib().resolve("*") + File.pathSeparator + ownClassPath());
      command.addAll(Files.readAllLines(etc.resolve("jvm.config"), StandardCharsets.UTF_8));
      node.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.add("-Dconfig=" + etc.resolve("config.properties"));
      command.add(ChildProcessMain.class.getName());
      command.add(MAIN);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      process = builder.start();
    } catch (IOException e) {
      TestingWarehouse.deleteRecursively(root);
      throw new UncheckedIOException("cannot start Trino in " + root, e);
    }
    TestingTrino server = new TestingTrino(root, process, port, installation.version(), isShared);
    long started = System.nanoTime();
    server.awaitReady();
    LOG.info(
        "Trino {} started on {} in {} ms",
        installation.version(),
        uri,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return server;
  }

  /** Waits until {@code /v1/info} says the server is no longer starting. */
  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest info =
        HttpRequest.newBuilder(URI.create(uri() + "/v1/info"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String tail = logTail();
        stop();
        String message =
            "cannot start Trino "
                + version
                + ": it exited with "
                + process.exitValue()
                + " before it served; its last lines:\n"
                + tail;
        if (tail.contains("Address already in use")) {
          throw new PortTakenException(message);
        }
        throw new IllegalStateException(message);
      }
      try {
        HttpResponse<String> response = http.send(info, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200
            && response.body().replace(" ", "").contains("\"starting\":false")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Trino was starting", e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Trino was starting", e);
      }
    }
    String tail = logTail();
    stop();
    throw new IllegalStateException(
        "cannot start Trino "
            + version
            + ": it did not serve on "
            + uri()
            + " within "
            + START_TIMEOUT.toSeconds()
            + " s; its last lines:\n"
            + tail);
  }

  /**
   * Runs a query and returns its rows. Values: tinyint to bigint as Byte, Short, Integer, Long;
   * real and double as Float and Double; decimal as BigDecimal; boolean as Boolean; null as null;
   * anything else as Trino's client protocol sends it (varchar, date, time, timestamp, uuid as
   * text; arrays and rows as lists; maps as maps).
   *
   * @throws TrinoQueryException with Trino's message, error name and type when it fails
   */
  public List<List<Object>> query(String sql) {
    return execute(sql).rows();
  }

  /**
   * Runs any statement (DDL, INSERT, a query) and returns all it returned.
   *
   * @throws TrinoQueryException with Trino's message, error name and type when it fails
   */
  public QueryResult execute(String sql) {
    if (closed) {
      throw new IllegalStateException("cannot run a statement: this Trino is closed");
    }
    return client.execute(sql);
  }

  /**
   * Adds an Iceberg catalog to the running server ({@code CREATE CATALOG ... USING iceberg}); the
   * properties are those of a catalog file, without {@code connector.name}.
   */
  public void createCatalog(String name, Map<String, String> icebergProperties) {
    if (!CATALOG_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "cannot create catalog " + name + ": use lower case letters, digits and _");
    }
    StringBuilder sql = new StringBuilder("CREATE CATALOG ").append(name).append(" USING iceberg");
    if (!icebergProperties.isEmpty()) {
      List<String> properties = new ArrayList<>();
      icebergProperties.forEach(
          (key, value) ->
              properties.add(
                  "\"" + key.replace("\"", "\"\"") + "\" = '" + value.replace("'", "''") + "'"));
      sql.append(" WITH (").append(String.join(", ", properties)).append(")");
    }
    execute(sql.toString());
  }

  public void dropCatalog(String name) {
    execute("DROP CATALOG " + name);
  }

  /** {@code http://127.0.0.1:<port>}, the server's client protocol and web UI. */
  public String uri() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The Trino version, e.g. {@code 476}. */
  public String version() {
    return version;
  }

  /** The process id of Trino's JVM. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The folder with the server's configuration ({@code etc/}), data and log. */
  public Path directory() {
    return root;
  }

  /** The last 40 lines of the server's log (its standard output), for error messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(root.resolve("server.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the server and removes its folder; does nothing on {@link #shared()}'s server. */
  @Override
  public void close() {
    if (!isShared) {
      stop();
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      process.getOutputStream().close(); // ChildProcessMain halts the server's JVM
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    TestingWarehouse.deleteRecursively(root);
  }

  private static void writeProperties(Path file, Map<String, String> properties)
      throws IOException {
    List<String> lines = new ArrayList<>();
    properties.forEach((key, value) -> lines.add(escape(key, true) + "=" + escape(value, false)));
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /**
   * As java.util.Properties (which Trino reads them with) needs: backslashes, and in keys = and :.
   */
  private static String escape(String text, boolean key) {
    String escaped = text.replace("\\", "\\\\");
    return key ? escaped.replace("=", "\\=").replace(":", "\\:") : escaped;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where ChildProcessMain was loaded from (target/classes or the lagoa-testing jar). */
  private static String ownClassPath() {
    try {
      return Path.of(
              ChildProcessMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server could not bind its port: another process took it after {@link #freePort()}. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }
}

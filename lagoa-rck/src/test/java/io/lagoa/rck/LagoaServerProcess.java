package io.lagoa.rck;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lagoa server} in a child JVM on lagoa-server's own class path (iceberg-spark-runtime's
 * shaded Iceberg), never this JVM's (the kit's unshaded Iceberg 1.11). The child gets its
 * configuration from the environment like {@code lagoa server} does: a fresh SQLite warehouse, host
 * 127.0.0.1 and a free port; it is ready when {@code /readyz} answers 200. Its standard input is a
 * pipe from this JVM, which the child watches, so it never outlives the test JVM; {@link #close()}
 * stops it with SIGTERM.
 *
 * <p>Settings (system properties of the test JVM; the module's pom sets the first three):
 *
 * <ul>
 *   <li>{@value #CLASSPATH_FILE}: the file lagoa-server's build writes its class path to
 *   <li>{@value #CLASSES}: lagoa-server's own class folders, put before that class path
 *   <li>{@value #DIRECTORY}: the folder for the server's warehouse and log
 *   <li>{@value #MAIN}: the child's main class, {@value #DEFAULT_MAIN} unless set (the production
 *       main takes the same environment)
 *   <li>{@value #TOKEN}: a bearer token the kit's client sends, for a server that checks tokens
 * </ul>
 */
final class LagoaServerProcess implements AutoCloseable {
  static final String CLASSPATH_FILE = "rck.server.classpath-file";
  static final String CLASSES = "rck.server.classes";
  static final String DIRECTORY = "rck.server.directory";
  static final String MAIN = "rck.server.main";
  static final String TOKEN = "rck.server.token";

  /** Where the server writes the client id and secret of the principal the kit acts as. */
  static final String CREDENTIAL_FILE = "rck.credential";

  static final String DEFAULT_MAIN = "io.lagoa.server.RckServerMain";

  private static final Logger LOG = LoggerFactory.getLogger(LagoaServerProcess.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final int START_ATTEMPTS = 3;

  private final Process process;
  private final URI uri;
  private final Path directory;

  private LagoaServerProcess(Process process, URI uri, Path directory) {
    this.process = process;
    this.uri = uri;
    this.directory = directory;
  }

  /**
   * Starts the server and returns once it is ready. A child that exits before (its port was taken
   * meanwhile) is started again on another port, up to {@value #START_ATTEMPTS} times.
   */
  static LagoaServerProcess start() {
    Path directory = Path.of(required(DIRECTORY)).toAbsolutePath();
    String classPath = classPath();
    String main = System.getProperty(MAIN, DEFAULT_MAIN);
    IllegalStateException failure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      deleteRecursively(directory);
      try {
        Files.createDirectories(directory.resolve("tmp"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int port = freePort();
      Process process = launch(directory, classPath, main, port);
      URI uri = URI.create("http://" + HOST + ":" + port);
      LagoaServerProcess server = new LagoaServerProcess(process, uri, directory);
      try {
        server.awaitReady();
        return server;
      } catch (IllegalStateException e) {
        server.close();
        failure = e;
        if (!e.getMessage().contains("exited")) {
          break;
        }
      }
    }
    throw failure;
  }

  URI uri() {
    return uri;
  }

  /**
   * The catalog properties the kit's client needs beyond the URI: the client credentials the server
   * wrote to {@value #CREDENTIAL_FILE} (the kit's client then goes through the token endpoint like
   * any client), or a token given with {@value #TOKEN}.
   */
  Map<String, String> clientProperties() {
    String token = System.getProperty(TOKEN);
    if (token != null && !token.isBlank()) {
      return Map.of("token", token);
    }
    Path credential = directory.resolve(CREDENTIAL_FILE);
    if (!Files.exists(credential)) {
      return Map.of();
    }
    try {
      return Map.of(
          "credential",
          Files.readString(credential).strip(),
          "oauth2-server-uri",
          uri.resolve("/v1/oauth/tokens").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Process launch(Path directory, String classPath, String main, int port) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // A short-lived server on a small machine: C1 only and one GC thread leave more of the two
    // cores to the requests (the kit's JVM runs with the same flags).
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.io.tmpdir=" + directory.resolve("tmp"));
    command.add("-cp");
    command.add(classPath);
    command.add(main);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("server.log").toFile());
    Map<String, String> env = builder.environment();
    // Only what is set here: a developer's own LAGOA_* settings must not leak into the server.
    env.keySet().removeIf(name -> name.startsWith("LAGOA_"));
    env.put("LAGOA_WAREHOUSE", directory.resolve("warehouse").toString());
    env.put("LAGOA_SERVER_HOST", HOST);
    env.put("LAGOA_SERVER_PORT", String.valueOf(port));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + main + " in " + directory, e);
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(uri.resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Cannot start lagoa server: it exited with "
                + process.exitValue()
                + " before it was ready; its log:\n"
                + logTail());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while lagoa server was starting", e);
      }
      sleep(Duration.ofMillis(100));
    }
    throw new IllegalStateException(
        "Cannot start lagoa server: not ready on "
            + uri
            + " within "
            + START_TIMEOUT.toSeconds()
            + " s; its log:\n"
            + logTail());
  }

  /** The last lines the server wrote, for failure messages. */
  String logTail() {
    try {
      List<String> lines =
          Files.readAllLines(directory.resolve("server.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the server with SIGTERM (a clean, draining shutdown), killing it after 30 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    LOG.info(
        "Stopping lagoa server on {}; its JVM used {} ms of CPU, the kit's {} ms",
        uri,
        process.info().totalCpuDuration().map(Duration::toMillis).orElse(-1L),
        ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L));
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String classPath() {
    Path file = Path.of(required(CLASSPATH_FILE));
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "Cannot start lagoa server: "
              + file
              + " is missing; build lagoa-server first (./mvnw verify -pl lagoa-rck -am)");
    }
    try {
      String dependencies = Files.readString(file, StandardCharsets.UTF_8).strip();
      return required(CLASSES) + File.pathSeparator + dependencies;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "Cannot start lagoa server: the system property " + property + " is not set");
    }
    return value;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while lagoa server was starting", e);
    }
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

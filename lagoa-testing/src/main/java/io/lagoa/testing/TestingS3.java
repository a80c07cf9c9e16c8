package io.lagoa.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 API server on 127.0.0.1, with one private bucket, removed on close.
 *
 * <p>The server is S3Proxy (jclouds) storing objects as files in a temporary folder, so tests can
 * both talk S3 to it and see exactly what it stored. It runs in a child JVM because it brings its
 * own AWS SDK, Jetty, Guava and logback, which must not meet Spark's and Iceberg's on the test
 * class path; the child ends by itself if the test JVM dies. Requests must be signed (SigV2 or
 * SigV4) with {@link #accessKeyId()} and {@link #secretAccessKey()}.
 */
public final class TestingS3 implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final String ACCESS_KEY_ID = "lagoa-access-key";
  private static final String SECRET_ACCESS_KEY = "lagoa-secret-key";

  private final Path root;
  private final String bucket;
  private final Process process;
  private final int port;

  private TestingS3(Path root, String bucket, Process process, int port) {
    this.root = root;
    this.bucket = bucket;
    this.process = process;
    this.port = port;
  }

  /** Starts a server with the bucket {@code lagoa}. */
  public static TestingS3 start() {
    return start("lagoa");
  }

  /** Starts a server with one empty bucket of this name. */
  public static TestingS3 start(String bucket) {
    Path root;
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(base);
      root = Files.createTempDirectory(base, "lagoa-s3-");
      Path bucketFolder = root.resolve("data").resolve(bucket);
      try {
        // Owner-only: S3Proxy serves a world-readable folder as a public bucket.
        Files.createDirectories(
            bucketFolder,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(bucketFolder); // not a POSIX file system
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IllegalStateException failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return launch(root, bucket, freePort());
      } catch (IllegalStateException e) {
        // most likely another process took the free port first; try another
        failure = e;
      }
    }
    TestingWarehouse.deleteRecursively(root);
    throw failure;
  }

  private static TestingS3 launch(Path root, String bucket, int port) {
    Path conf = root.resolve("s3proxy.conf");
    Path log = root.resolve("s3proxy.log");
    String endpoint = "http://127.0.0.1:" + port;
    Properties properties = new Properties();
    properties.setProperty("s3proxy.endpoint", endpoint);
    properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    properties.setProperty("s3proxy.identity", ACCESS_KEY_ID);
    properties.setProperty("s3proxy.credential", SECRET_ACCESS_KEY);
    properties.setProperty("jclouds.provider", "filesystem-nio2");
    properties.setProperty("jclouds.filesystem.basedir", root.resolve("data").toString());
    Process process;
    try (Writer writer = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
      properties.store(writer, "TestingS3");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
      command.add("-cp");
      command.add(serverJar() + File.pathSeparator + ownClassPath());
      command.add(ChildProcessMain.class.getName());
      command.addAll(List.of("org.gaul.s3proxy.Main", "--properties", conf.toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder.environment().put("LOG_LEVEL", "info");
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy", e);
    }
    TestingS3 server = new TestingS3(root, bucket, process, port);
    server.awaitReady(log);
    return server;
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "S3Proxy exited with " + process.exitValue() + " before it answered:\n" + tail(log));
      }
      if (answers()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopProcess();
    throw new IllegalStateException(
        "S3Proxy did not answer on " + endpoint() + " within " + START_TIMEOUT + ":\n" + tail(log));
  }

  /** Any HTTP answer (an unsigned request gets 403) means the server is up. */
  private boolean answers() {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) new URI(endpoint() + "/").toURL().openConnection();
      connection.setConnectTimeout(1000);
      connection.setReadTimeout(5000);
      try {
        return connection.getResponseCode() > 0;
      } finally {
        connection.disconnect();
      }
    } catch (IOException | URISyntaxException e) {
      return false;
    }
  }

  /** http://127.0.0.1:port */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public String bucket() {
    return bucket;
  }

  public String accessKeyId() {
    return ACCESS_KEY_ID;
  }

  public String secretAccessKey() {
    return SECRET_ACCESS_KEY;
  }

  /** {@code s3://<bucket>/<path>} */
  public String location(String path) {
    return "s3://" + bucket + "/" + path;
  }

  /**
   * The environment that points Lagoa at this server: the warehouse {@code s3://<bucket>/<prefix>}
   * and the storage.s3 endpoint and keys. Add a catalog.uri: the default SQLite catalog needs a
   * local file.
   */
  public Map<String, String> environment(String warehousePrefix) {
    return Map.of(
        "LAGOA_WAREHOUSE",
        location(warehousePrefix),
        "LAGOA_STORAGE_S3_ENDPOINT",
        endpoint(),
        "LAGOA_STORAGE_S3_ACCESS_KEY_ID",
        ACCESS_KEY_ID,
        "LAGOA_STORAGE_S3_SECRET_ACCESS_KEY",
        SECRET_ACCESS_KEY);
  }

  /**
   * The keys of the objects the server holds in the bucket under this prefix, sorted, read from its
   * storage folder rather than through the S3 API.
   */
  public List<String> objectKeys(String prefix) {
    Path bucketFolder = root.resolve("data").resolve(bucket);
    try (Stream<Path> files = Files.walk(bucketFolder)) {
      return files
          .filter(Files::isRegularFile)
          .map(file -> bucketFolder.relativize(file).toString().replace('\\', '/'))
          .filter(key -> key.startsWith(prefix))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stopProcess();
    TestingWarehouse.deleteRecursively(root);
  }

  private void stopProcess() {
    try {
      process.getOutputStream().close(); // the child's watchdog ends it
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server jar the build copied next to this module's classes (see lagoa-testing/pom.xml). */
  private static Path serverJar() {
    Properties build = new Properties();
    try (InputStream in = TestingS3.class.getResourceAsStream("s3proxy.properties")) {
      if (in == null) {
        throw new IllegalStateException("s3proxy.properties is missing from lagoa-testing");
      }
      build.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path jar = Path.of(build.getProperty("jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "the S3Proxy server jar "
              + jar
              + " is missing; build lagoa-testing without"
              + " -Dmaven.test.skip=true (./mvnw test -pl <module> -am copies it)");
    }
    return jar;
  }

  /** Where this class was loaded from (target/classes or the lagoa-testing jar). */
  private static String ownClassPath() {
    try {
      return Path.of(TestingS3.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}

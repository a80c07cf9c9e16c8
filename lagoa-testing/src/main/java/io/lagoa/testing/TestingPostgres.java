package io.lagoa.testing;

import io.lagoa.postgres.PostgresServer;
import io.lagoa.postgres.ServerUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests ({@link PostgresServer}: zonky's embedded binaries, 127.0.0.1,
 * password authentication for {@link #user()}) on a free port, in a throw-away cluster. Start one
 * per test class; {@link #close()} stops it and deletes its files.
 *
 * <p>When this JVM is root the server runs as {@code nobody} via setpriv, with a parent-death
 * signal, so a test JVM that is killed outright takes its server down with it (see {@link
 * ServerUser}); a JVM that exits normally stops it from a shutdown hook; and a later start removes
 * whatever a dead JVM still left behind.
 */
public final class TestingPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestingPostgres.class);
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String INSTANCE_PREFIX = "instance-";
  private static final String OWNER_FILE = "owner";

  private final PostgresServer server;
  private final Path instance;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TestingPostgres(PostgresServer server, Path instance) {
    this.server = server;
    this.instance = instance;
    this.shutdownHook = new Thread(this::stop, "lagoa-postgres-" + server.port() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Creates a fresh cluster and starts the server; returns once it accepts connections. */
  public static TestingPostgres start() {
    return start(Map.of());
  }

  /**
   * As {@link #start()}, with logical decoding on ({@code wal_level=logical}, replication slots and
   * WAL senders): for change data capture with Debezium's pgoutput.
   */
  public static TestingPostgres startWithLogicalDecoding() {
    return start(
        Map.of("wal_level", "logical", "max_replication_slots", "10", "max_wal_senders", "10"));
  }

  /**
   * As {@link #start()}, with more server settings ({@code -c name=value}).
   *
   * @param settings e.g. {@code wal_level -> logical}
   */
  public static TestingPostgres start(Map<String, String> settings) {
    long started = System.nanoTime();
    ServerUser serverUser = ServerUser.detect();
    Path root = PostgresServer.defaultRoot(serverUser);
    removeLeftovers(root);
    Path instance = createInstance(root, serverUser);
    try {
      byte[] random = new byte[12];
      new SecureRandom().nextBytes(random);
      PostgresServer server =
          PostgresServer.builder(instance)
              .serverUser(serverUser)
              .binariesRoot(root)
              .password("pw-" + HexFormat.of().formatHex(random))
              .durable(false)
              .settings(settings)
              .start();
      LOG.info(
          "PostgreSQL ready on {}:{} (as {}) in {} ms",
          server.host(),
          server.port(),
          serverUser.describe(),
          (System.nanoTime() - started) / 1_000_000);
      return new TestingPostgres(server, instance);
    } catch (RuntimeException e) {
      TestingWarehouse.deleteRecursively(instance);
      throw e;
    }
  }

  public String host() {
    return server.host();
  }

  public int port() {
    return server.port();
  }

  /** The superuser, who logs in with {@link #password()} over TCP. */
  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  public String jdbcUrl(String database) {
    return server.jdbcUrl(database);
  }

  /** Creates an empty database; the name must be a plain lower-case identifier. */
  public void createDatabase(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("cannot create database '" + name + "': use [a-z0-9_]");
    }
    try (Connection connection = connect("postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
    }
  }

  /** A connection as {@link #user()}; close it. */
  public Connection connect(String database) throws SQLException {
    return server.connect(database);
  }

  /** The LAGOA_* variables that point Lagoa's catalog at a database of this server. */
  public Map<String, String> catalogEnvironment(String database) {
    return Map.of(
        "LAGOA_CATALOG_TYPE",
        "postgres",
        "LAGOA_CATALOG_URI",
        jdbcUrl(database),
        "LAGOA_CATALOG_USER",
        user(),
        "LAGOA_CATALOG_PASSWORD",
        password());
  }

  /** Whether the server process still runs. */
  public boolean isRunning() {
    return server.isAlive();
  }

  /** The server's process id (for tests of its own life cycle). */
  public long pid() {
    return server.pid();
  }

  /** Where the cluster's files live; deleted on close. */
  public Path directory() {
    return instance;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and the hook runs stop() itself
    }
    stop();
  }

  private void stop() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.stop();
    TestingWarehouse.deleteRecursively(instance);
  }

  // ---- folders ----

  private static Path createInstance(Path root, ServerUser user) {
    try {
      Path instance = Files.createTempDirectory(root, INSTANCE_PREFIX);
      Files.setPosixFilePermissions(instance, PosixFilePermissions.fromString("rwx------"));
      user.own(instance);
      ProcessHandle self = ProcessHandle.current();
      Files.writeString(
          instance.resolve(OWNER_FILE),
          self.pid() + " " + self.info().startInstant().map(Instant::toString).orElse("-"));
      return instance;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a PostgreSQL folder under " + root, e);
    }
  }

  /** Stops servers and deletes clusters whose JVM died without closing them. */
  private static void removeLeftovers(Path root) {
    try (DirectoryStream<Path> instances = Files.newDirectoryStream(root, INSTANCE_PREFIX + "*")) {
      for (Path instance : instances) {
        if (!ownerAlive(instance)) {
          LOG.info("removing PostgreSQL folder {} left by a JVM that is gone", instance);
          postmasterPid(instance)
              .flatMap(ProcessHandle::of)
              .ifPresent(
                  server -> {
                    // SIGTERM: its clients died with their JVM, so a smart shutdown ends at once.
                    server.destroy();
                    server.onExit().completeOnTimeout(server, 10, TimeUnit.SECONDS).join();
                    if (server.isAlive()) {
                      server.destroyForcibly();
                    }
                  });
          TestingWarehouse.deleteRecursively(instance);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot clean up old PostgreSQL folders in {}: {}", root, e.getMessage());
    }
  }

  private static boolean ownerAlive(Path instance) {
    try {
      String[] owner = Files.readString(instance.resolve(OWNER_FILE)).strip().split(" ");
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(owner[0]));
      return process.isPresent()
          && process
              .get()
              .info()
              .startInstant()
              .map(Instant::toString)
              .orElse("-")
              .equals(owner[1]);
    } catch (IOException | RuntimeException e) {
      // No owner file yet: a JVM is creating it right now, or it is not ours to judge. Keep it
      // unless it is old.
      try {
        return Files.getLastModifiedTime(instance)
            .toInstant()
            .isAfter(Instant.now().minus(Duration.ofHours(1)));
      } catch (IOException ignored) {
        return true;
      }
    }
  }

  private static Optional<Long> postmasterPid(Path instance) {
    try {
      List<String> lines = Files.readAllLines(instance.resolve("data/postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}

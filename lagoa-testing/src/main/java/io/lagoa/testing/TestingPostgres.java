package io.lagoa.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests, started from zonky's embedded binaries and listening on
 * 127.0.0.1 on a free port, with password authentication for {@link #user()}. Start one per test
 * class; {@link #close()} stops it and deletes its files.
 *
 * <p>PostgreSQL refuses to run as root, and tests and CI do run as root, so when this JVM is root
 * initdb and postgres run as the unprivileged {@code nobody} user through {@code setpriv}. The
 * server also gets a parent-death signal, so a test JVM that is killed outright takes its server
 * down with it; a JVM that exits normally stops it from a shutdown hook; and a later start removes
 * whatever a dead JVM still left behind.
 */
public final class TestingPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestingPostgres.class);
  private static final String HOST = "127.0.0.1";
  private static final String USER = "lagoa";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String INSTANCE_PREFIX = "instance-";
  private static final String OWNER_FILE = "owner";

  private final Path binaries;
  private final Path instance;
  private final ServerUser serverUser;
  private final String password;
  private final int port;
  private final Process process;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TestingPostgres(
      Path binaries,
      Path instance,
      ServerUser serverUser,
      String password,
      int port,
      Process process) {
    this.binaries = binaries;
    this.instance = instance;
    this.serverUser = serverUser;
    this.password = password;
    this.port = port;
    this.process = process;
    this.shutdownHook = new Thread(this::stop, "lagoa-postgres-" + port + "-shutdown");
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
    Path root = serverRoot(serverUser);
    removeLeftovers(root);
    Path binaries = PostgresBinaries.install(root);
    Path instance = createInstance(root, serverUser);
    try {
      byte[] random = new byte[12];
      new SecureRandom().nextBytes(random);
      String password = "pw-" + HexFormat.of().formatHex(random);
      initdb(binaries, instance, serverUser, password);
      StartupFailure last = null;
      // The free port is found before postgres binds it, so another process may take it first.
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = freePort();
        try {
          Process process = launch(binaries, instance, serverUser, port, settings);
          TestingPostgres postgres =
              new TestingPostgres(binaries, instance, serverUser, password, port, process);
          postgres.awaitReady(process);
          LOG.info(
              "PostgreSQL ready on {}:{} (as {}) in {} ms",
              HOST,
              port,
              serverUser.describe(),
              (System.nanoTime() - started) / 1_000_000);
          return postgres;
        } catch (StartupFailure e) {
          last = e;
          if (!e.portTaken) {
            break;
          }
        }
      }
      throw new IllegalStateException(last.getMessage(), last);
    } catch (RuntimeException e) {
      TestingWarehouse.deleteRecursively(instance);
      throw e;
    }
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** The superuser, who logs in with {@link #password()} over TCP. */
  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
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
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  /** The LAGOA_* variables that point Lagoa's catalog at a database of this server. */
  public Map<String, String> catalogEnvironment(String database) {
    return Map.of(
        "LAGOA_CATALOG_TYPE",
        "postgres",
        "LAGOA_CATALOG_URI",
        jdbcUrl(database),
        "LAGOA_CATALOG_USER",
        USER,
        "LAGOA_CATALOG_PASSWORD",
        password);
  }

  /** Whether the server process still runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** The server's process id (for tests of its own life cycle). */
  public long pid() {
    return process.pid();
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
    if (process.isAlive()) {
      // Fast shutdown: disconnects clients (a test may leave a pool open) and stops cleanly.
      try {
        run(
            binaries,
            serverUser,
            instance,
            List.of(
                bin("pg_ctl"), "stop", "-D", data().toString(), "-m", "fast", "-w", "-t", "20"));
      } catch (RuntimeException e) {
        LOG.warn("pg_ctl stop failed, killing PostgreSQL {}: {}", process.pid(), e.getMessage());
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    TestingWarehouse.deleteRecursively(instance);
  }

  private Path data() {
    return instance.resolve("data");
  }

  private String bin(String program) {
    return binaries.resolve("bin").resolve(program).toString();
  }

  private void awaitReady(Process process) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    SQLException lastError = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        closed.set(true);
        removeShutdownHookQuietly();
        String log = logTail(instance);
        throw new StartupFailure(
            "PostgreSQL exited with code " + process.exitValue() + " on port " + port + ":\n" + log,
            log.contains("could not bind") || log.contains("Address already in use"));
      }
      try (Connection connection = connect("postgres")) {
        if (connection.isValid(5)) {
          return;
        }
      } catch (SQLException e) {
        lastError = e;
      }
      sleep(50);
    }
    stop();
    removeShutdownHookQuietly();
    throw new StartupFailure(
        "PostgreSQL did not accept connections on port "
            + port
            + " within "
            + STARTUP_TIMEOUT
            + " (last error: "
            + (lastError == null ? "none" : lastError.getMessage())
            + "):\n"
            + logTail(instance),
        false);
  }

  private void removeShutdownHookQuietly() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // shutting down already
    }
  }

  // ---- starting ----

  private static void initdb(Path binaries, Path instance, ServerUser user, String password) {
    Path passwordFile = instance.resolve("password");
    try {
      Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
      user.own(passwordFile);
      run(
          binaries,
          user,
          instance,
          List.of(
              binaries.resolve("bin/initdb").toString(),
              "-D",
              instance.resolve("data").toString(),
              "-U",
              USER,
              "--pwfile=" + passwordFile,
              "--auth-local=trust",
              "--auth-host=scram-sha-256",
              "-E",
              "UTF8",
              "--no-locale",
              "--no-sync"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + passwordFile, e);
    } finally {
      try {
        Files.deleteIfExists(passwordFile);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", passwordFile, e.getMessage());
      }
    }
  }

  /**
   * Starts postgres from a thread that lives exactly as long as the server: the parent-death signal
   * fires when the thread that started a process ends, not only when the JVM does.
   */
  private static Process launch(
      Path binaries, Path instance, ServerUser user, int port, Map<String, String> settings) {
    List<String> command = new ArrayList<>(user.prefix());
    command.addAll(
        List.of(
            binaries.resolve("bin/postgres").toString(),
            "-D",
            instance.resolve("data").toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=" + HOST,
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "timezone=UTC"));
    new java.util.TreeMap<>(settings)
        .forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
    ProcessBuilder builder = processBuilder(command, instance);
    CompletableFuture<Process> started = new CompletableFuture<>();
    Thread owner =
        new Thread(
            () -> {
              Process process;
              try {
                process = builder.start();
              } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
              }
              started.complete(process);
              try {
                process.waitFor();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "lagoa-postgres-" + port);
    owner.setDaemon(true);
    owner.start();
    try {
      return started.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting PostgreSQL", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot start PostgreSQL: " + e.getCause().getMessage(), e);
    }
  }

  /** Runs a short PostgreSQL program (initdb, pg_ctl) as the server user and waits for it. */
  private static void run(Path binaries, ServerUser user, Path instance, List<String> program) {
    List<String> command = new ArrayList<>(user.prefix());
    command.addAll(program);
    try {
      Process process = processBuilder(command, instance).start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(program.get(0) + " did not finish within 2 minutes");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            Path.of(program.get(0)).getFileName()
                + " failed with exit code "
                + process.exitValue()
                + ":\n"
                + logTail(instance));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + program.get(0), e);
    }
  }

  private static ProcessBuilder processBuilder(List<String> command, Path instance) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(instance.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("LC_"));
    env.put("LANG", "C");
    env.put("LC_ALL", "C");
    builder.redirectErrorStream(true);
    builder.redirectOutput(
        ProcessBuilder.Redirect.appendTo(instance.resolve("postgres.log").toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder;
  }

  private static String logTail(Path instance) {
    Path log = instance.resolve("postgres.log");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
    }
  }

  // ---- folders ----

  /**
   * Where binaries and clusters live: under java.io.tmpdir (Maven's target/tmp), unless the server
   * runs as another user who cannot reach that folder, e.g. below a private home.
   */
  private static Path serverRoot(ServerUser user) {
    Path preferred = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    Path root =
        user.isSelf() || reachableByOthers(preferred)
            ? preferred.resolve("lagoa-postgres")
            : Path.of("/tmp/lagoa-postgres");
    try {
      Files.createDirectories(root);
      if (!user.isSelf()) {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + root, e);
    }
    return root;
  }

  private static boolean reachableByOthers(Path folder) {
    for (Path path = folder; path != null; path = path.getParent()) {
      try {
        if (Files.exists(path)
            && !Files.getPosixFilePermissions(path).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return true;
  }

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

  /** Who runs initdb and postgres, and the command prefix that makes it so. */
  private record ServerUser(int uid, int gid, String name, boolean isSelf, List<String> prefix) {
    static ServerUser detect() {
      Optional<String> setpriv = onPath("setpriv");
      if (!isRoot()) {
        // Not root: run as ourselves; setpriv, where present, only adds the parent-death signal.
        List<String> prefix =
            setpriv.map(path -> List.of(path, "--pdeathsig", "INT")).orElse(List.of());
        return new ServerUser(-1, -1, System.getProperty("user.name"), true, prefix);
      }
      if (setpriv.isEmpty()) {
        throw new IllegalStateException(
            "cannot start a test PostgreSQL as root: PostgreSQL refuses to run as root and"
                + " setpriv (util-linux) is not on the PATH to drop privileges; install util-linux"
                + " or run the tests as another user");
      }
      int[] ids = nobody();
      return new ServerUser(
          ids[0],
          ids[1],
          "nobody",
          false,
          List.of(
              setpriv.get(),
              "--reuid=" + ids[0],
              "--regid=" + ids[1],
              "--clear-groups",
              "--pdeathsig",
              "INT"));
    }

    String describe() {
      return isSelf ? name : name + " via setpriv";
    }

    void own(Path path) throws IOException {
      if (!isSelf) {
        Files.setAttribute(path, "unix:uid", uid);
        Files.setAttribute(path, "unix:gid", gid);
      }
    }

    private static boolean isRoot() {
      try {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
      } catch (IOException | RuntimeException e) {
        return "root".equals(System.getProperty("user.name"));
      }
    }

    /** The uid and gid of {@code nobody} from /etc/passwd, else the usual 65534. */
    private static int[] nobody() {
      try {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
          String[] fields = line.split(":");
          if (fields.length > 3 && fields[0].equals("nobody")) {
            return new int[] {Integer.parseInt(fields[2]), Integer.parseInt(fields[3])};
          }
        }
      } catch (IOException | NumberFormatException e) {
        LOG.debug("cannot read nobody from /etc/passwd", e);
      }
      return new int[] {65534, 65534};
    }

    private static Optional<String> onPath(String program) {
      String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
      for (String folder : (path + ":/usr/bin:/bin").split(":")) {
        Path candidate = Path.of(folder.isEmpty() ? "." : folder, program);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
      return Optional.empty();
    }
  }

  private static final class StartupFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean portTaken;

    StartupFailure(String message, boolean portTaken) {
      super(message);
      this.portTaken = portTaken;
    }
  }
}

package io.lagoa.postgres;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local PostgreSQL server started from zonky's embedded binaries, listening on 127.0.0.1 only,
 * with password authentication (scram-sha-256) for one superuser over TCP.
 *
 * <p>Everything lives in one folder: {@code data/} (the cluster, created by initdb on the first
 * start and reused after that) and {@code postgres.log} (the server's output). The server runs as
 * the {@link ServerUser} (nobody via setpriv when this JVM is root, since PostgreSQL refuses root)
 * and gets a parent-death signal: it is started from a thread that lives exactly as long as the
 * server, so if this JVM is killed outright the server shuts down by itself. {@link #stop()} shuts
 * it down cleanly (fast shutdown: clients are disconnected). Engine-neutral: used by {@code lagoa
 * dev postgres} and by the tests' {@code TestingPostgres}.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final String HOST = "127.0.0.1";
  private static final String DATA = "data";
  private static final String LOG_FILE = "postgres.log";
  private static final String INVALID_PASSWORD = "28P01";

  private final Path directory;
  private final Path binaries;
  private final ServerUser serverUser;
  private final String user;
  private final String password;
  private final int port;
  private final Process process;
  private final boolean created;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private String version = "unknown";

  private PostgresServer(
      Path directory,
      Path binaries,
      ServerUser serverUser,
      String user,
      String password,
      int port,
      Process process,
      boolean created) {
    this.directory = directory;
    this.binaries = binaries;
    this.serverUser = serverUser;
    this.user = user;
    this.password = password;
    this.port = port;
    this.process = process;
    this.created = created;
  }

  /** A server whose cluster and log live in this folder (created if missing). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** The superuser (with REPLICATION), who logs in with {@link #password()} over TCP. */
  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
  }

  /** The server's version, e.g. {@code 14.19}. */
  public String version() {
    return version;
  }

  /** Whether this start created the cluster (initdb ran), rather than reusing the folder's. */
  public boolean created() {
    return created;
  }

  /** Who the server runs as. */
  public ServerUser serverUser() {
    return serverUser;
  }

  /** The folder holding {@code data/} and {@code postgres.log}. */
  public Path directory() {
    return directory;
  }

  /** The server's output. */
  public Path logFile() {
    return directory.resolve(LOG_FILE);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Blocks until the server exits, and returns its exit code. */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /** A connection as {@link #user()}; close it. */
  public Connection connect(String database) throws SQLException {
    return connect(jdbcUrl(database), user, password);
  }

  /** Runs SQL (several statements separated by {@code ;} are fine) in a database. */
  public void execute(String database, String sql) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * Runs SQL (several statements separated by {@code ;} are fine, in one transaction unless the SQL
   * says otherwise) as {@code user} on a server that runs already.
   */
  public static void execute(String jdbcUrl, String user, String password, String sql)
      throws SQLException {
    try (Connection connection = connect(jdbcUrl, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * The port of the server running on the cluster in this folder (from its {@code
   * data/postmaster.pid}); empty when none runs there.
   */
  public static java.util.OptionalInt runningPort(Path directory) {
    Path pidFile = directory.resolve(DATA).resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.size() > 3
          && ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
              .map(ProcessHandle::isAlive)
              .orElse(false)) {
        return java.util.OptionalInt.of(Integer.parseInt(lines.get(3).strip()));
      }
    } catch (IOException | NumberFormatException e) {
      // no server, or a file being written
    }
    return java.util.OptionalInt.empty();
  }

  /** The last lines of the server's output, for error messages. */
  public String logTail() {
    return logTail(directory);
  }

  /**
   * Shuts the server down cleanly (fast shutdown: clients are disconnected, the cluster is left
   * consistent), killing it if that takes more than 30 seconds.
   */
  public void stop() {
    if (stopped.getAndSet(true)) {
      return;
    }
    if (process.isAlive()) {
      try {
        run(
            binaries,
            serverUser,
            directory,
            List.of(
                bin(binaries, "pg_ctl"),
                "stop",
                "-D",
                directory.resolve(DATA).toString(),
                "-m",
                "fast",
                "-w",
                "-t",
                "20"));
      } catch (RuntimeException e) {
        if (process.isAlive()) {
          LOG.warn("pg_ctl stop failed, stopping PostgreSQL {}: {}", process.pid(), e.getMessage());
        }
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroy(); // SIGTERM: a smart shutdown
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    stop();
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
   * Where the binaries are unpacked (once per machine and version): {@code lagoa-postgres} under
   * java.io.tmpdir, unless the server runs as another user who cannot reach that folder, e.g. below
   * a private home; then {@code /tmp/lagoa-postgres}.
   */
  public static Path defaultRoot(ServerUser user) {
    Path preferred = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    Path root =
        user.canReach(preferred)
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

  /** How to start a server; nothing happens until {@link #start()}. */
  public static final class Builder {
    private final Path directory;
    private int port = 0;
    private String user = "lagoa";
    private String password = null;
    private boolean durable = true;
    private final Map<String, String> settings = new TreeMap<>();
    private Path root = null;
    private ServerUser serverUser = null;
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(Path directory) {
      this.directory = directory.toAbsolutePath().normalize();
    }

    /** The port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "cannot use port " + port + ": a port is a number from 1 to 65535");
      }
      this.port = port;
      return this;
    }

    /** The superuser initdb creates; {@code lagoa} by default. */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The superuser's password: set by initdb on creation, used to log in after that. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Off: no fsync, no full-page writes, asynchronous commit, for throw-away clusters in tests. On
     * (the default): PostgreSQL's own durable defaults.
     */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /** A server setting ({@code -c name=value}), over the ones this class sets. */
    public Builder setting(String name, String value) {
      settings.put(name, value);
      return this;
    }

    /** Several settings, as {@link #setting}. */
    public Builder settings(Map<String, String> values) {
      settings.putAll(values);
      return this;
    }

    /**
     * Logical decoding on ({@code wal_level=logical}, replication slots and WAL senders): for
     * change data capture, e.g. Debezium's pgoutput.
     */
    public Builder logicalDecoding() {
      return setting("wal_level", "logical")
          .setting("max_replication_slots", "10")
          .setting("max_wal_senders", "10");
    }

    /** Where the binaries are unpacked; {@link #defaultRoot} unless set. */
    public Builder binariesRoot(Path root) {
      this.root = root;
      return this;
    }

    /** Who runs the server; {@link ServerUser#detect()} unless set. */
    public Builder serverUser(ServerUser serverUser) {
      this.serverUser = serverUser;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Creates the cluster if the folder has none, starts the server and returns once it accepts
     * connections.
     *
     * @throws IllegalArgumentException when the port is taken, or the folder holds something that
     *     is not a cluster
     * @throws IllegalStateException when the server cannot start; the message ends with the tail of
     *     its log
     */
    public PostgresServer start() {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("cannot start PostgreSQL: no password for " + user);
      }
      ServerUser runAs = serverUser == null ? ServerUser.detect() : serverUser;
      if (!runAs.canReach(directory.getParent())) {
        throw new IllegalArgumentException(
            "cannot run PostgreSQL in "
                + directory
                + ": PostgreSQL refuses to run as root, so it runs as "
                + runAs.name()
                + ", who cannot reach that folder (a folder above it is not searchable by others);"
                + " choose a folder such as /tmp/<name>, or make the folders above it searchable"
                + " (chmod o+x)");
      }
      if (port != 0 && !portAvailable(port)) {
        throw new IllegalArgumentException(
            "cannot start PostgreSQL on "
                + HOST
                + ":"
                + port
                + ": the port is in use (is a PostgreSQL server already running there?); choose"
                + " another port");
      }
      Path binaries = PostgresBinaries.install(root == null ? defaultRoot(runAs) : root);
      boolean created = prepare(binaries, runAs);
      StartupFailure last = null;
      // A free port is found before postgres binds it, so another process may take it first.
      for (int attempt = 0; attempt < (port == 0 ? 3 : 1); attempt++) {
        int serverPort = port == 0 ? freePort() : port;
        Process process = launch(binaries, runAs, serverPort);
        PostgresServer server =
            new PostgresServer(
                directory, binaries, runAs, user, password, serverPort, process, created);
        try {
          server.awaitReady(startTimeout);
          return server;
        } catch (StartupFailure e) {
          last = e;
          if (!e.portTaken) {
            break;
          }
        }
      }
      throw new IllegalStateException(last.getMessage(), last);
    }

    /** Creates the folder and, when it holds no cluster yet, the cluster; true if it did. */
    private boolean prepare(Path binaries, ServerUser runAs) {
      Path data = directory.resolve(DATA);
      try {
        Files.createDirectories(directory);
        if (!runAs.isSelf()) {
          // the server user reads the password file below and writes into data/
          Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
          permissions.add(PosixFilePermission.OTHERS_EXECUTE);
          Files.setPosixFilePermissions(directory, permissions);
        }
        if (Files.isRegularFile(data.resolve("PG_VERSION"))) {
          return false;
        }
        if (Files.isDirectory(data)) {
          try (Stream<Path> entries = Files.list(data)) {
            if (entries.findAny().isPresent()) {
              throw new IllegalArgumentException(
                  "cannot create a PostgreSQL cluster in "
                      + data
                      + ": the folder is not empty and holds no cluster (no PG_VERSION); empty it"
                      + " or choose another folder");
            }
          }
        } else {
          Files.createDirectory(data, PosixFilePermissions.asFileAttribute(owner()));
        }
        Files.setPosixFilePermissions(data, owner());
        runAs.own(data);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + data, e);
      }
      Path passwordFile = directory.resolve("initdb.password");
      try {
        Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        runAs.own(passwordFile);
        run(
            binaries,
            runAs,
            directory,
            List.of(
                bin(binaries, "initdb"),
                "-D",
                data.toString(),
                "-U",
                user,
                "--pwfile=" + passwordFile,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync"));
        return true;
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

    private static Set<PosixFilePermission> owner() {
      return PosixFilePermissions.fromString("rwx------");
    }

    /**
     * Starts postgres from a thread that lives exactly as long as the server: the parent-death
     * signal fires when the thread that started a process ends, not only when the JVM does.
     */
    private Process launch(Path binaries, ServerUser runAs, int serverPort) {
      List<String> command = new ArrayList<>(runAs.prefix());
      command.addAll(
          List.of(
              bin(binaries, "postgres"),
              "-D",
              directory.resolve(DATA).toString(),
              "-p",
              Integer.toString(serverPort)));
      Map<String, String> all = new TreeMap<>();
      all.put("listen_addresses", HOST);
      all.put("unix_socket_directories", "");
      all.put("max_connections", "200");
      all.put("timezone", "UTC");
      if (!durable) {
        all.put("fsync", "off");
        all.put("synchronous_commit", "off");
        all.put("full_page_writes", "off");
      }
      all.putAll(settings);
      all.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
      ProcessBuilder builder = processBuilder(command, directory);
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
              "lagoa-postgres-" + serverPort);
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
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException lastError = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        stopped.set(true);
        String log = logTail(directory);
        throw new StartupFailure(
            "cannot start PostgreSQL in "
                + directory
                + ": it exited with code "
                + process.exitValue()
                + " on port "
                + port
                + "; its last lines:\n"
                + log,
            log.contains("could not bind") || log.contains("Address already in use"));
      }
      try (Connection connection = connect("postgres");
          Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("SHOW server_version")) {
        result.next();
        version = result.getString(1).split(" ")[0];
        return;
      } catch (SQLException e) {
        if (INVALID_PASSWORD.equals(e.getSQLState())) {
          stop();
          throw new StartupFailure(
              "cannot log in to PostgreSQL in "
                  + directory
                  + " as "
                  + user
                  + ": the password is not the one the cluster was created with",
              false);
        }
        lastError = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while PostgreSQL was starting", e);
      }
    }
    stop();
    throw new StartupFailure(
        "cannot start PostgreSQL in "
            + directory
            + ": it did not accept connections on port "
            + port
            + " within "
            + timeout.toSeconds()
            + " s (last error: "
            + (lastError == null ? "none" : lastError.getMessage())
            + "); its last lines:\n"
            + logTail(directory),
        false);
  }

  private static Connection connect(String url, String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url, properties);
  }

  private static String bin(Path binaries, String program) {
    return binaries.resolve("bin").resolve(program).toString();
  }

  /** Runs a short PostgreSQL program (initdb, pg_ctl) as the server user and waits for it. */
  private static void run(Path binaries, ServerUser user, Path directory, List<String> program) {
    List<String> command = new ArrayList<>(user.prefix());
    command.addAll(program);
    try {
      Process process = processBuilder(command, directory).start();
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
                + logTail(directory));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + program.get(0), e);
    }
  }

  private static ProcessBuilder processBuilder(List<String> command, Path directory) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(directory.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("LC_"));
    env.put("LANG", "C");
    env.put("LC_ALL", "C");
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(LOG_FILE).toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return builder;
  }

  private static String logTail(Path directory) {
    Path log = directory.resolve(LOG_FILE);
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

  /** Deletes a folder and everything in it, as far as it can. */
  public static void deleteRecursively(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot delete {} completely: {}", folder, e.getMessage());
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

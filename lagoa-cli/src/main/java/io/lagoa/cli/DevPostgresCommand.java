package io.lagoa.cli;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.postgres.PostgresServer;
import io.lagoa.postgres.ServerUser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lagoa dev postgres}: a local PostgreSQL with logical decoding, for CDC pipelines. */
@Command(
    name = "postgres",
    description = {
      "Runs a local PostgreSQL server on 127.0.0.1 in the foreground until Ctrl-C, with",
      "logical decoding on (wal_level=logical), so read_postgres_cdc can capture its changes.",
      "The cluster is kept in the data folder across restarts. The superuser is 'lagoa'; its",
      "password is --password, else generated on the first start and stored in the folder.",
      "With --sql FILE it runs FILE against the server already running on that folder and exits."
    },
    mixinStandardHelpOptions = true)
final class DevPostgresCommand implements Callable<Integer> {
  static final String USER = "lagoa";
  static final int DEFAULT_PORT = 5432;
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String PASSWORD_FILE = "password";

  private final Cli cli;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "Port on 127.0.0.1 (default: "
              + DEFAULT_PORT
              + "; with --sql: the port of the server running on the data folder).")
  Integer port;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder for the cluster, its password and its log (default: .lagoa/postgres next to a"
              + " local warehouse, else in the current folder).")
  Path data;

  @Option(
      names = "--temporary",
      description = "Keep everything in a temporary folder, deleted when the server stops.")
  boolean temporary;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      description =
          "The password of user 'lagoa' (default: the one stored in the data folder, else a"
              + " generated one, stored there).")
  String password;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      defaultValue = "lagoa",
      description = "A database created if missing, where --init and --sql run (default: lagoa).")
  String database;

  @Option(
      names = "--init",
      paramLabel = "FILE",
      description = "SQL to run once, in --database, when the data folder's cluster is created.")
  Path init;

  @Option(
      names = "--sql",
      paramLabel = "FILE",
      description =
          "Run this SQL file in --database on the server running on the data folder (or at"
              + " --port), then exit, instead of starting a server.")
  Path sql;

  DevPostgresCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (temporary && data != null) {
      throw invalid(
          "cannot use --data with --temporary: choose a folder to keep, or a temporary one");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw invalid("cannot use port " + port + ": a port is a number from 1 to 65535");
    }
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw invalid(
          "cannot use database name '"
              + database
              + "': use lower-case letters, digits and _ (starting with a letter or _)");
    }
    if (sql != null) {
      if (temporary || init != null) {
        throw invalid(
            "cannot use --sql with "
                + (temporary ? "--temporary" : "--init")
                + ": --sql runs a file against a server that is already running");
      }
      return runFile(dataFolder());
    }
    String initSql = init == null ? null : readFile(init, "--init");
    Path folder = temporary ? temporaryFolder() : dataFolder();
    try {
      return serve(folder, initSql);
    } catch (RuntimeException e) {
      deleteIfTemporary(folder);
      throw e;
    }
  }

  private int serve(Path folder, String initSql) {
    String serverPassword = password(folder);
    PrintWriter out = cli.out();
    PostgresServer server = start(folder, serverPassword);
    try {
      prepareDatabase(server, folder, initSql, out);
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    String url = server.jdbcUrl(database);
    out.println(
        "PostgreSQL "
            + server.version()
            + " is running on "
            + server.host()
            + ":"
            + server.port()
            + " (wal_level=logical: ready for change data capture)");
    out.println("  user:     " + server.user());
    out.println(
        "  password: "
            + serverPassword
            + (password == null && !temporary
                ? "  (stored in " + folder.resolve(PASSWORD_FILE) + ")"
                : ""));
    out.println("  database: " + database);
    out.println("  JDBC URL: " + url);
    out.println(
        "  data: "
            + folder
            + (temporary ? "  (temporary, deleted on stop)" : "  (kept across restarts)"));
    out.println("  log:  " + server.logFile());
    out.println(
        "Capture a table's changes: STREAM read_postgres_cdc(url => '"
            + url
            + "', user => '"
            + server.user()
            + "', password => '"
            + serverPassword
            + "', table => 'public.<table>')");
    out.println("Stop it with Ctrl-C (or: kill " + ProcessHandle.current().pid() + ").");
    out.flush();

    // a fast shutdown, so the next start needs no crash recovery
    return Foreground.run(
        new Foreground.Server() {
          @Override
          public void stop() {
            server.stop();
          }

          @Override
          public int waitFor() throws InterruptedException {
            return server.waitFor();
          }

          @Override
          public String logTail() {
            return server.logTail();
          }
        },
        "postgres",
        "PostgreSQL",
        () -> stopped(out, folder));
  }

  /** Before the shutdown hook lets the JVM end: a temporary folder is deleted here. */
  private int stopped(PrintWriter out, Path folder) {
    deleteIfTemporary(folder);
    out.println("PostgreSQL stopped.");
    out.flush();
    return 0;
  }

  private void deleteIfTemporary(Path folder) {
    if (temporary) {
      PostgresServer.deleteRecursively(folder);
    }
  }

  private PostgresServer start(Path folder, String serverPassword) {
    try {
      return PostgresServer.builder(folder)
          .port(port == null ? DEFAULT_PORT : port)
          .user(USER)
          .password(serverPassword)
          .logicalDecoding()
          .start();
    } catch (IllegalArgumentException e) {
      throw new LagoaException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new LagoaException(ErrorCode.IO_ERROR, e.getMessage(), e);
    }
  }

  /** Creates --database if missing, and runs --init in it when this start created the cluster. */
  private void prepareDatabase(
      PostgresServer server, Path folder, String initSql, PrintWriter out) {
    try {
      if (!database.equals("postgres")) {
        try (Connection connection = server.connect("postgres");
            Statement statement = connection.createStatement();
            ResultSet result =
                statement.executeQuery(
                    "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'")) {
          result.next();
          if (result.getLong(1) == 0) {
            statement.execute("CREATE DATABASE " + database);
          }
        }
      }
    } catch (SQLException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot create database " + database + ": " + e.getMessage(), e);
    }
    if (initSql == null) {
      return;
    }
    if (!server.created()) {
      out.println(
          "Not running "
              + init
              + ": it runs once, when the data folder's cluster is created, and "
              + folder
              + " has one already (delete the folder to start over).");
      return;
    }
    try {
      server.execute(database, initSql);
      out.println("Ran " + init + " in database " + database + ".");
    } catch (SQLException e) {
      server.stop();
      // the cluster is new: remove it so the next start creates it again and runs --init again
      PostgresServer.deleteRecursively(folder.resolve("data"));
      throw new LagoaException(
          ErrorCode.SQL_ERROR,
          "cannot run --init "
              + init
              + " in database "
              + database
              + ": "
              + e.getMessage()
              + " (nothing was kept: fix the file and start again)",
          e);
    }
  }

  /** --sql: run a file against the server already running on the data folder (or --port). */
  private int runFile(Path folder) {
    String text = readFile(sql, "--sql");
    int serverPort;
    if (port != null) {
      serverPort = port;
    } else {
      OptionalInt running = PostgresServer.runningPort(folder);
      serverPort = running.orElse(DEFAULT_PORT);
    }
    String serverPassword = password;
    if (serverPassword == null) {
      Path stored = folder.resolve(PASSWORD_FILE);
      if (!Files.isRegularFile(stored)) {
        throw invalid(
            "cannot run "
                + sql
                + ": no --password, and no password stored in "
                + stored
                + " (give --data the folder 'lagoa dev postgres' runs on, or --password)");
      }
      serverPassword = readStored(stored);
    }
    String url = "jdbc:postgresql://127.0.0.1:" + serverPort + "/" + database;
    try {
      PostgresServer.execute(url, USER, serverPassword, text);
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot reach PostgreSQL at 127.0.0.1:"
                + serverPort
                + ": "
                + e.getMessage()
                + ". Is 'lagoa dev postgres' running there?",
            e);
      }
      throw new LagoaException(
          ErrorCode.SQL_ERROR,
          "cannot run " + sql + " in database " + database + ": " + e.getMessage(),
          e);
    }
    cli.out()
        .println("Ran " + sql + " in database " + database + " on 127.0.0.1:" + serverPort + ".");
    cli.out().flush();
    return 0;
  }

  /** --password; else the stored one; else a new one, stored in the folder. */
  private String password(Path folder) {
    Path stored = folder.resolve(PASSWORD_FILE);
    boolean hasCluster = Files.isRegularFile(folder.resolve("data").resolve("PG_VERSION"));
    if (hasCluster && Files.isRegularFile(stored)) {
      String existing = readStored(stored);
      if (password != null && !password.equals(existing)) {
        throw invalid(
            "cannot use --password: the cluster in "
                + folder
                + " was created with another password (stored in "
                + stored
                + "); leave --password out, or delete the folder to start over");
      }
      return existing;
    }
    String chosen = password;
    if (chosen == null) {
      byte[] random = new byte[9];
      new SecureRandom().nextBytes(random);
      chosen = HexFormat.of().formatHex(random);
    }
    if (!hasCluster) {
      try {
        Files.createDirectories(folder);
        Files.writeString(stored, chosen + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(stored, PosixFilePermissions.fromString("rw-------"));
      } catch (IOException e) {
        throw new LagoaException(
            ErrorCode.IO_ERROR, "cannot write " + stored + ": " + e.getMessage(), e);
      }
    }
    return chosen;
  }

  private static String readStored(Path stored) {
    try {
      return Files.readString(stored, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot read " + stored + ": " + e.getMessage(), e);
    }
  }

  private String readFile(Path file, String option) {
    Path resolved = cli.resolve(file.toString());
    try {
      return Files.readString(resolved, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw invalid("cannot read " + option + " " + resolved + ": " + e.getMessage());
    }
  }

  /** --data, else .lagoa/postgres beside a local warehouse, else in the current folder. */
  private Path dataFolder() {
    if (data != null) {
      return cli.resolve(data.toString());
    }
    Path base =
        cli.config()
            .localWarehouse()
            .map(warehouse -> warehouse.toAbsolutePath().normalize().getParent())
            .orElse(cli.workingDir());
    return base.resolve(".lagoa").resolve("postgres");
  }

  /** A folder the server's user can reach (under /tmp when the server runs as nobody). */
  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory(
          PostgresServer.defaultRoot(ServerUser.detect()), "dev-postgres-");
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot create a temporary folder for PostgreSQL: " + e.getMessage(),
          e);
    }
  }

  private static LagoaException invalid(String message) {
    return new LagoaException(ErrorCode.INVALID_ARGUMENT, message);
  }
}

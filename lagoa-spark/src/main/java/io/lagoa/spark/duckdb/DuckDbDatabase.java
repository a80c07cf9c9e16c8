package io.lagoa.spark.duckdb;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.io.Folders;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An in-memory DuckDB in this process, through its JDBC driver, with its threads, memory limit and
 * a temporary folder of its own (deleted on close). Extensions are never installed or loaded:
 * {@code read_parquet} is built in, and anything else would be a download at run time.
 */
public final class DuckDbDatabase implements AutoCloseable {
  /**
   * How DuckDB may run.
   *
   * @param threads worker threads
   * @param memoryBytes DuckDB's memory limit (it spills to its temporary folder beyond it)
   */
  public record Settings(int threads, long memoryBytes) implements Serializable {
    public Settings {
      if (threads < 1 || memoryBytes < (1L << 20)) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot run DuckDB with "
                + threads
                + " threads and "
                + memoryBytes
                + " bytes of memory: give 1 thread or more and 1 MiB or more");
      }
    }
  }

  private final Settings settings;
  private final Connection connection;
  private final Path temporary;

  private DuckDbDatabase(Settings settings, Connection connection, Path temporary) {
    this.settings = settings;
    this.connection = connection;
    this.temporary = temporary;
  }

  /** How it runs. */
  public Settings settings() {
    return settings;
  }

  /** Starts an in-memory DuckDB with these settings. */
  public static DuckDbDatabase open(Settings settings) {
    Path temporary;
    try {
      temporary = Files.createTempDirectory("lagoa-duckdb-");
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot make DuckDB's temporary folder: " + LagoaException.rootMessage(e),
          e);
    }
    Connection connection = null;
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement statement = connection.createStatement()) {
        // Before anything else: no extension may be fetched or loaded behind our back.
        statement.execute("SET autoinstall_known_extensions = false");
        statement.execute("SET autoload_known_extensions = false");
        statement.execute("SET threads = " + settings.threads());
        statement.execute("SET memory_limit = '" + (settings.memoryBytes() >> 20) + "MiB'");
        statement.execute("SET temp_directory = " + DuckDbSql.literal(temporary.toString()));
        statement.execute("SET enable_progress_bar = false");
        // Prefetching reads a row group's column chunks whole into one fresh buffer each (35 MB for
        // one column of a 12.7M-row group), and a database's memory goes back to the operating
        // system when it closes, so every query paid the page faults again (~150 ms of a 290 ms
        // query, measured). Page by page, the buffers are small and reused; the reads are local.
        statement.execute("SET disable_parquet_prefetching = true");
        // Timestamps stay the instants Spark and Iceberg keep: no cast between DuckDB's TIMESTAMP
        // and TIMESTAMPTZ shifts them by the machine's zone.
        statement.execute("SET TimeZone = 'UTC'");
      }
      // a database kept open until the process ends leaves no folder behind either
      temporary.toFile().deleteOnExit();
      return new DuckDbDatabase(settings, connection, temporary);
    } catch (SQLException e) {
      closeQuietly(connection);
      deleteQuietly(temporary);
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot start DuckDB: " + LagoaException.rootMessage(e), e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      deleteQuietly(temporary);
      throw e;
    } catch (LinkageError e) {
      // The driver carries native libraries for the common platforms only.
      deleteQuietly(temporary);
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR,
          "cannot start DuckDB on "
              + System.getProperty("os.name")
              + " "
              + System.getProperty("os.arch")
              + ": its JDBC driver has no native library for it ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** The connection to run statements on. */
  public Connection connection() {
    return connection;
  }

  @Override
  public void close() {
    closeQuietly(connection);
    deleteQuietly(temporary);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing left to release that closing could give back
      }
    }
  }

  private static void deleteQuietly(Path folder) {
    try {
      Folders.deleteRecursively(folder);
    } catch (IOException e) {
      // a temporary folder left behind; the operating system's cleaning takes it
    }
  }
}

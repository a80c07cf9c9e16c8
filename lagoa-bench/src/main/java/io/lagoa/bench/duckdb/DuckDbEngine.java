package io.lagoa.bench.duckdb;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.DataSize;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.io.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory DuckDB in this process, through its JDBC driver, with a view per table over the
 * Parquet files Iceberg planned ({@link ParquetTable}). Threads and memory are set explicitly, and
 * extensions are never installed or loaded: {@code read_parquet} is built in, and anything else
 * would be a download at run time.
 */
public final class DuckDbEngine implements AutoCloseable {
  /**
   * How DuckDB may run.
   *
   * @param threads worker threads: the cores Spark runs tasks on, so both engines get the same
   * @param memoryBytes DuckDB's memory limit (it spills to a temporary folder beyond it)
   */
  public record Settings(int threads, long memoryBytes) {
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

  /** One timed execution: from submitting the SQL to the last row read through JDBC. */
  public record Execution(long nanos, List<List<Object>> rows) {}

  private final Connection connection;
  private final Path temporary;
  private final Map<String, String> description;

  private DuckDbEngine(Connection connection, Path temporary, Map<String, String> description) {
    this.connection = connection;
    this.temporary = temporary;
    this.description = description;
  }

  /** Starts DuckDB with these settings and makes one view per table. */
  public static DuckDbEngine open(List<ParquetTable> tables, Settings settings) {
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
        statement.execute("SET temp_directory = " + ParquetTable.literal(temporary.toString()));
        statement.execute("SET enable_progress_bar = false");
        Set<String> schemas = new LinkedHashSet<>();
        for (ParquetTable table : tables) {
          if (schemas.add(table.schema())) {
            statement.execute(
                "CREATE SCHEMA IF NOT EXISTS " + ParquetTable.identifier(table.schema()));
          }
          statement.execute(table.createView());
        }
      }
      Map<String, String> description = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery(
                  "SELECT version(), current_setting('threads'),"
                      + " current_setting('memory_limit')")) {
        rs.next();
        description.put("version", rs.getString(1));
        description.put("threads", rs.getString(2));
        description.put("memory_limit", rs.getString(3));
      }
      long files = tables.stream().mapToLong(table -> table.files().size()).sum();
      long bytes = tables.stream().mapToLong(ParquetTable::bytes).sum();
      description.put("files", Long.toString(files));
      description.put("bytes", DataSize.format(bytes));
      description.put(
          "tables",
          String.join(", ", tables.stream().map(t -> t.schema() + "." + t.name()).toList()));
      return new DuckDbEngine(connection, temporary, description);
    } catch (SQLException e) {
      closeQuietly(connection);
      delete(temporary);
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot start DuckDB: " + LagoaException.rootMessage(e), e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      delete(temporary);
      throw e;
    } catch (LinkageError e) {
      // The driver carries native libraries for the common platforms only.
      delete(temporary);
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

  /** DuckDB's version, the threads and memory limit it reports, and the files its views read. */
  public Map<String, String> description() {
    return new LinkedHashMap<>(description);
  }

  /** Runs the query's setup (untimed), then its DuckDB text, reading every row. */
  public Execution execute(BenchQuery query) {
    String sql = query.duckDbText();
    try (Statement statement = connection.createStatement()) {
      for (String setup : query.setup()) {
        statement.execute(setup);
      }
      long started = System.nanoTime();
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery(sql)) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(columns);
          for (int i = 1; i <= columns; i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return new Execution(System.nanoTime() - started, rows);
    } catch (SQLException e) {
      throw new LagoaException(
          ErrorCode.SQL_ERROR,
          "cannot run query " + query.name() + " on DuckDB: " + LagoaException.rootMessage(e),
          e);
    }
  }

  @Override
  public void close() {
    closeQuietly(connection);
    delete(temporary);
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

  private static void delete(Path folder) {
    try {
      Folders.deleteRecursively(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

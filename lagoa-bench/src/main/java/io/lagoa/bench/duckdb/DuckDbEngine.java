package io.lagoa.bench.duckdb;

import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.DataSize;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.duckdb.DuckDbDatabase;
import io.lagoa.spark.duckdb.DuckDbSql;
import io.lagoa.spark.duckdb.ParquetTable;
import java.sql.Connection;
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
 * An in-memory DuckDB in this process ({@link DuckDbDatabase}) with a view per table over the
 * Parquet files Iceberg planned ({@link ParquetTable}).
 */
public final class DuckDbEngine implements AutoCloseable {
  /** One timed execution: from submitting the SQL to the last row read through JDBC. */
  public record Execution(long nanos, List<List<Object>> rows) {}

  private final DuckDbDatabase database;
  private final Map<String, String> description;

  private DuckDbEngine(DuckDbDatabase database, Map<String, String> description) {
    this.database = database;
    this.description = description;
  }

  /** Starts DuckDB with these settings and makes one view per table. */
  public static DuckDbEngine open(List<ParquetTable> tables, DuckDbDatabase.Settings settings) {
    DuckDbDatabase database = DuckDbDatabase.open(settings);
    try {
      Connection connection = database.connection();
      try (Statement statement = connection.createStatement()) {
        Set<String> schemas = new LinkedHashSet<>();
        for (ParquetTable table : tables) {
          if (schemas.add(table.schema())) {
            statement.execute(
                "CREATE SCHEMA IF NOT EXISTS " + DuckDbSql.identifier(table.schema()));
          }
          statement.execute(table.createView());
        }
      }
      Map<String, String> description = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery(
                  "SELECT version(), current_setting('threads'),"
                      + " current_setting('memory_limit'),"
                      + " current_setting('disable_parquet_prefetching')")) {
        rs.next();
        description.put("version", rs.getString(1));
        description.put("threads", rs.getString(2));
        description.put("memory_limit", rs.getString(3));
        description.put("parquet_prefetching", rs.getBoolean(4) ? "off" : "on");
      }
      long files = tables.stream().mapToLong(table -> table.files().size()).sum();
      long bytes = tables.stream().mapToLong(ParquetTable::bytes).sum();
      description.put("files", Long.toString(files));
      description.put("bytes", DataSize.format(bytes));
      description.put(
          "tables",
          String.join(", ", tables.stream().map(t -> t.schema() + "." + t.name()).toList()));
      return new DuckDbEngine(database, description);
    } catch (SQLException e) {
      database.close();
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR, "cannot start DuckDB: " + LagoaException.rootMessage(e), e);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /**
   * DuckDB's version, the threads, memory limit and Parquet prefetching it reports, and the files
   * its views read.
   */
  public Map<String, String> description() {
    return new LinkedHashMap<>(description);
  }

  /** Runs the query's setup (untimed), then its DuckDB text, reading every row. */
  public Execution execute(BenchQuery query) {
    String sql = query.duckDbText();
    try (Statement statement = database.connection().createStatement()) {
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
    database.close();
  }
}

package io.lagoa.bench;

import java.util.List;
import java.util.Map;

/**
 * One query of a suite. {@code ${name}} placeholders in the SQL (table names, the needle id) are
 * filled in from the run's variables.
 *
 * @param setup statements run before each execution and not timed (e.g. a temporary view); DuckDB
 *     runs them too
 * @param sql the query in Spark SQL
 * @param duckDbSql the same query in DuckDB's dialect, where it differs; null when DuckDB takes
 *     {@code sql} as it is (see {@link #duckDbText})
 */
public record BenchQuery(
    String name, String description, List<String> setup, String sql, String duckDbSql) {
  public BenchQuery {
    setup = List.copyOf(setup);
  }

  public BenchQuery(String name, String description, List<String> setup, String sql) {
    this(name, description, setup, sql, null);
  }

  public BenchQuery(String name, String description, String sql) {
    this(name, description, List.of(), sql, null);
  }

  /** This query with its own text for DuckDB, where DuckDB's dialect differs from Spark's. */
  public BenchQuery withDuckDb(String text) {
    return new BenchQuery(name, description, setup, sql, text);
  }

  /** This query with other setup statements, the DuckDB text kept. */
  public BenchQuery withSetup(List<String> statements) {
    return new BenchQuery(name, description, statements, sql, duckDbSql);
  }

  /** What DuckDB runs: its own text when the suite keeps one, else the Spark text. */
  public String duckDbText() {
    return duckDbSql == null ? sql : duckDbSql;
  }

  /** This query with its placeholders filled in. */
  public BenchQuery bind(Map<String, String> variables) {
    return new BenchQuery(
        name,
        description,
        setup.stream().map(s -> fill(s, variables)).toList(),
        fill(sql, variables),
        duckDbSql == null ? null : fill(duckDbSql, variables));
  }

  static String fill(String text, Map<String, String> variables) {
    String result = text;
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      result = result.replace("${" + variable.getKey() + "}", variable.getValue());
    }
    return result;
  }
}

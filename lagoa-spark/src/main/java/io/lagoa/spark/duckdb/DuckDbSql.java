package io.lagoa.spark.duckdb;

/** Quoting of names and texts in DuckDB's SQL. */
public final class DuckDbSql {
  private DuckDbSql() {}

  /** A quoted identifier: any name, quotes doubled. */
  public static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A string literal: any text, single quotes doubled. */
  public static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}

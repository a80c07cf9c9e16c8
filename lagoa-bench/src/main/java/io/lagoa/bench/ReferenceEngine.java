package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.Locale;

/**
 * An engine a suite can run on beside Lagoa, over the same Parquet files, for a ratio and an answer
 * cross-check.
 */
public enum ReferenceEngine {
  /** DuckDB, embedded through its JDBC driver, reading the files with {@code read_parquet}. */
  DUCKDB("DuckDB");

  private final String displayName;

  ReferenceEngine(String displayName) {
    this.displayName = displayName;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String displayName() {
    return displayName;
  }

  public static ReferenceEngine parse(String text) {
    for (ReferenceEngine engine : values()) {
      if (engine.label().equalsIgnoreCase(text.strip())) {
        return engine;
      }
    }
    throw new LagoaException(
        ErrorCode.INVALID_ARGUMENT, "cannot compare with '" + text + "': expected duckdb");
  }
}

package io.lagoa.spark.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.duckdb.DuckDBConnection;

/**
 * The in-memory DuckDB that DuckDB reads run in: opened at the first query, then kept, each query
 * on a connection of its own (concurrent queries too). Starting a database costs ~10 ms (DuckDB
 * fills its catalog of functions), a connection to an open one ~0.15 ms (docs/benchmarks.md);
 * nothing of the data stays between queries (by default DuckDB caches neither a local file's bytes
 * nor Parquet metadata). Held by Lagoa's session extensions, so the sessions of one Spark
 * application share it; closed when that application stops (a later one opens it again).
 */
public final class DuckDbInstance {
  private DuckDbDatabase database;
  private SparkContext listened;

  /**
   * A new connection to the database, opened now if it is not yet (or with other settings: Spark's
   * do not change while it runs); the caller closes the connection.
   */
  public synchronized Connection connect(DuckDbDatabase.Settings settings, SparkContext context)
      throws SQLException {
    if (database != null && !database.settings().equals(settings)) {
      close();
    }
    if (database == null) {
      database = DuckDbDatabase.open(settings);
    }
    if (listened != context) {
      context.addSparkListener(new Closer());
      listened = context;
    }
    return ((DuckDBConnection) database.connection()).duplicate();
  }

  /** Closes the database; queries running on it fail. */
  public synchronized void close() {
    if (database != null) {
      database.close();
      database = null;
    }
  }

  /** Closes the database when the Spark application that uses it ends. */
  private final class Closer extends SparkListener {
    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd end) {
      synchronized (DuckDbInstance.this) {
        close();
        listened = null;
      }
    }
  }
}

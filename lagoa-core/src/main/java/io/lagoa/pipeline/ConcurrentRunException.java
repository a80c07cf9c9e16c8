package io.lagoa.pipeline;

import org.apache.iceberg.exceptions.ValidationException;

/**
 * A commit of a pipeline batch was refused because another run committed to the table since the
 * batch started reading: writing it would store rows (and source positions) a second time. The
 * batch is planned again from the new position. A {@link ValidationException}, so Iceberg does not
 * retry the commit on top of the other run's.
 */
public final class ConcurrentRunException extends ValidationException {
  private static final long serialVersionUID = 1L;
  private static final String PREFIX = "cannot commit to ";
  private static final String REASON =
      ": another run of the pipeline committed to it since this batch started";

  /**
   * The error type a REST catalog server answers this refusal with (the spec's {@code error.type}),
   * which Lagoa's REST client turns back into this exception.
   */
  public static final String REST_ERROR_TYPE = ConcurrentRunException.class.getSimpleName();

  private final String table;

  public ConcurrentRunException(String table, String expected, String actual) {
    this(
        table,
        PREFIX
            + table
            + REASON
            + " (its last pipeline commit was "
            + expected
            + " then and is "
            + actual
            + " now)");
  }

  private ConcurrentRunException(String table, String message) {
    super("%s", message);
    this.table = table;
  }

  /**
   * The refusal a REST catalog server reported (type {@link #REST_ERROR_TYPE}) with its message,
   * which this class worded on the server.
   */
  public static ConcurrentRunException refusedByServer(String message) {
    int end = message.indexOf(REASON);
    String table =
        message.startsWith(PREFIX) && end > PREFIX.length()
            ? message.substring(PREFIX.length(), end)
            : "";
    return new ConcurrentRunException(table, message);
  }

  public String table() {
    return table;
  }
}

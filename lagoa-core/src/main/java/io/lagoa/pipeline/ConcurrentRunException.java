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
  private final String table;

  public ConcurrentRunException(String table, String expected, String actual) {
    super(
        "%s",
        "cannot commit to "
            + table
            + ": another run of the pipeline committed to it since this batch started (its last"
            + " pipeline commit was "
            + expected
            + " then and is "
            + actual
            + " now)");
    this.table = table;
  }

  public String table() {
    return table;
  }
}

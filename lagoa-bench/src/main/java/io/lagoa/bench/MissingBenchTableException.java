package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;

/**
 * A table a benchmark reads has not been generated. The message says which suite to generate into
 * which namespace; the adapter may word that as its own command (the CLI's {@code lagoa bench
 * generate}).
 */
public final class MissingBenchTableException extends LagoaException {
  private static final long serialVersionUID = 1L;
  private final String table;
  private final Suite suite;
  private final String namespace;

  public MissingBenchTableException(String table, Suite suite, String namespace) {
    super(
        ErrorCode.TABLE_NOT_FOUND,
        "cannot run the benchmark: table "
            + table
            + " does not exist; generate the "
            + suite.label()
            + " suite's tables in namespace "
            + namespace
            + " first");
    this.table = table;
    this.suite = suite;
    this.namespace = namespace;
  }

  public String table() {
    return table;
  }

  public Suite suite() {
    return suite;
  }

  public String namespace() {
    return namespace;
  }
}

package io.lagoa.service;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.PlanExplanation;
import io.lagoa.spark.SqlException;
import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.util.List;
import java.util.Optional;

/** SQL on one lakehouse: scripts of statements separated by ';', run in order. */
public final class SqlService {
  private final Lakehouse lakehouse;

  public SqlService(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /**
   * The statements of a text, ready to run one by one; nothing runs yet.
   *
   * @param origin the file the text was read from, for error positions; empty for inline text
   */
  public Script script(String text, Optional<String> origin) {
    return new Script(StatementSplitter.splitAll(text), origin);
  }

  /** Statements split from one text. */
  public final class Script {
    private final List<Statement> statements;
    private final Optional<String> origin;

    private Script(List<Statement> statements, Optional<String> origin) {
      this.statements = List.copyOf(statements);
      this.origin = origin;
    }

    public List<Statement> statements() {
      return statements;
    }

    /** Whether the text holds only comments and blank lines. */
    public boolean isEmpty() {
      return statements.isEmpty();
    }

    /**
     * Runs statement {@code index}, fetching at most {@code maxRows} rows.
     *
     * @throws LagoaException with {@link ErrorCode#SQL_ERROR} and the statement's position in the
     *     file or text, and what already ran when it is one of several
     */
    public QueryResult execute(int index, int maxRows) {
      Statement statement = statements.get(index);
      try {
        return lakehouse.sql().execute(statement.sql(), maxRows);
      } catch (SqlException e) {
        throw located(e, statement, origin.orElse(null), index, statements.size());
      }
    }

    /** The plan of one statement, without running it; errors located like {@link #execute}. */
    public PlanExplanation explain(int index) {
      Statement statement = statements.get(index);
      try {
        return lakehouse.sql().explain(statement.sql());
      } catch (SqlException e) {
        throw located(e, statement, origin.orElse(null), index, statements.size());
      }
    }
  }

  /**
   * Puts the file and position in front of Spark's message, and says what already ran. Positions
   * are 1-based (line and column) and count from the start of the file or of the inline text, as in
   * Spark's own "== SQL (line 1, position 15) ==" context and the shell's errors.
   */
  static LagoaException located(
      SqlException e, Statement statement, String origin, int index, int total) {
    StringBuilder where = new StringBuilder();
    if (origin != null) {
      where.append(origin).append(':');
      if (e.line().isPresent()) {
        int lineInStatement = e.line().getAsInt();
        where.append(statement.fileLine(lineInStatement));
        if (e.column().isPresent()) {
          where.append(':').append(statement.fileColumn(lineInStatement, e.column().getAsInt()));
        }
      } else {
        where.append(statement.line());
      }
      where.append(": ");
    } else if (e.line().isPresent()) {
      int lineInStatement = e.line().getAsInt();
      where.append("line ").append(statement.fileLine(lineInStatement));
      e.column()
          .ifPresent(
              column ->
                  where.append(", column ").append(statement.fileColumn(lineInStatement, column)));
      where.append(": ");
    }
    String progress =
        total > 1
            ? "\n(statement "
                + (index + 1)
                + " of "
                + total
                + "; the "
                + index
                + " before it ran and stay committed, the rest did not run)"
            : "";
    String message = where.isEmpty() ? e.getMessage() : e.messageWithoutPosition();
    return new LagoaException(ErrorCode.SQL_ERROR, where + message + progress, e);
  }
}

package io.lagoa.pipeline;

import io.lagoa.sql.Statement;
import io.lagoa.text.EditDistance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an {@code AUTO CDC INTO} flow (or {@code APPLY CHANGES INTO}, or {@code AUTO CDC FROM
 * SNAPSHOT INTO}), with or without {@code CREATE FLOW name AS} in front, into the {@link
 * DatasetStatement} of its target.
 *
 * <p>The target's {@link DatasetStatement#engineSql()} is {@code CREATE STREAMING TABLE target AS
 * SELECT * FROM} on a line of its own, then the flow's text with everything but the source blanked
 * out (its first line padded to the flow's column), so Spark's parser reads {@code SELECT * FROM
 * <source>} and every position in the source is its place in the file: the statement's {@link
 * Statement} starts one line before the flow.
 */
final class AutoCdcParser {
  private static final List<String> CLAUSES =
      List.of(
          "KEYS",
          "IGNORE NULL UPDATES",
          "APPLY AS DELETE WHEN",
          "APPLY AS TRUNCATE WHEN",
          "SEQUENCE BY",
          "COLUMNS",
          "STORED AS SCD TYPE",
          "TRACK HISTORY ON");
  private static final List<String> SNAPSHOT_CLAUSES =
      List.of("KEYS", "SEQUENCE BY", "COLUMNS", "STORED AS SCD TYPE", "TRACK HISTORY ON");

  /** The first words of the clauses, to recognize a misspelled one after a condition. */
  private static final List<String> CLAUSE_WORDS =
      List.of("KEYS", "IGNORE", "APPLY", "SEQUENCE", "COLUMNS", "STORED", "TRACK");

  /** Words that continue an expression after an operand. */
  private static final java.util.Set<String> OPERATOR_WORDS =
      java.util.Set.of(
          "AND", "OR", "NOT", "IS", "IN", "LIKE", "ILIKE", "RLIKE", "REGEXP", "BETWEEN", "ESCAPE",
          "DIV", "CASE", "WHEN", "THEN", "ELSE", "END", "COLLATE", "OVER", "FILTER", "WITHIN");

  private final DatasetStatementParser p;

  AutoCdcParser(DatasetStatementParser parser) {
    this.p = parser;
  }

  /** After {@code CREATE FLOW}: the flow's name, AS, and AUTO CDC (the only flow supported). */
  ParsedStatement flow(SqlToken flowWord) {
    SqlToken nameToken = p.peek();
    if (!nameToken.isIdentifier()) {
      throw p.error(
          nameToken,
          "expected the flow's name after CREATE FLOW, e.g. CREATE FLOW customers_cdc AS AUTO CDC"
              + " INTO ..., not "
              + DatasetStatementParser.describe(nameToken));
    }
    String name = String.join(".", p.name());
    SqlToken as = p.next("AS after the flow's name");
    if (!as.isKeyword("AS")) {
      throw p.error(
          as,
          "expected AS after CREATE FLOW "
              + name
              + ", not "
              + DatasetStatementParser.describe(as)
              + ": CREATE FLOW "
              + name
              + " AS AUTO CDC INTO target FROM STREAM(source) KEYS (...) SEQUENCE BY ...");
    }
    SqlToken word = p.peek();
    if (word.isKeyword("LOAD")) {
      return new VaultParser(p).load(name);
    }
    if (!startsCdc(word, p.peek(1))) {
      String written = word.upper() + " " + p.peek(1).upper();
      String suggestion =
          DatasetStatementParser.isEnd(word)
              ? ""
              : EditDistance.closest(written, List.of("AUTO CDC", "APPLY CHANGES", "LOAD HUB"))
                  .map(best -> " (did you mean " + best + "?)")
                  .orElse("");
      throw p.error(
          word,
          "CREATE FLOW ... AS "
              + p.wordsFrom(word)
              + " is not supported"
              + suggestion
              + "; a flow applies a change stream to a table: CREATE FLOW "
              + name
              + " AS AUTO CDC INTO target FROM STREAM(source) KEYS (...) SEQUENCE BY ... (APPLY"
              + " CHANGES INTO is the same) or loads a Data Vault table: CREATE FLOW "
              + name
              + " AS LOAD HUB hub FROM STREAM(source) RECORD SOURCE 'name'; to append a query's"
              + " rows, define the table as CREATE"
              + " STREAMING TABLE target AS SELECT ... FROM STREAM(source)");
    }
    return parse(Optional.of(name));
  }

  static boolean startsCdc(SqlToken first, SqlToken second) {
    return (first.isKeyword("AUTO") && second.isKeyword("CDC"))
        || (first.isKeyword("APPLY") && second.isKeyword("CHANGES"));
  }

  /** From AUTO CDC or APPLY CHANGES to the end of the statement. */
  ParsedStatement parse(Optional<String> flowName) {
    SqlToken first = p.next("AUTO CDC");
    SqlToken second = p.next(first.isKeyword("AUTO") ? "CDC" : "CHANGES");
    String form = first.isKeyword("AUTO") ? "AUTO CDC" : "APPLY CHANGES";
    if (!startsCdc(first, second)) {
      throw p.error(
          second,
          "expected "
              + form
              + " INTO, not "
              + first.upper()
              + " "
              + second.value()
              + "; "
              + DatasetStatementParser.EXPECTED);
    }
    boolean snapshot = false;
    if (p.peek().isKeyword("FROM") && p.peek(1).isKeyword("SNAPSHOT")) {
      p.index += 2;
      snapshot = true;
      form += " FROM SNAPSHOT";
    }
    SqlToken into = p.next("INTO");
    if (!into.isKeyword("INTO")) {
      throw p.error(
          into,
          "expected INTO after "
              + form
              + ", not "
              + DatasetStatementParser.describe(into)
              + ": "
              + form
              + " INTO target FROM "
              + (snapshot ? "bronze.snapshot" : "STREAM(source)")
              + " KEYS (...) ...");
    }
    SqlToken targetStart = p.peek();
    if (!targetStart.isIdentifier()) {
      throw p.error(
          targetStart,
          "expected the target table after INTO, e.g. silver.customers, not "
              + DatasetStatementParser.describe(targetStart));
    }
    int targetIndex = p.index;
    List<String> target = p.name();
    String targetText = raw(targetIndex, p.index);
    String dotted = String.join(".", target);
    SqlToken from = p.next("FROM and the source");
    if (!from.isKeyword("FROM")) {
      throw p.error(
          from,
          "expected FROM and the source after INTO "
              + dotted
              + ", not "
              + DatasetStatementParser.describe(from)
              + ": "
              + form
              + " INTO "
              + dotted
              + " FROM "
              + (snapshot ? "bronze.snapshot" : "STREAM(source)")
              + " KEYS (...) ...");
    }
    int sourceFrom = p.index;
    source(snapshot, form);
    int sourceTo = p.index;
    Clauses clauses = clauses(snapshot, form);
    AutoCdc autoCdc = check(clauses, flowName, snapshot, form, dotted, first);
    List<SourceCall> sources = p.sourceCalls(DatasetKind.STREAMING_TABLE, sourceFrom, sourceTo);
    p.blank(0, p.tokens.get(sourceFrom).start());
    p.blank(p.tokens.get(sourceTo - 1).end(), p.sql.length());
    String head = "CREATE STREAMING TABLE " + targetText + " AS SELECT * FROM";
    String padding = " ".repeat(Math.max(0, p.statement.column() - 1));
    String text = head + "\n" + padding + new String(p.engineSql);
    int shift = head.length() + 1 + padding.length();
    return new ParsedStatement.Definition(
        new DatasetStatement(
            p.file,
            DatasetKind.STREAMING_TABLE,
            target,
            p.position(targetStart.start()),
            List.of(),
            List.of(),
            Optional.empty(),
            text,
            new Statement(text, p.statement.line() - 1, 1),
            sources.stream().map(call -> call.shifted(shift)).toList(),
            Optional.of(autoCdc)));
  }

  /**
   * The flow's target with its declaration: the declaration's COMMENT, PARTITIONED BY and
   * TBLPROPERTIES in the head of the text Spark parses, its expectations, and its place as the
   * dataset's.
   */
  static DatasetStatement merge(DatasetStatement flow, ParsedStatement.Declaration declaration) {
    String old = flow.engineSql();
    int newline = old.indexOf('\n');
    String head = declaration.head() + " AS SELECT * FROM";
    String text = head + old.substring(newline);
    int shift = head.length() - newline;
    DatasetStatement declared = declaration.dataset();
    return new DatasetStatement(
        flow.file(),
        DatasetKind.STREAMING_TABLE,
        declared.nameParts(),
        declared.position(),
        declared.expectations(),
        List.of(),
        Optional.empty(),
        text,
        new Statement(text, flow.statement().line(), flow.statement().column()),
        flow.sources().stream().map(call -> call.shifted(shift)).toList(),
        flow.autoCdc());
  }

  /** The source after FROM; leaves the parser after it. */
  private void source(boolean snapshot, String form) {
    SqlToken token = p.peek();
    if (DatasetStatementParser.isEnd(token)) {
      throw p.error(null, "the statement ends where the source after FROM was expected");
    }
    if (token.isKeyword("STREAM")) {
      if (snapshot) {
        throw p.error(
            token,
            form
                + " reads the whole source on every run and compares it with the target;"
                + " remove STREAM");
      }
      p.index++;
      boolean parenthesized = p.peek().isSymbol('(');
      if (parenthesized) {
        p.index++;
      }
      SqlToken inner = p.peek();
      if (inner.isIdentifier() && p.peek(1).isSymbol('(')) {
        call(inner);
      } else if (inner.isIdentifier()) {
        p.name();
      } else {
        throw p.error(
            inner,
            "expected a table or a source function after STREAM, e.g. STREAM(bronze.changes) or"
                + " STREAM read_kafka(...), not "
                + DatasetStatementParser.describe(inner));
      }
      if (parenthesized) {
        SqlToken close = p.next(") after STREAM(...");
        if (!close.isSymbol(')')) {
          throw p.error(
              close, "expected ) to close STREAM(, not " + DatasetStatementParser.describe(close));
        }
      }
      return;
    }
    if (token.isSymbol('(')) {
      if (snapshot) {
        throw p.error(
            token,
            form
                + " reads a table or read_files(...), not a query; define the query as a"
                + " materialized view and read that");
      }
      p.skipParenthesized(token);
      return;
    }
    if (token.isIdentifier() && p.peek(1).isSymbol('(')) {
      if (!snapshot) {
        throw p.error(
            token,
            form
                + " INTO applies a stream of changes: write FROM STREAM "
                + token.value()
                + "(...) (or AUTO CDC FROM SNAPSHOT INTO to compare full snapshots)");
      }
      if (!token.isKeyword(SourceCall.SourceKind.FILES.function())) {
        throw p.error(
            token, form + " reads a table or read_files(...), not " + token.value() + "(...)");
      }
      call(token);
      return;
    }
    if (token.isIdentifier()) {
      int start = p.index;
      p.name();
      if (!snapshot) {
        String name = raw(start, p.index);
        throw p.error(
            token,
            form
                + " INTO applies a stream of changes: write FROM STREAM("
                + name
                + ") (or AUTO CDC FROM SNAPSHOT INTO ... FROM "
                + name
                + " to compare full snapshots of it)");
      }
      return;
    }
    throw p.error(
        token,
        "expected the source after FROM: "
            + (snapshot
                ? "a table or read_files(...)"
                : "STREAM(table), STREAM read_kafka(...) or (SELECT ... FROM STREAM(table))")
            + ", not "
            + DatasetStatementParser.describe(token));
  }

  /** A source function's name and its parenthesized arguments (read by sourceCalls later). */
  private void call(SqlToken function) {
    List<String> known = new ArrayList<>();
    for (SourceCall.SourceKind kind : SourceCall.SourceKind.values()) {
      known.add(kind.function());
    }
    if (SourceCall.SourceKind.of(function.value()).isEmpty()) {
      throw p.error(
          function,
          "unknown source function "
              + function.value()
              + EditDistance.closest(function.value().toLowerCase(Locale.ROOT), known)
                  .map(best -> " (did you mean " + best + "?)")
                  .orElse("")
              + "; the sources are "
              + String.join(", ", known)
              + ", or a table: STREAM(bronze.changes)");
    }
    p.index++;
    p.skipParenthesized(p.peek());
  }

  /** What the clauses say, with where each was written. */
  private static final class Clauses {
    final Map<String, SqlToken> seen = new LinkedHashMap<>();
    List<SqlToken> keys = List.of();
    boolean ignoreNullUpdates;
    List<AutoCdc.Expression> sequenceBy = List.of();
    Optional<AutoCdc.Expression> deleteWhen = Optional.empty();
    Optional<AutoCdc.Expression> truncateWhen = Optional.empty();
    ColumnTokens columns;
    AutoCdc.ScdType scdType = AutoCdc.ScdType.TYPE_1;
    ColumnTokens trackHistory;
  }

  /** {@code *}, {@code * EXCEPT (a)} or {@code (a, b)}, with each column's token. */
  private record ColumnTokens(List<SqlToken> include, List<SqlToken> except, SqlToken keyword) {}

  private Clauses clauses(boolean snapshot, String form) {
    Clauses clauses = new Clauses();
    while (!DatasetStatementParser.isEnd(p.peek())) {
      SqlToken token = p.peek();
      String clause = clauseAt(p.index);
      if (clause == null) {
        throw unknownClause(token, snapshot, form);
      }
      SqlToken earlier = clauses.seen.putIfAbsent(clause, token);
      if (earlier != null) {
        throw p.error(
            token, clause + " is given twice; the first is at " + p.position(earlier.start()));
      }
      switch (clause) {
        case "KEYS" -> {
          p.index++;
          clauses.keys = columnList("KEYS");
        }
        case "IGNORE NULL UPDATES" -> {
          p.index += 2;
          SqlToken updates = p.next("UPDATES");
          if (!updates.isKeyword("UPDATES")) {
            throw p.error(
                updates,
                "expected IGNORE NULL UPDATES, not IGNORE NULL "
                    + updates.value()
                    + DatasetStatementParser.suggestion(updates.upper(), List.of("UPDATES")));
          }
          if (snapshot) {
            throw p.error(
                token,
                "IGNORE NULL UPDATES does not apply to "
                    + form
                    + ": each snapshot holds the whole row; remove it");
          }
          clauses.ignoreNullUpdates = true;
        }
        case "APPLY AS DELETE WHEN", "APPLY AS TRUNCATE WHEN" -> {
          String what = p.peek(2).upper();
          if (snapshot) {
            throw p.error(
                token,
                "APPLY AS "
                    + what
                    + " WHEN does not apply to "
                    + form
                    + ": a key missing from the next snapshot is deleted; remove it");
          }
          p.index += 3;
          SqlToken when = p.next("WHEN");
          if (!when.isKeyword("WHEN")) {
            throw p.error(
                when,
                "expected WHEN after APPLY AS "
                    + what
                    + ", not "
                    + DatasetStatementParser.describe(when)
                    + ": APPLY AS "
                    + what
                    + " WHEN "
                    + (what.equals("DELETE") ? "_op = 'd'" : "_op = 't'"));
          }
          AutoCdc.Expression condition = expression(clause, when);
          if (what.equals("DELETE")) {
            clauses.deleteWhen = Optional.of(condition);
          } else {
            clauses.truncateWhen = Optional.of(condition);
          }
        }
        case "APPLY AS" -> {
          SqlToken what = p.peek(2);
          throw p.error(
              what,
              "expected DELETE WHEN or TRUNCATE WHEN after APPLY AS, not "
                  + DatasetStatementParser.describe(what)
                  + DatasetStatementParser.suggestion(what.upper(), List.of("DELETE", "TRUNCATE")));
        }
        case "SEQUENCE BY" -> {
          p.index += 2;
          clauses.sequenceBy = sequence(token);
        }
        case "COLUMNS" -> {
          p.index++;
          clauses.columns = columns(token, "COLUMNS");
        }
        case "STORED AS SCD TYPE" -> {
          p.index += 2;
          clauses.scdType = scdType();
        }
        case "TRACK HISTORY ON" -> {
          p.index += 2;
          SqlToken on = p.next("ON");
          if (!on.isKeyword("ON")) {
            throw p.error(
                on,
                "expected ON after TRACK HISTORY, not "
                    + DatasetStatementParser.describe(on)
                    + ": TRACK HISTORY ON * EXCEPT (last_login) or TRACK HISTORY ON (name, email)");
          }
          clauses.trackHistory = columns(token, "TRACK HISTORY ON");
        }
        default -> throw new IllegalStateException(clause);
      }
    }
    return clauses;
  }

  /** The clause that starts at a token, or null. */
  private String clauseAt(int i) {
    SqlToken token = token(i);
    SqlToken next = token(i + 1);
    if (token.isKeyword("KEYS") && next.isSymbol('(')) {
      return "KEYS";
    } else if (token.isKeyword("IGNORE") && next.isKeyword("NULL")) {
      return "IGNORE NULL UPDATES";
    } else if (token.isKeyword("APPLY") && next.isKeyword("AS")) {
      if (token(i + 2).isKeyword("DELETE")) {
        return "APPLY AS DELETE WHEN";
      }
      return token(i + 2).isKeyword("TRUNCATE") ? "APPLY AS TRUNCATE WHEN" : "APPLY AS";
    } else if (token.isKeyword("SEQUENCE") && next.isKeyword("BY")) {
      return "SEQUENCE BY";
    } else if (token.isKeyword("COLUMNS") && (next.isSymbol('*') || next.isSymbol('('))) {
      return "COLUMNS";
    } else if (token.isKeyword("STORED") && next.isKeyword("AS")) {
      return "STORED AS SCD TYPE";
    } else if (token.isKeyword("TRACK") && next.isKeyword("HISTORY")) {
      return "TRACK HISTORY ON";
    }
    return null;
  }

  /**
   * Whether an expression ends before a token: at a clause, or at a word followed by BY or AS (a
   * misspelled clause such as SEQUENCED BY, which no expression holds outside parentheses).
   */
  private boolean endsExpression(int i, int from) {
    SqlToken token = token(i);
    if (clauseAt(i) != null) {
      return true;
    }
    if (token.type() != SqlToken.Type.IDENTIFIER) {
      return false;
    }
    if (token(i + 1).isKeyword("BY") || token(i + 1).isKeyword("AS")) {
      return true;
    }
    // a word like KEY, TRAK or COLUMN right after an operand, before a list: a misspelled clause
    if (i == from) {
      return false;
    }
    SqlToken previous = token(i - 1);
    boolean afterOperand =
        previous.type() == SqlToken.Type.NUMBER
            || previous.type() == SqlToken.Type.STRING
            || previous.type() == SqlToken.Type.QUOTED_IDENTIFIER
            || previous.isSymbol(')')
            || (previous.type() == SqlToken.Type.IDENTIFIER
                && !OPERATOR_WORDS.contains(previous.upper()));
    SqlToken next = token(i + 1);
    boolean beforeList =
        next.isSymbol('(') || next.isSymbol('*') || next.type() == SqlToken.Type.IDENTIFIER;
    if (!afterOperand || !beforeList || OPERATOR_WORDS.contains(token.upper())) {
      return false;
    }
    for (String lead : CLAUSE_WORDS) {
      if (EditDistance.between(token.upper(), lead) <= (lead.length() >= 6 ? 2 : 1)) {
        return true;
      }
    }
    return false;
  }

  private PipelineException unknownClause(SqlToken token, boolean snapshot, String form) {
    List<String> allowed = snapshot ? SNAPSHOT_CLAUSES : CLAUSES;
    return p.unknownClause(
        token,
        allowed,
        form
            + " INTO takes "
            + String.join(", ", allowed)
            + (snapshot ? "" : " (a condition ends at the next clause)"));
  }

  /** An expression up to the next clause. */
  private AutoCdc.Expression expression(String clause, SqlToken after) {
    int from = p.index;
    int to = expressionEnd(from);
    if (to == from) {
      throw p.error(
          after,
          clause
              + " needs "
              + (clause.startsWith("SEQUENCE") ? "a column" : "a condition")
              + (clause.contains("DELETE")
                  ? ", e.g. APPLY AS DELETE WHEN _op = 'd'"
                  : clause.contains("TRUNCATE") ? ", e.g. APPLY AS TRUNCATE WHEN _op = 't'" : ""));
    }
    p.index = to;
    return expressionOf(from, to);
  }

  private AutoCdc.Expression expressionOf(int from, int to) {
    int start = token(from).start();
    return new AutoCdc.Expression(p.sql.substring(start, token(to - 1).end()), p.position(start));
  }

  private int expressionEnd(int from) {
    int depth = 0;
    int i = from;
    while (i < p.tokens.size()) {
      SqlToken token = token(i);
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')')) {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (depth == 0 && endsExpression(i, from)) {
        break;
      }
      i++;
    }
    return i;
  }

  /** {@code column}, {@code (a, b)} or {@code struct(a, b)}: the expressions compared in order. */
  private List<AutoCdc.Expression> sequence(SqlToken keyword) {
    int from = p.index;
    int to = expressionEnd(from);
    if (to == from) {
      throw p.error(
          token(from),
          "SEQUENCE BY needs the column that orders the changes of a key, e.g. SEQUENCE BY"
              + " _sequence or SEQUENCE BY (ts_ms, lsn)");
    }
    p.index = to;
    int open = -1;
    if (token(from).isSymbol('(')) {
      open = from;
    } else if (token(from).isKeyword("STRUCT") && token(from + 1).isSymbol('(')) {
      open = from + 1;
    }
    if (open < 0 || closing(open) != to - 1) {
      return List.of(expressionOf(from, to));
    }
    List<AutoCdc.Expression> parts = new ArrayList<>();
    int depth = 0;
    int start = open + 1;
    for (int i = open + 1; i < to; i++) {
      SqlToken token = token(i);
      boolean last = i == to - 1;
      if (token.isSymbol('(') && !last) {
        depth++;
      } else if (token.isSymbol(')') && !last) {
        depth--;
      } else if ((depth == 0 && token.isSymbol(',')) || last) {
        if (i == start) {
          throw p.error(
              token, "SEQUENCE BY has an empty element; write e.g. SEQUENCE BY (ts_ms, lsn)");
        }
        parts.add(expressionOf(start, i));
        start = i + 1;
      }
    }
    return parts;
  }

  /** The index of the parenthesis closing the one at {@code open}, or -1. */
  private int closing(int open) {
    int depth = 0;
    for (int i = open; i < p.tokens.size(); i++) {
      if (token(i).isSymbol('(')) {
        depth++;
      } else if (token(i).isSymbol(')') && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** {@code (a, b)}: the column names, each once. */
  private List<SqlToken> columnList(String clause) {
    SqlToken open = p.next("( after " + clause);
    if (!open.isSymbol('(')) {
      throw p.error(
          open,
          "expected ( after "
              + clause
              + ", e.g. "
              + clause
              + " (id), not "
              + DatasetStatementParser.describe(open));
    }
    List<SqlToken> columns = new ArrayList<>();
    while (true) {
      SqlToken column = p.next("a column name");
      if (!column.isIdentifier()) {
        throw p.error(
            column,
            "expected a column name in "
                + clause
                + " (...), not "
                + DatasetStatementParser.describe(column));
      }
      for (SqlToken other : columns) {
        if (other.value().equalsIgnoreCase(column.value())) {
          throw p.error(column, column.value() + " is named twice in " + clause + " (...)");
        }
      }
      columns.add(column);
      if (!p.listGoesOn(clause)) {
        return columns;
      }
    }
  }

  /** {@code * [EXCEPT (a, b)]} or {@code (a, b)}. */
  private ColumnTokens columns(SqlToken keyword, String clause) {
    SqlToken token = p.peek();
    if (token.isSymbol('(')) {
      return new ColumnTokens(columnList(clause), List.of(), keyword);
    }
    if (!token.isSymbol('*')) {
      throw p.error(
          token,
          "expected * or a column list after "
              + clause
              + ": "
              + clause
              + " * EXCEPT (a, b) or "
              + clause
              + " (a, b), not "
              + DatasetStatementParser.describe(token));
    }
    p.index++;
    if (p.peek().isKeyword("EXCEPT")) {
      p.index++;
      return new ColumnTokens(List.of(), columnList(clause + " * EXCEPT"), keyword);
    }
    if (p.peek().type() == SqlToken.Type.IDENTIFIER
        && p.peek(1).isSymbol('(')
        && EditDistance.between(p.peek().upper(), "EXCEPT") <= 2) {
      throw p.error(
          p.peek(),
          "unknown word '" + p.peek().value() + "' after " + clause + " * (did you mean EXCEPT?)");
    }
    return new ColumnTokens(List.of(), List.of(), keyword);
  }

  /** After STORED AS: {@code SCD TYPE 1} or {@code SCD TYPE 2}. */
  private AutoCdc.ScdType scdType() {
    SqlToken scd = p.next("SCD TYPE 1 or 2");
    if (!scd.isKeyword("SCD")) {
      throw p.error(
          scd,
          "expected SCD TYPE 1 or SCD TYPE 2 after STORED AS, not "
              + DatasetStatementParser.describe(scd)
              + DatasetStatementParser.suggestion(scd.upper(), List.of("SCD")));
    }
    SqlToken type = p.next("TYPE");
    if (!type.isKeyword("TYPE")) {
      throw p.error(
          type,
          "expected TYPE after STORED AS SCD, not "
              + DatasetStatementParser.describe(type)
              + DatasetStatementParser.suggestion(type.upper(), List.of("TYPE")));
    }
    SqlToken number = p.next("1 or 2");
    if (number.type() == SqlToken.Type.NUMBER && number.value().equals("1")) {
      return AutoCdc.ScdType.TYPE_1;
    }
    if (number.type() == SqlToken.Type.NUMBER && number.value().equals("2")) {
      return AutoCdc.ScdType.TYPE_2;
    }
    throw p.error(
        number,
        (number.type() == SqlToken.Type.NUMBER
                ? "SCD type " + number.value() + " is not supported"
                : "expected 1 or 2 after STORED AS SCD TYPE, not "
                    + DatasetStatementParser.describe(number))
            + "; STORED AS SCD TYPE 1 keeps the current row of each key, SCD TYPE 2 every version"
            + " (with __START_AT and __END_AT)");
  }

  private AutoCdc check(
      Clauses clauses,
      Optional<String> flowName,
      boolean snapshot,
      String form,
      String target,
      SqlToken start) {
    if (clauses.keys.isEmpty()) {
      throw p.error(
          start,
          form
              + " INTO "
              + target
              + " needs KEYS (...): the columns that identify a row, e.g. KEYS (id)");
    }
    if (!snapshot && clauses.sequenceBy.isEmpty()) {
      throw p.error(
          start,
          form
              + " INTO "
              + target
              + " needs SEQUENCE BY: what orders the changes of a key, e.g. SEQUENCE BY _sequence"
              + " (Debezium sources) or SEQUENCE BY (ts_ms, lsn)");
    }
    SqlToken stored = clauses.seen.get("STORED AS SCD TYPE");
    if (clauses.scdType == AutoCdc.ScdType.TYPE_1 && clauses.trackHistory != null) {
      throw p.error(
          clauses.trackHistory.keyword(),
          "TRACK HISTORY ON is for STORED AS SCD TYPE 2; "
              + target
              + " is stored as SCD type 1"
              + (stored == null ? " (the default)" : "")
              + ", which keeps no history: add STORED AS SCD TYPE 2, or remove TRACK HISTORY ON");
    }
    if (clauses.scdType == AutoCdc.ScdType.TYPE_2 && clauses.truncateWhen.isPresent()) {
      throw p.error(
          clauses.seen.get("APPLY AS TRUNCATE WHEN"),
          "APPLY AS TRUNCATE WHEN is only for STORED AS SCD TYPE 1: a truncate would erase the"
              + " history an SCD type 2 table keeps; remove it, or store "
              + target
              + " as SCD TYPE 1");
    }
    ColumnTokens columns = clauses.columns;
    if (columns != null) {
      for (SqlToken key : clauses.keys) {
        for (SqlToken left : columns.except()) {
          if (left.value().equalsIgnoreCase(key.value())) {
            throw p.error(
                left,
                "key "
                    + key.value()
                    + " is left out by COLUMNS * EXCEPT (...), but the target keeps its keys;"
                    + " remove "
                    + left.value()
                    + " from EXCEPT");
          }
        }
        List<String> included = values(columns.include());
        if (!included.isEmpty() && !containsIgnoreCase(included, key.value())) {
          throw p.error(
              key,
              "key "
                  + key.value()
                  + " is not among COLUMNS ("
                  + String.join(", ", included)
                  + ")"
                  + DatasetStatementParser.suggestion(key.value(), included)
                  + "; the target keeps its keys: add it to COLUMNS");
        }
      }
      List<String> included = values(columns.include());
      if (clauses.trackHistory != null && !included.isEmpty()) {
        for (SqlToken tracked : clauses.trackHistory.include()) {
          if (!containsIgnoreCase(included, tracked.value())) {
            throw p.error(
                tracked,
                "TRACK HISTORY ON names "
                    + tracked.value()
                    + ", which is not among COLUMNS ("
                    + String.join(", ", included)
                    + ")"
                    + DatasetStatementParser.suggestion(tracked.value(), included));
          }
        }
      }
    }
    return new AutoCdc(
        flowName,
        snapshot,
        values(clauses.keys),
        clauses.sequenceBy,
        clauses.deleteWhen,
        clauses.truncateWhen,
        columns == null ? AutoCdc.Columns.all() : columnsOf(columns),
        clauses.scdType,
        clauses.trackHistory == null ? AutoCdc.Columns.all() : columnsOf(clauses.trackHistory),
        clauses.ignoreNullUpdates,
        p.position(start.start()));
  }

  private AutoCdc.Columns columnsOf(ColumnTokens tokens) {
    return new AutoCdc.Columns(
        values(tokens.include()), values(tokens.except()), p.position(tokens.keyword().start()));
  }

  private static List<String> values(List<SqlToken> tokens) {
    return tokens.stream().map(SqlToken::value).toList();
  }

  private static boolean containsIgnoreCase(List<String> names, String name) {
    return names.stream().anyMatch(name::equalsIgnoreCase);
  }

  /** The text of tokens as written, e.g. {@code silver.`customers`}. */
  private String raw(int from, int to) {
    StringBuilder text = new StringBuilder();
    for (int i = from; i < to; i++) {
      text.append(p.sql, token(i).start(), token(i).end());
    }
    return text.toString();
  }

  private SqlToken token(int i) {
    return i < p.tokens.size() ? p.tokens.get(i) : p.end();
  }
}

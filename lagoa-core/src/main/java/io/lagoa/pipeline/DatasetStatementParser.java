package io.lagoa.pipeline;

import io.lagoa.sql.Statement;
import io.lagoa.text.EditDistance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the head of a pipeline statement, up to the {@code AS} before its query: what it defines,
 * its name, and the clauses Lagoa adds to Spark's grammar. Spark 4.1's parser accepts {@code CREATE
 * MATERIALIZED VIEW} and {@code CREATE STREAMING TABLE} with columns, COMMENT, PARTITIONED BY and
 * TBLPROPERTIES, but rejects {@code CONSTRAINT ... EXPECT}, so those clauses (and {@code KEYS},
 * {@code SEQUENCE BY}, {@code OR REFRESH}) are parsed here from tokens and blanked out of the text
 * handed to Spark; everything else, including the query, is left to Spark. {@code AUTO CDC INTO}
 * flows are read by {@link AutoCdcParser}.
 */
public final class DatasetStatementParser {
  static final String EXPECTED =
      "a pipeline file holds only CREATE MATERIALIZED VIEW, CREATE STREAMING TABLE,"
          + " CREATE TEMPORARY VIEW, CREATE FLOW ... AS AUTO CDC INTO, CREATE IDENTITY GRAPH,"
          + " the Data Vault's CREATE HUB / LINK / SATELLITE / EFFECTIVITY SATELLITE / PIT /"
          + " BRIDGE and CREATE FLOW ... AS LOAD statements";

  final String file;
  final Statement statement;
  final String sql;
  private final ExpectationPolicy defaultPolicy;
  final char[] engineSql;
  List<SqlToken> tokens;
  int index;

  private DatasetStatementParser(
      String file, Statement statement, ExpectationPolicy defaultPolicy) {
    this.file = file;
    this.statement = statement;
    this.sql = statement.sql();
    this.defaultPolicy = defaultPolicy;
    this.engineSql = sql.toCharArray();
  }

  /**
   * Parses one statement; for the declaration of an AUTO CDC target, its statement without a query
   * ({@link #read} tells the two apart).
   *
   * @param defaultPolicy the policy of expectations without ON VIOLATION
   * @throws PipelineException naming file:line:col of the problem
   */
  public static DatasetStatement parse(
      String file, Statement statement, ExpectationPolicy defaultPolicy) {
    return read(file, statement, defaultPolicy).dataset();
  }

  /**
   * Parses one statement: a definition, an {@code AUTO CDC INTO} flow (a definition of its target)
   * or the declaration of a flow's target ({@code CREATE STREAMING TABLE name} without a query).
   *
   * @param defaultPolicy the policy of expectations without ON VIOLATION
   * @throws PipelineException naming file:line:col of the problem
   */
  public static ParsedStatement read(
      String file, Statement statement, ExpectationPolicy defaultPolicy) {
    return new DatasetStatementParser(file, statement, defaultPolicy).parse();
  }

  private ParsedStatement parse() {
    try {
      tokens = SqlTokenizer.tokenize(sql);
    } catch (IllegalArgumentException e) {
      int offset = Integer.parseInt(e.getMessage().replaceAll(".*offset ", ""));
      throw PipelineException.at(position(offset), e.getMessage().replaceAll(" starting at.*", ""));
    }
    if (peek().isKeyword("AUTO") || peek().isKeyword("APPLY")) {
      return new AutoCdcParser(this).parse(Optional.empty());
    }
    SqlToken first = next("CREATE");
    if (!first.isKeyword("CREATE")) {
      throw error(first, EXPECTED + "; this one starts with " + wordsFrom(first));
    }
    DatasetKind kind;
    if (peek().isKeyword("OR") && peek(1).isKeyword("REFRESH")) {
      blank(peek().start(), peek(1).end());
      index += 2;
    } else if (peek().isKeyword("OR") && peek(1).isKeyword("REPLACE")) {
      index += 2;
      if (!(peek().isKeyword("TEMPORARY") || peek().isKeyword("TEMP"))) {
        throw error(
            peek(),
            "OR REPLACE is only for temporary views; use CREATE MATERIALIZED VIEW"
                + " or CREATE STREAMING TABLE (every run refreshes them)");
      }
    }
    if (peek().isKeyword("IDENTITY")) {
      return new IdentityGraphParser(this).parse(first);
    }
    SqlToken word = next("MATERIALIZED VIEW, STREAMING TABLE or TEMPORARY VIEW");
    if (word.isKeyword("MATERIALIZED") && peek().isKeyword("VIEW")) {
      index++;
      kind = DatasetKind.MATERIALIZED_VIEW;
    } else if (word.isKeyword("STREAMING") && peek().isKeyword("TABLE")) {
      index++;
      kind = DatasetKind.STREAMING_TABLE;
    } else if ((word.isKeyword("TEMPORARY") || word.isKeyword("TEMP"))
        && peek().isKeyword("VIEW")) {
      index++;
      kind = DatasetKind.TEMPORARY_VIEW;
    } else if (word.isKeyword("LIVE") || word.isKeyword("TABLE") || word.isKeyword("VIEW")) {
      throw error(
          word,
          "CREATE "
              + word.upper()
              + " is not a pipeline definition; write CREATE"
              + " MATERIALIZED VIEW (recomputed each run), CREATE STREAMING TABLE (incremental) or"
              + " CREATE TEMPORARY VIEW (an intermediate step)");
    } else if (word.isKeyword("FLOW")) {
      return new AutoCdcParser(this).flow(word);
    } else if (VaultParser.startsDeclaration(word, peek())) {
      return new VaultParser(this).declaration(word);
    } else {
      throw error(word, EXPECTED + "; this one starts with CREATE " + wordsFrom(word));
    }
    if (peek().isKeyword("IF")) {
      throw error(
          peek(),
          "IF NOT EXISTS does not apply to pipeline definitions: every run"
              + " brings the "
              + kind.description()
              + " up to date; remove it");
    }
    SqlToken nameStart = peek();
    List<String> name = name();
    List<Expectation> expectations = new ArrayList<>();
    if (peek().isSymbol('(')) {
      columnList(kind, expectations);
    }
    List<String> keys = new ArrayList<>();
    Optional<String> sequenceBy = Optional.empty();
    int depth = 0;
    while (true) {
      SqlToken token = peek();
      if (isEnd(token) && depth == 0 && kind == DatasetKind.STREAMING_TABLE) {
        return declaration(nameStart, name, expectations, keys, sequenceBy);
      }
      if (isEnd(token)) {
        throw error(
            null, "expected AS followed by the query that defines " + String.join(".", name));
      }
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')')) {
        depth--;
      } else if (depth == 0 && token.isKeyword("AS")) {
        break;
      } else if (depth == 0 && token.isKeyword("KEYS")) {
        if (kind != DatasetKind.STREAMING_TABLE) {
          throw error(
              token,
              "KEYS is only for streaming tables: a "
                  + kind.description()
                  + " is replaced as a whole on every run");
        }
        if (!keys.isEmpty()) {
          throw error(token, "KEYS is given twice");
        }
        keys.addAll(keyList(token));
        continue;
      } else if (depth == 0 && token.isKeyword("SEQUENCE") && peek(1).isKeyword("BY")) {
        if (kind != DatasetKind.STREAMING_TABLE) {
          throw error(token, "SEQUENCE BY is only for streaming tables with KEYS");
        }
        index += 2;
        SqlToken column = next("a column name after SEQUENCE BY");
        if (!column.isIdentifier()) {
          throw error(column, "expected a column name after SEQUENCE BY, not " + describe(column));
        }
        sequenceBy = Optional.of(column.value());
        blank(token.start(), column.end());
        continue;
      }
      index++;
    }
    if (sequenceBy.isPresent() && keys.isEmpty()) {
      throw error(nameStart, "SEQUENCE BY needs KEYS (...): it orders the changes to one key");
    }
    if (isEnd(peek(1))) {
      throw error(peek(), "expected the query after AS");
    }
    List<SourceCall> sources = sourceCalls(kind, index, tokens.size());
    return new ParsedStatement.Definition(
        new DatasetStatement(
            file,
            kind,
            name,
            position(nameStart.start()),
            expectations,
            keys,
            sequenceBy,
            new String(engineSql),
            statement,
            sources));
  }

  /**
   * {@code CREATE STREAMING TABLE name ...} without a query: the target of an AUTO CDC flow, which
   * may be in another file.
   */
  private ParsedStatement declaration(
      SqlToken nameStart,
      List<String> name,
      List<Expectation> expectations,
      List<String> keys,
      Optional<String> sequenceBy) {
    String dotted = String.join(".", name);
    if (!keys.isEmpty() || sequenceBy.isPresent()) {
      throw error(
          nameStart,
          "KEYS and SEQUENCE BY of a declared streaming table belong in the flow that writes into"
              + " it: CREATE FLOW ... AS AUTO CDC INTO "
              + dotted
              + " FROM STREAM(...) KEYS (...) SEQUENCE BY ...; or give "
              + dotted
              + " a query: CREATE STREAMING TABLE "
              + dotted
              + " KEYS (...) AS SELECT ...");
    }
    String text = new String(engineSql);
    List<SqlToken> clauses = SqlTokenizer.tokenize(text.substring(nameStart.start()));
    StringBuilder head = new StringBuilder("CREATE STREAMING TABLE");
    int previousEnd = -1;
    for (SqlToken token : clauses) {
      if (token.start() != previousEnd) {
        head.append(' ');
      }
      head.append(text, nameStart.start() + token.start(), nameStart.start() + token.end());
      previousEnd = token.end();
    }
    DatasetStatement declared =
        new DatasetStatement(
            file,
            DatasetKind.STREAMING_TABLE,
            name,
            position(nameStart.start()),
            expectations,
            List.of(),
            Optional.empty(),
            text,
            statement,
            List.of());
    return new ParsedStatement.Declaration(declared, head.toString());
  }

  /**
   * Finds the source function calls in the query ({@code read_kafka(...)}, {@code read_files(...)},
   * each optionally as {@code STREAM f(...)} or {@code STREAM(f(...))}), reads their arguments and
   * puts a placeholder relation in their place for Spark's parser.
   */
  List<SourceCall> sourceCalls(DatasetKind kind, int from, int to) {
    List<SourceCall> calls = new ArrayList<>();
    int resume = index;
    for (int i = from; i < to; i++) {
      SqlToken word = tokens.get(i);
      Optional<SourceCall.SourceKind> sourceKind =
          word.type() == SqlToken.Type.IDENTIFIER
              ? SourceCall.SourceKind.of(word.value())
              : Optional.empty();
      if (sourceKind.isEmpty() || i + 1 >= tokens.size() || !tokens.get(i + 1).isSymbol('(')) {
        continue;
      }
      boolean streaming = false;
      boolean wrapped = false;
      int start = word.start();
      if (i >= 1 && tokens.get(i - 1).isKeyword("STREAM")) {
        streaming = true;
        start = tokens.get(i - 1).start();
      } else if (i >= 2
          && tokens.get(i - 1).isSymbol('(')
          && tokens.get(i - 2).isKeyword("STREAM")) {
        streaming = true;
        wrapped = true;
        start = tokens.get(i - 2).start();
      }
      index = i + 2;
      java.util.Map<String, SourceCall.Argument> arguments = arguments(sourceKind.get(), word);
      int end = tokens.get(index - 1).end(); // the call's closing parenthesis
      if (wrapped) {
        SqlToken close = next(") after STREAM(" + word.value() + "(...)");
        if (!close.isSymbol(')')) {
          throw error(
              close,
              "expected ) to close STREAM(" + word.value() + "(...)), not " + describe(close));
        }
        end = close.end();
      }
      SourceCall call =
          new SourceCall(
              sourceKind.get(),
              calls.size() + 1,
              streaming,
              arguments,
              position(start),
              start,
              end,
              word.start());
      SourceArguments.check(call, kind)
          .ifPresent(
              problem -> {
                throw PipelineException.at(problem.position(), problem.message());
              });
      calls.add(call);
      blank(start, end);
      String placeholder = call.placeholder();
      placeholder.getChars(0, placeholder.length(), engineSql, word.start());
      i = index - 1;
    }
    index = resume;
    return calls;
  }

  /** {@code name => value, ...} up to the closing parenthesis. */
  private java.util.Map<String, SourceCall.Argument> arguments(
      SourceCall.SourceKind kind, SqlToken function) {
    java.util.Map<String, SourceCall.Argument> arguments = new java.util.LinkedHashMap<>();
    String name = function.value();
    if (peek().isSymbol(')')) {
      index++;
      return arguments;
    }
    while (true) {
      SqlToken first = next("an argument of " + name);
      SqlToken argumentName;
      SqlToken value;
      if (first.type() == SqlToken.Type.STRING
          && arguments.isEmpty()
          && kind == SourceCall.SourceKind.FILES) {
        argumentName = new SqlToken(SqlToken.Type.IDENTIFIER, "path", first.start(), first.end());
        value = first;
      } else {
        if (!first.isIdentifier() || !peek().isSymbol('=') || !peek(1).isSymbol('>')) {
          throw error(
              first,
              "expected an argument of "
                  + name
                  + " written name => 'value', e.g. "
                  + switch (kind) {
                    case KAFKA -> "topic => 'events'";
                    case FILES -> "format => 'json'";
                    case POSTGRES_CDC -> "table => 'public.customers'";
                  }
                  + ", not "
                  + describe(first));
        }
        index += 2;
        argumentName = first;
        value = next("the value of " + first.value());
        if (value.isSymbol('-') && peek().type() == SqlToken.Type.NUMBER) {
          SqlToken number = next("a number");
          value =
              new SqlToken(SqlToken.Type.NUMBER, "-" + number.value(), value.start(), number.end());
        }
        boolean literal =
            value.type() == SqlToken.Type.STRING
                || value.type() == SqlToken.Type.NUMBER
                || value.isKeyword("TRUE")
                || value.isKeyword("FALSE");
        if (!literal) {
          throw error(
              value,
              "the value of "
                  + first.value()
                  + " must be a string, a number, TRUE"
                  + " or FALSE, not "
                  + describe(value));
        }
      }
      String key = argumentName.value().toLowerCase(java.util.Locale.ROOT);
      if (arguments.containsKey(key)) {
        throw error(argumentName, name + " argument " + key + " is given twice");
      }
      String text = value.type() == SqlToken.Type.IDENTIFIER ? value.upper() : value.value();
      arguments.put(
          key,
          new SourceCall.Argument(
              key, text, position(argumentName.start()), position(value.start())));
      SqlToken separator = next(", or ) after the arguments of " + name);
      if (separator.isSymbol(')')) {
        return arguments;
      }
      if (!separator.isSymbol(',')) {
        throw error(
            separator,
            "expected , or ) after an argument of " + name + ", not " + describe(separator));
      }
    }
  }

  List<String> name() {
    List<String> parts = new ArrayList<>();
    while (true) {
      SqlToken part = next("a name");
      if (!part.isIdentifier()) {
        throw error(part, "expected the dataset's name, e.g. silver.users, not " + describe(part));
      }
      parts.add(part.value());
      if (peek().isSymbol('.')) {
        index++;
      } else {
        return parts;
      }
    }
  }

  /** The parenthesized list after the name: column definitions (Spark's) and constraints (ours). */
  private void columnList(DatasetKind kind, List<Expectation> expectations) {
    SqlToken open = next("(");
    int listStart = open.start();
    boolean anyColumn = false;
    List<int[]> constraintSpans = new ArrayList<>();
    List<int[]> commas = new ArrayList<>();
    while (true) {
      SqlToken first = peek();
      if (isEnd(first)) {
        throw error(open, "this parenthesis is never closed");
      }
      int elementStart = first.start();
      if (first.isKeyword("CONSTRAINT") && peek(2).isKeyword("EXPECT")) {
        if (kind == DatasetKind.TEMPORARY_VIEW) {
          throw error(
              first,
              "expectations go on materialized views and streaming tables, not on"
                  + " temporary views; put this CONSTRAINT on the table that reads the view");
        }
        Expectation expectation = constraint(expectations);
        expectations.add(expectation);
        constraintSpans.add(new int[] {elementStart, tokens.get(index - 1).end()});
      } else if (first.isKeyword("CONSTRAINT")) {
        // A CHECK, PRIMARY KEY... constraint: Spark's parser explains that pipelines reject it.
        skipElement();
        anyColumn = true;
      } else {
        skipElement();
        anyColumn = true;
      }
      SqlToken separator = next(", or )");
      if (separator.isSymbol(')')) {
        if (!anyColumn) {
          blank(listStart, separator.end());
        } else {
          blankConstraints(constraintSpans, commas);
        }
        return;
      }
      if (!separator.isSymbol(',')) {
        throw error(separator, "expected , or ) but found " + describe(separator));
      }
      commas.add(new int[] {separator.start(), separator.end()});
    }
  }

  /** Blanks each constraint with the comma that separates it from its neighbour. */
  private void blankConstraints(List<int[]> spans, List<int[]> commas) {
    // commas.get(i) follows element i; find each constraint's neighbouring comma by position
    for (int[] span : spans) {
      int[] after = null;
      int[] before = null;
      for (int[] comma : commas) {
        if (comma[0] >= span[1] && (after == null || comma[0] < after[0])) {
          after = comma;
        }
        if (comma[1] <= span[0] && (before == null || comma[0] > before[0])) {
          before = comma;
        }
      }
      blank(span[0], span[1]);
      int[] comma = after != null ? after : before;
      if (comma != null) {
        blank(comma[0], comma[1]);
        commas.remove(comma);
      }
    }
  }

  private void skipElement() {
    int depth = 0;
    while (!isEnd(peek())) {
      SqlToken token = peek();
      if (depth == 0 && (token.isSymbol(',') || token.isSymbol(')'))) {
        return;
      }
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')')) {
        depth--;
      }
      index++;
    }
  }

  private Expectation constraint(List<Expectation> earlier) {
    SqlToken keyword = next("CONSTRAINT");
    SqlToken name = next("the constraint's name");
    if (!name.isIdentifier()) {
      throw error(name, "expected the constraint's name after CONSTRAINT, not " + describe(name));
    }
    for (Expectation other : earlier) {
      if (other.name().equalsIgnoreCase(name.value())) {
        throw error(name, "constraint " + name.value() + " is defined twice in this statement");
      }
    }
    next("EXPECT");
    SqlToken open = next("( after EXPECT");
    if (!open.isSymbol('(')) {
      throw error(
          open, "expected ( after EXPECT: CONSTRAINT " + name.value() + " EXPECT (condition)");
    }
    int depth = 1;
    SqlToken close = null;
    while (close == null) {
      SqlToken token = next(")");
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')') && --depth == 0) {
        close = token;
      }
    }
    String condition = sql.substring(open.end(), close.start());
    if (condition.isBlank()) {
      throw error(open, "EXPECT needs a condition between the parentheses");
    }
    ExpectationPolicy policy = defaultPolicy;
    if (peek().isKeyword("ON")) {
      index++;
      SqlToken violation = next("VIOLATION");
      if (!violation.isKeyword("VIOLATION")) {
        throw error(violation, "expected ON VIOLATION, not ON " + violation.value());
      }
      SqlToken action = next("DROP ROW, FAIL UPDATE, QUARANTINE or WARN");
      if (action.isKeyword("DROP")) {
        policy = ExpectationPolicy.DROP;
        optional("ROW");
      } else if (action.isKeyword("FAIL")) {
        policy = ExpectationPolicy.FAIL;
        optional("UPDATE");
      } else if (action.isKeyword("QUARANTINE")) {
        policy = ExpectationPolicy.QUARANTINE;
        optional("ROW");
      } else if (action.isKeyword("WARN")) {
        policy = ExpectationPolicy.WARN;
      } else {
        throw error(
            action,
            "unknown violation action "
                + describe(action)
                + "; use DROP ROW, FAIL UPDATE, QUARANTINE or WARN");
      }
    }
    return new Expectation(
        name.value(), condition, policy, position(open.end()), position(keyword.start()));
  }

  private List<String> keyList(SqlToken keyword) {
    index++;
    SqlToken open = next("( after KEYS");
    if (!open.isSymbol('(')) {
      throw error(open, "expected ( after KEYS, e.g. KEYS (customer_id)");
    }
    List<String> keys = new ArrayList<>();
    while (true) {
      SqlToken column = next("a column name");
      if (!column.isIdentifier()) {
        throw error(column, "expected a column name in KEYS (...), not " + describe(column));
      }
      keys.add(column.value());
      SqlToken separator = next(", or )");
      if (separator.isSymbol(')')) {
        blank(keyword.start(), separator.end());
        return keys;
      }
      if (!separator.isSymbol(',')) {
        throw error(separator, "expected , or ) in KEYS (...), not " + describe(separator));
      }
    }
  }

  private void optional(String keyword) {
    if (peek().isKeyword(keyword)) {
      index++;
    }
  }

  SqlToken peek() {
    return peek(0);
  }

  SqlToken peek(int ahead) {
    int at = index + ahead;
    return at < tokens.size() ? tokens.get(at) : end();
  }

  /** Stands for the end of the statement, so lookahead needs no null checks. */
  SqlToken end() {
    return new SqlToken(SqlToken.Type.SYMBOL, "", sql.length(), sql.length());
  }

  static boolean isEnd(SqlToken token) {
    return token.type() == SqlToken.Type.SYMBOL && token.value().isEmpty();
  }

  SqlToken next(String expected) {
    if (index >= tokens.size()) {
      throw error(null, "the statement ends where " + expected + " was expected");
    }
    return tokens.get(index++);
  }

  void blank(int start, int end) {
    for (int i = start; i < end; i++) {
      if (engineSql[i] != '\n' && engineSql[i] != '\r') {
        engineSql[i] = ' ';
      }
    }
  }

  PipelineException error(SqlToken at, String message) {
    int offset = at == null ? sql.length() : at.start();
    return PipelineException.at(position(offset), message);
  }

  SourcePosition position(int offset) {
    return DatasetStatement.positionIn(file, statement, sql, offset);
  }

  /**
   * The error for {@code token} where one of {@code clauses} should stand, naming the clause it
   * most likely meant (by its first two words); {@code takes} ends the message: what the statement
   * takes.
   */
  PipelineException unknownClause(SqlToken token, List<String> clauses, String takes) {
    SqlToken next = peek(1);
    String written =
        next.type() == SqlToken.Type.IDENTIFIER
            ? token.upper() + " " + next.upper()
            : token.upper();
    Optional<String> best = Optional.empty();
    if (token.type() == SqlToken.Type.IDENTIFIER) {
      int bestDistance = Integer.MAX_VALUE;
      for (String clause : clauses) {
        String[] words = clause.split(" ");
        String lead = words.length > 1 ? words[0] + " " + words[1] : words[0];
        int distance = EditDistance.between(lead, words.length > 1 ? written : token.upper());
        if (distance <= Math.max(2, lead.length() / 4) && distance < bestDistance) {
          bestDistance = distance;
          best = Optional.of(clause);
        }
      }
    }
    String what =
        token.type() == SqlToken.Type.IDENTIFIER
            ? "unknown clause '" + written + "'"
            : "unexpected " + describe(token);
    return error(
        token,
        what + best.map(clause -> " (did you mean " + clause + "?)").orElse("") + "; " + takes);
  }

  /** From {@code open}, the parser's token, past its closing parenthesis. */
  void skipParenthesized(SqlToken open) {
    int depth = 0;
    while (true) {
      SqlToken token = peek();
      if (isEnd(token)) {
        throw error(open, "this parenthesis is never closed");
      }
      index++;
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')') && --depth == 0) {
        return;
      }
    }
  }

  /**
   * Reads what follows an item of {@code clause (a, b, ...)}: true after a comma (another item
   * comes), false after the closing parenthesis; anything else is an error.
   */
  boolean listGoesOn(String clause) {
    SqlToken separator = next(", or )");
    if (separator.isSymbol(')')) {
      return false;
    }
    if (!separator.isSymbol(',')) {
      throw error(separator, "expected , or ) in " + clause + " (...), not " + describe(separator));
    }
    return true;
  }

  /** " (did you mean X?)" for the closest of {@code known} other than what was written, or "". */
  static String suggestion(String written, List<String> known) {
    return EditDistance.closest(written, known)
        .filter(best -> !best.equalsIgnoreCase(written))
        .map(best -> " (did you mean " + best + "?)")
        .orElse("");
  }

  static String describe(SqlToken token) {
    return switch (token.type()) {
      case STRING -> "the string '" + token.value() + "'";
      case NUMBER -> "the number " + token.value();
      case SYMBOL -> "'" + token.value() + "'";
      default -> "'" + token.value() + "'";
    };
  }

  String wordsFrom(SqlToken token) {
    int end = Math.min(sql.length(), token.start() + 40);
    int newline = sql.indexOf('\n', token.start());
    if (newline >= 0 && newline < end) {
      end = newline;
    }
    return "'" + sql.substring(token.start(), end).strip() + "'";
  }
}

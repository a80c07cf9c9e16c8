package io.lagoa.pipeline;

import io.lagoa.identity.KeyKind;
import io.lagoa.identity.MatchKey;
import io.lagoa.identity.MatchRules;
import io.lagoa.sql.Statement;
import io.lagoa.text.EditDistance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code CREATE IDENTITY GRAPH name MATCH ON ... AS query} into the {@link DatasetStatement}
 * of the graph's table, a streaming table whose {@link DatasetStatement#identityGraph()} holds the
 * {@link MatchRules}:
 *
 * <pre>
 * CREATE IDENTITY GRAPH silver.persons
 * MATCH ON email, document, phone IF NAME SIMILARITY &gt;= 0.85 MAX NAMES 6
 * MAX NAMES PER KEY 3
 * PHONE REGION 'BR'
 * AS SELECT 'crm' AS source, id AS record_id, nome AS name, email, celular AS phone, cpf AS document
 *    FROM STREAM(bronze.crm_contacts)
 * </pre>
 *
 * <p>Like {@link AutoCdcParser}, the text handed to Spark is {@code CREATE STREAMING TABLE name AS}
 * on a line of its own, then the statement with everything before its query blanked out, so every
 * position in the query is its place in the file.
 */
final class IdentityGraphParser {
  private static final List<String> CLAUSES =
      List.of("MATCH ON", "MAX NAMES PER KEY", "PHONE REGION");
  static final String EXAMPLE =
      "CREATE IDENTITY GRAPH silver.persons MATCH ON email, document, phone IF NAME SIMILARITY >="
          + " 0.85 AS SELECT source, record_id, name, email, phone, document FROM STREAM(...)";

  private final DatasetStatementParser p;

  IdentityGraphParser(DatasetStatementParser parser) {
    this.p = parser;
  }

  /** After {@code CREATE}: IDENTITY GRAPH, the name, the clauses, AS and the query. */
  ParsedStatement parse(SqlToken create) {
    SqlToken identity = p.next("IDENTITY");
    SqlToken graph = p.next("GRAPH");
    if (!graph.isKeyword("GRAPH")) {
      throw p.error(
          graph,
          "expected GRAPH after CREATE IDENTITY, not "
              + DatasetStatementParser.describe(graph)
              + ": "
              + EXAMPLE);
    }
    SqlToken nameStart = p.peek();
    if (!nameStart.isIdentifier()) {
      throw p.error(
          nameStart,
          "expected the graph's name after CREATE IDENTITY GRAPH, e.g. silver.persons, not "
              + DatasetStatementParser.describe(nameStart));
    }
    int nameIndex = p.index;
    List<String> name = p.name();
    String nameText = p.sql.substring(nameStart.start(), p.tokens.get(p.index - 1).end());
    String dotted = String.join(".", name);
    List<MatchKey> keys = null;
    int maxNames = MatchRules.DEFAULT_MAX_NAMES_PER_KEY;
    String region = MatchRules.DEFAULT_PHONE_REGION;
    List<String> seen = new ArrayList<>();
    SqlToken as;
    while (true) {
      SqlToken token = p.peek();
      if (DatasetStatementParser.isEnd(token)) {
        throw p.error(
            null,
            "expected AS and the query that delivers the records of identity graph "
                + dotted
                + ": "
                + EXAMPLE);
      }
      if (token.isKeyword("AS")) {
        as = p.next("AS");
        break;
      }
      String clause = clauseAt(token);
      if (clause == null) {
        throw unknownClause(token, dotted);
      }
      if (seen.contains(clause)) {
        throw p.error(token, clause + " is given twice");
      }
      seen.add(clause);
      p.index += clause.split(" ").length;
      switch (clause) {
        case "MATCH ON" -> keys = keys(token);
        case "MAX NAMES PER KEY" -> maxNames = maxNames("MAX NAMES PER KEY");
        default -> region = region();
      }
    }
    if (keys == null) {
      throw p.error(
          nameStart,
          "identity graph "
              + dotted
              + " needs MATCH ON and the keys that make records one person, e.g. MATCH ON email,"
              + " document, phone IF NAME SIMILARITY >= 0.85");
    }
    if (DatasetStatementParser.isEnd(p.peek())) {
      throw p.error(as, "expected the query after AS");
    }
    MatchRules rules = new MatchRules(keys, maxNames, region);
    int queryFrom = p.index;
    List<SourceCall> sources =
        p.sourceCalls(DatasetKind.STREAMING_TABLE, queryFrom, p.tokens.size());
    p.blank(0, as.end());
    String head = "CREATE STREAMING TABLE " + nameText + " AS";
    String padding = " ".repeat(Math.max(0, p.statement.column() - 1));
    String text = head + "\n" + padding + new String(p.engineSql);
    int shift = head.length() + 1 + padding.length();
    return new ParsedStatement.Definition(
        new DatasetStatement(
            p.file,
            DatasetKind.STREAMING_TABLE,
            name,
            p.position(nameStart.start()),
            List.of(),
            List.of(),
            Optional.empty(),
            text,
            new Statement(text, p.statement.line() - 1, 1),
            sources.stream().map(call -> call.shifted(shift)).toList(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(rules)));
  }

  private String clauseAt(SqlToken token) {
    if (token.isKeyword("MATCH") && p.peek(1).isKeyword("ON")) {
      return "MATCH ON";
    }
    if (token.isKeyword("MAX")
        && p.peek(1).isKeyword("NAMES")
        && p.peek(2).isKeyword("PER")
        && p.peek(3).isKeyword("KEY")) {
      return "MAX NAMES PER KEY";
    }
    if (token.isKeyword("PHONE") && p.peek(1).isKeyword("REGION")) {
      return "PHONE REGION";
    }
    return null;
  }

  private PipelineException unknownClause(SqlToken token, String graph) {
    String written =
        p.peek(1).type() == SqlToken.Type.IDENTIFIER
            ? token.upper() + " " + p.peek(1).upper()
            : token.upper();
    Optional<String> best =
        token.type() == SqlToken.Type.IDENTIFIER
            ? EditDistance.closest(
                written,
                CLAUSES.stream()
                    .map(clause -> String.join(" ", Arrays.asList(clause.split(" ")).subList(0, 2)))
                    .toList())
            : Optional.empty();
    return p.error(
        token,
        (token.type() == SqlToken.Type.IDENTIFIER
                ? "unknown clause '" + written + "'"
                : "unexpected " + DatasetStatementParser.describe(token))
            + best.map(clause -> " (did you mean " + fullClause(clause) + "?)").orElse("")
            + "; CREATE IDENTITY GRAPH "
            + graph
            + " takes "
            + String.join(", ", CLAUSES)
            + ", then AS and its query");
  }

  private static String fullClause(String lead) {
    return CLAUSES.stream().filter(clause -> clause.startsWith(lead)).findFirst().orElse(lead);
  }

  /** {@code email, document, phone IF NAME SIMILARITY >= 0.85}. */
  private List<MatchKey> keys(SqlToken match) {
    List<MatchKey> keys = new ArrayList<>();
    List<String> known = Arrays.stream(KeyKind.values()).map(KeyKind::column).toList();
    while (true) {
      SqlToken word = p.next("a key to match on (" + String.join(", ", known) + ")");
      Optional<KeyKind> kind =
          word.type() == SqlToken.Type.IDENTIFIER ? KeyKind.named(word.value()) : Optional.empty();
      if (kind.isEmpty()) {
        throw p.error(
            word,
            "unknown key "
                + DatasetStatementParser.describe(word)
                + " in MATCH ON"
                + EditDistance.closest(word.value().toLowerCase(Locale.ROOT), known)
                    .map(best -> " (did you mean " + best + "?)")
                    .orElse("")
                + "; the keys are "
                + String.join(", ", known)
                + ", each a column of the query");
      }
      for (MatchKey earlier : keys) {
        if (earlier.kind() == kind.get()) {
          throw p.error(word, kind.get().column() + " is named twice in MATCH ON");
        }
      }
      MatchKey key =
          p.peek().isKeyword("IF")
              ? MatchKey.withNames(kind.get(), similarity(kind.get()))
              : MatchKey.strong(kind.get());
      // the key's own limit; MAX NAMES PER KEY after the last key is the graph's clause
      if (p.peek().isKeyword("MAX")
          && p.peek(1).isKeyword("NAMES")
          && !p.peek(2).isKeyword("PER")) {
        p.index += 2;
        key = key.withMaxNames(maxNames("MAX NAMES after " + kind.get().column()));
      }
      keys.add(key);
      if (!p.peek().isSymbol(',')) {
        return keys;
      }
      p.index++;
    }
  }

  /** {@code IF NAME SIMILARITY >= 0.85}. */
  private double similarity(KeyKind kind) {
    p.next("IF");
    SqlToken name = p.next("NAME SIMILARITY");
    SqlToken similarity = p.next("SIMILARITY");
    if (!name.isKeyword("NAME") || !similarity.isKeyword("SIMILARITY")) {
      throw p.error(
          name,
          "expected NAME SIMILARITY >= a number after "
              + kind.column()
              + " IF, e.g. "
              + kind.column()
              + " IF NAME SIMILARITY >= 0.85");
    }
    SqlToken greater = p.next(">=");
    SqlToken equals = p.next(">=");
    if (!greater.isSymbol('>') || !equals.isSymbol('=') || equals.start() != greater.end()) {
      throw p.error(
          greater,
          "expected >= after NAME SIMILARITY, not " + DatasetStatementParser.describe(greater));
    }
    SqlToken number = p.next("a similarity between 0 and 1");
    double value = -1;
    if (number.type() == SqlToken.Type.NUMBER) {
      try {
        value = Double.parseDouble(number.value());
      } catch (NumberFormatException e) {
        value = -1;
      }
    }
    if (value <= 0 || value > 1) {
      throw p.error(
          number,
          "the name similarity must be a number above 0 and at most 1 (Jaro-Winkler of the"
              + " normalized names; 0.85 is a good start), not "
              + DatasetStatementParser.describe(number));
    }
    return value;
  }

  /** The number after {@code MAX NAMES PER KEY}, or after a key's own {@code MAX NAMES}. */
  private int maxNames(String clause) {
    SqlToken number = p.next("a number");
    int value = 0;
    if (number.type() == SqlToken.Type.NUMBER && number.value().matches("[0-9]{1,6}")) {
      value = Integer.parseInt(number.value());
    }
    if (value < 1) {
      throw p.error(
          number,
          clause
              + " needs a whole number of at least 1 (a key carried by more"
              + " different names joins nobody), not "
              + DatasetStatementParser.describe(number));
    }
    return value;
  }

  private String region() {
    SqlToken region = p.next("a region such as 'BR'");
    if (region.type() != SqlToken.Type.STRING || !region.value().matches("[A-Za-z]{2}")) {
      throw p.error(
          region,
          "PHONE REGION needs a two-letter country code as a string, e.g. PHONE REGION 'BR', not "
              + DatasetStatementParser.describe(region));
    }
    return region.value().toUpperCase(Locale.ROOT);
  }
}

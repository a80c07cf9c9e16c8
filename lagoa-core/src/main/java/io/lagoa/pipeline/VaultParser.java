package io.lagoa.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the Data Vault statements of a pipeline file: {@code CREATE HUB | LINK | SATELLITE |
 * EFFECTIVITY SATELLITE | PIT | BRIDGE name ...} and {@code CREATE FLOW name AS LOAD kind target
 * FROM source ...}. Names they refer to (a link's hubs, a satellite's parent) may be in other
 * files; {@link VaultAssembler} resolves them once every file is read. The grammar is in
 * docs/datavault.md.
 */
final class VaultParser {
  private static final Map<VaultKind, List<String>> CLAUSES =
      Map.of(
          VaultKind.HUB, List.of("BUSINESS KEY", "HASH KEY"),
          VaultKind.LINK, List.of("HUBS", "HASH KEY"),
          VaultKind.SATELLITE, List.of("ON", "ATTRIBUTES"),
          VaultKind.EFFECTIVITY_SATELLITE, List.of("ON", "DRIVING KEY"),
          VaultKind.PIT, List.of("ON", "SATELLITES"),
          VaultKind.BRIDGE, List.of("ON", "LINKS"));
  private static final List<String> LOAD_CLAUSES =
      List.of("BUSINESS KEY", "SEQUENCE BY", "RECORD SOURCE");
  private static final List<String> KINDS =
      List.of("HUB", "LINK", "SATELLITE", "EFFECTIVITY SATELLITE", "PIT", "BRIDGE");

  private final DatasetStatementParser p;

  VaultParser(DatasetStatementParser parser) {
    this.p = parser;
  }

  /** Whether {@code CREATE word next} starts a Data Vault declaration. */
  static boolean startsDeclaration(SqlToken word, SqlToken next) {
    return word.isKeyword("HUB")
        || word.isKeyword("LINK")
        || word.isKeyword("SATELLITE")
        || (word.isKeyword("EFFECTIVITY") && next.isKeyword("SATELLITE"))
        || word.isKeyword("PIT")
        || word.isKeyword("BRIDGE");
  }

  /** After CREATE: the kind's word(s), the name and the clauses. */
  ParsedStatement declaration(SqlToken word) {
    VaultKind kind = kindAt(word);
    SqlToken nameStart = p.peek();
    if (!nameStart.isIdentifier()) {
      throw p.error(
          nameStart,
          "expected the "
              + kind.description()
              + "'s name after CREATE "
              + kind.keyword()
              + ", e.g. silver.hub_pessoa, not "
              + DatasetStatementParser.describe(nameStart));
    }
    VaultStatement.Name target = name();
    Map<String, SqlToken> seen = new LinkedHashMap<>();
    List<VaultStatement.Name> businessKey = List.of();
    Optional<VaultStatement.Name> hashKey = Optional.empty();
    Optional<VaultStatement.Name> on = Optional.empty();
    List<VaultStatement.HubReference> hubs = List.of();
    List<VaultStatement.Name> attributes = List.of();
    Optional<VaultStatement.Name> drivingKey = Optional.empty();
    List<VaultStatement.Name> members = List.of();
    List<String> allowed = CLAUSES.get(kind);
    while (!DatasetStatementParser.isEnd(p.peek())) {
      SqlToken token = p.peek();
      String clause = clauseAt(allowed);
      if (clause == null) {
        throw unknownClause(token, allowed, "CREATE " + kind.keyword());
      }
      once(seen, clause, token);
      p.index += clause.split(" ").length;
      switch (clause) {
        case "BUSINESS KEY" -> businessKey = columns(clause, false);
        case "HASH KEY" -> hashKey = Optional.of(column(clause));
        case "ON" -> on = Optional.of(tableName(clause));
        case "HUBS" -> hubs = hubList();
        case "ATTRIBUTES" -> attributes = columns(clause, false);
        case "DRIVING KEY" -> {
          List<VaultStatement.Name> driving = columns(clause, true);
          if (driving.size() != 1) {
            throw p.error(
                token,
                "DRIVING KEY names one hub of the link (the side whose relationship changes),"
                    + " e.g. DRIVING KEY (hub_pessoa); it names "
                    + driving.size());
          }
          drivingKey = Optional.of(driving.get(0));
        }
        case "SATELLITES", "LINKS" -> members = columns(clause, true);
        default -> throw new IllegalStateException(clause);
      }
    }
    for (String clause : allowed) {
      if (!clause.equals("HASH KEY") && !seen.containsKey(clause)) {
        throw p.error(
            null,
            "CREATE "
                + kind.keyword()
                + " "
                + target.dotted()
                + " needs "
                + clause
                + " "
                + example(clause));
      }
    }
    VaultStatement.Declaration declaration =
        new VaultStatement.Declaration(
            kind,
            target,
            businessKey,
            hashKey,
            on,
            hubs,
            attributes,
            drivingKey,
            members,
            p.statement);
    return new ParsedStatement.Vault(placeholder(target, kind.loaded()), declaration);
  }

  /** After {@code CREATE FLOW name AS}: {@code LOAD kind target FROM source clauses}. */
  ParsedStatement load(String flow) {
    SqlToken load = p.next("LOAD");
    SqlToken word = p.next("HUB, LINK, SATELLITE or EFFECTIVITY SATELLITE after LOAD");
    VaultKind kind = kindAt(word);
    if (!kind.loaded()) {
      throw p.error(
          word,
          "a "
              + kind.description()
              + " is not loaded by a flow: it is rebuilt from its hub and satellites on every run;"
              + " declare it with CREATE "
              + kind.keyword()
              + " name ON hub ...");
    }
    SqlToken targetStart = p.peek();
    if (!targetStart.isIdentifier()) {
      throw p.error(
          targetStart,
          "expected the "
              + kind.description()
              + " after LOAD "
              + kind.keyword()
              + ", e.g. silver.hub_pessoa, not "
              + DatasetStatementParser.describe(targetStart));
    }
    VaultStatement.Name target = name();
    SqlToken from = p.next("FROM and the source");
    if (!from.isKeyword("FROM")) {
      throw p.error(
          from,
          "expected FROM and the staged source after LOAD "
              + kind.keyword()
              + " "
              + target.dotted()
              + ", not "
              + DatasetStatementParser.describe(from)
              + ": LOAD "
              + kind.keyword()
              + " "
              + target.dotted()
              + " FROM STREAM(bronze.source) ... RECORD SOURCE 'name'");
    }
    int sourceStart = p.index;
    boolean query = source();
    String source =
        p.sql.substring(p.tokens.get(sourceStart).start(), p.tokens.get(p.index - 1).end());
    Map<String, SqlToken> seen = new LinkedHashMap<>();
    List<VaultStatement.Name> businessKey = List.of();
    Optional<AutoCdc.Expression> sequenceBy = Optional.empty();
    Optional<String> recordSource = Optional.empty();
    while (!DatasetStatementParser.isEnd(p.peek())) {
      SqlToken token = p.peek();
      String clause = clauseAt(LOAD_CLAUSES);
      if (clause == null) {
        throw unknownClause(token, LOAD_CLAUSES, "LOAD " + kind.keyword());
      }
      once(seen, clause, token);
      p.index += 2;
      switch (clause) {
        case "BUSINESS KEY" -> businessKey = columns(clause, false);
        case "SEQUENCE BY" -> sequenceBy = Optional.of(expression(token));
        case "RECORD SOURCE" -> {
          SqlToken value = p.next("the record source, e.g. 'crm'");
          if (value.type() != SqlToken.Type.STRING || value.value().isBlank()) {
            throw p.error(
                value,
                "RECORD SOURCE takes a string naming where the rows come from, e.g. RECORD"
                    + " SOURCE 'crm', not "
                    + DatasetStatementParser.describe(value));
          }
          recordSource = Optional.of(value.value());
        }
        default -> throw new IllegalStateException(clause);
      }
    }
    String form = "LOAD " + kind.keyword() + " " + target.dotted();
    if (recordSource.isEmpty()) {
      throw p.error(
          load,
          form
              + " needs RECORD SOURCE 'name': where the rows come from, kept on every row (e.g."
              + " RECORD SOURCE 'crm')");
    }
    boolean sequenced = kind == VaultKind.SATELLITE || kind == VaultKind.EFFECTIVITY_SATELLITE;
    if (sequenced && sequenceBy.isEmpty()) {
      throw p.error(
          load,
          form
              + " needs SEQUENCE BY: what orders the changes of a key (e.g. SEQUENCE BY"
              + " updated_at); a change at or before the latest one loaded for its key is"
              + " skipped, so replays insert nothing");
    }
    if (!sequenced && sequenceBy.isPresent()) {
      throw p.error(
          seen.get("SEQUENCE BY"),
          "SEQUENCE BY does not apply to a "
              + kind.description()
              + ": it keeps one row per key, the first loaded; remove it");
    }
    VaultStatement.Load statement =
        new VaultStatement.Load(
            flow,
            kind,
            target,
            source,
            query,
            businessKey,
            sequenceBy,
            recordSource.get(),
            p.position(load.start()));
    return new ParsedStatement.Vault(placeholder(target, true), statement);
  }

  /** The source after FROM: STREAM(table), STREAM table or (query); true for a query. */
  private boolean source() {
    SqlToken token = p.peek();
    if (DatasetStatementParser.isEnd(token)) {
      throw p.error(null, "the statement ends where the source after FROM was expected");
    }
    if (token.isKeyword("STREAM")) {
      p.index++;
      boolean parenthesized = p.peek().isSymbol('(');
      if (parenthesized) {
        p.index++;
      }
      SqlToken inner = p.peek();
      if (inner.isIdentifier() && p.peek(1).isSymbol('(')) {
        throw p.error(
            inner,
            "a vault table loads from a staged table, not from "
                + inner.value()
                + "(...): land the source in a streaming table first (CREATE STREAMING TABLE"
                + " bronze.x AS SELECT * FROM STREAM "
                + inner.value()
                + "(...)) and load FROM STREAM(bronze.x)");
      }
      if (!inner.isIdentifier()) {
        throw p.error(
            inner,
            "expected a table after STREAM, e.g. STREAM(bronze.crm), not "
                + DatasetStatementParser.describe(inner));
      }
      p.name();
      if (parenthesized) {
        SqlToken close = p.next(") after STREAM(...");
        if (!close.isSymbol(')')) {
          throw p.error(
              close, "expected ) to close STREAM(, not " + DatasetStatementParser.describe(close));
        }
      }
      return false;
    }
    if (token.isSymbol('(')) {
      p.skipParenthesized(token);
      return true;
    }
    if (token.isIdentifier()) {
      int start = p.index;
      p.name();
      String name = p.sql.substring(token.start(), p.tokens.get(p.index - 1).end());
      p.index = start;
      throw p.error(
          token,
          "a vault table loads only the rows new since the last run: write FROM STREAM("
              + name
              + ")");
    }
    throw p.error(
        token,
        "expected the source after FROM: STREAM(table) or (SELECT ... FROM STREAM(table)), not "
            + DatasetStatementParser.describe(token));
  }

  /** SEQUENCE BY's expression, up to the next clause at depth 0. */
  private AutoCdc.Expression expression(SqlToken keyword) {
    int from = p.index;
    int depth = 0;
    while (!DatasetStatementParser.isEnd(p.peek())) {
      SqlToken token = p.peek();
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')')) {
        depth--;
      } else if (depth == 0 && clauseAt(LOAD_CLAUSES) != null) {
        break;
      }
      p.index++;
    }
    if (p.index == from) {
      throw p.error(
          keyword,
          "SEQUENCE BY needs what orders the changes of a key, e.g. SEQUENCE BY updated_at");
    }
    int start = p.tokens.get(from).start();
    return new AutoCdc.Expression(
        p.sql.substring(start, p.tokens.get(p.index - 1).end()), p.position(start));
  }

  /** The kind written at {@code word} (two words for EFFECTIVITY SATELLITE); leaves p after it. */
  private VaultKind kindAt(SqlToken word) {
    if (word.isKeyword("EFFECTIVITY")) {
      SqlToken satellite = p.next("SATELLITE after EFFECTIVITY");
      if (!satellite.isKeyword("SATELLITE")) {
        throw p.error(
            satellite,
            "expected EFFECTIVITY SATELLITE, not EFFECTIVITY "
                + satellite.value()
                + DatasetStatementParser.suggestion(satellite.upper(), List.of("SATELLITE")));
      }
      return VaultKind.EFFECTIVITY_SATELLITE;
    }
    for (VaultKind kind : VaultKind.values()) {
      if (word.isKeyword(kind.keyword())) {
        return kind;
      }
    }
    throw p.error(
        word,
        "expected HUB, LINK, SATELLITE or EFFECTIVITY SATELLITE after LOAD, not "
            + DatasetStatementParser.describe(word)
            + DatasetStatementParser.suggestion(word.upper(), KINDS));
  }

  private VaultStatement.Name name() {
    int start = p.peek().start();
    return new VaultStatement.Name(p.name(), p.position(start));
  }

  /** A table name after a clause such as ON. */
  private VaultStatement.Name tableName(String clause) {
    SqlToken token = p.peek();
    if (!token.isIdentifier()) {
      throw p.error(
          token,
          "expected a table after "
              + clause
              + ", e.g. "
              + clause
              + " silver.hub_pessoa, not "
              + DatasetStatementParser.describe(token));
    }
    return name();
  }

  private VaultStatement.Name column(String clause) {
    SqlToken token = p.next("a column name after " + clause);
    if (!token.isIdentifier()) {
      throw p.error(
          token,
          "expected a column name after "
              + clause
              + ", not "
              + DatasetStatementParser.describe(token));
    }
    return new VaultStatement.Name(List.of(token.value()), p.position(token.start()));
  }

  /** {@code (a, b)}: columns, or with {@code tables} dotted table names; each once. */
  private List<VaultStatement.Name> columns(String clause, boolean tables) {
    SqlToken open = p.next("( after " + clause);
    if (!open.isSymbol('(')) {
      throw p.error(
          open,
          "expected ( after "
              + clause
              + ", e.g. "
              + clause
              + " "
              + example(clause)
              + ", not "
              + DatasetStatementParser.describe(open));
    }
    List<VaultStatement.Name> names = new ArrayList<>();
    while (true) {
      SqlToken token = p.peek();
      if (!token.isIdentifier()) {
        throw p.error(
            token,
            "expected a "
                + (tables ? "table" : "column")
                + " name in "
                + clause
                + " (...), not "
                + DatasetStatementParser.describe(token));
      }
      VaultStatement.Name name =
          tables ? name() : new VaultStatement.Name(List.of(p.next("a column").value()), null);
      if (!tables) {
        name = new VaultStatement.Name(name.parts(), p.position(token.start()));
      }
      for (VaultStatement.Name other : names) {
        if (other.dotted().equalsIgnoreCase(name.dotted())) {
          throw p.error(token, name.dotted() + " is named twice in " + clause + " (...)");
        }
      }
      names.add(name);
      if (!p.listGoesOn(clause)) {
        return names;
      }
    }
  }

  /** {@code HUBS (hub [AS column], ...)}. */
  private List<VaultStatement.HubReference> hubList() {
    SqlToken open = p.next("( after HUBS");
    if (!open.isSymbol('(')) {
      throw p.error(
          open,
          "expected ( after HUBS, e.g. HUBS (silver.hub_pessoa, silver.hub_produtor), not "
              + DatasetStatementParser.describe(open));
    }
    List<VaultStatement.HubReference> hubs = new ArrayList<>();
    while (true) {
      SqlToken token = p.peek();
      if (!token.isIdentifier()) {
        throw p.error(
            token, "expected a hub in HUBS (...), not " + DatasetStatementParser.describe(token));
      }
      VaultStatement.Name hub = name();
      Optional<VaultStatement.Name> column = Optional.empty();
      if (p.peek().isKeyword("AS")) {
        p.index++;
        column = Optional.of(column("AS"));
      }
      hubs.add(new VaultStatement.HubReference(hub, column));
      if (!p.listGoesOn("HUBS")) {
        break;
      }
    }
    if (hubs.size() < 2) {
      throw p.error(
          open,
          "a link relates two or more hubs: HUBS (silver.hub_pessoa, silver.hub_produtor); the"
              + " same hub twice takes a column each: HUBS (hub_pessoa AS hk_pessoa,"
              + " hub_pessoa AS hk_pessoa_mestre)");
    }
    return hubs;
  }

  /** The clause starting at the parser's token, among {@code allowed}; null when none. */
  private String clauseAt(List<String> allowed) {
    for (String clause : allowed) {
      String[] words = clause.split(" ");
      boolean matches = true;
      for (int i = 0; i < words.length; i++) {
        if (!p.peek(i).isKeyword(words[i])) {
          matches = false;
          break;
        }
      }
      if (matches) {
        return clause;
      }
    }
    return null;
  }

  private void once(Map<String, SqlToken> seen, String clause, SqlToken token) {
    SqlToken earlier = seen.putIfAbsent(clause, token);
    if (earlier != null) {
      throw p.error(
          token, clause + " is given twice; the first is at " + p.position(earlier.start()));
    }
  }

  private PipelineException unknownClause(SqlToken token, List<String> allowed, String form) {
    return p.unknownClause(token, allowed, form + " takes " + String.join(", ", allowed));
  }

  private static String example(String clause) {
    return switch (clause) {
      case "BUSINESS KEY" -> "(cpf)";
      case "ON" -> "silver.hub_pessoa";
      case "HUBS" -> "(silver.hub_pessoa, silver.hub_produtor)";
      case "ATTRIBUTES" -> "(nome, email, telefone)";
      case "DRIVING KEY" -> "(silver.hub_pessoa)";
      case "SATELLITES" -> "(silver.sat_pessoa_detalhes)";
      case "LINKS" -> "(silver.link_pessoa_produtor)";
      default -> "";
    };
  }

  /**
   * The statement's stand-in until {@link VaultAssembler} builds the table's definition: its name
   * and place, no query.
   */
  private DatasetStatement placeholder(VaultStatement.Name target, boolean streaming) {
    return new DatasetStatement(
        p.file,
        streaming ? DatasetKind.STREAMING_TABLE : DatasetKind.MATERIALIZED_VIEW,
        target.parts(),
        target.position(),
        List.of(),
        List.of(),
        Optional.empty(),
        "",
        p.statement,
        List.of());
  }
}

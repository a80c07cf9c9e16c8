package io.lagoa.pipeline;

import io.lagoa.sql.Statement;
import io.lagoa.text.EditDistance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the definitions of a pipeline's Data Vault tables from its {@code CREATE HUB ...}
 * declarations and {@code LOAD} flows, in any files: resolves the names they refer to, checks them
 * against each other, and writes each table's query.
 *
 * <p>A hub, link or satellite becomes a streaming table whose query is the {@code UNION ALL} of its
 * flows' staged rows (the business key parts as strings, the attributes, the sequence, the record
 * source), each flow reading its {@code STREAM(...)} from where the last run stopped; the writer
 * ({@link VaultTable}) hashes, compares and inserts. A PIT or bridge table becomes a materialized
 * view over the hub, its satellites or links.
 */
final class VaultAssembler {
  private static final Set<String> RESERVED =
      Set.of(
          VaultTable.LOAD_DATE,
          VaultTable.RECORD_SOURCE,
          VaultTable.HASH_DIFF,
          VaultTable.APPLIED_AT,
          VaultTable.START_DATE,
          VaultTable.END_DATE);

  private final PipelineSpec spec;
  private final List<String> problems;
  private final Map<String, VaultStatement.Declaration> declarations = new LinkedHashMap<>();
  private final Map<String, List<VaultStatement.Load>> loads = new LinkedHashMap<>();
  private final Map<String, Optional<VaultTable>> resolved = new LinkedHashMap<>();

  private VaultAssembler(PipelineSpec spec, List<String> problems) {
    this.spec = spec;
    this.problems = problems;
  }

  /**
   * The definition of each Data Vault table, by its name in the graph ({@code silver.hub_pessoa});
   * every problem found is added to {@code problems}, each with its file:line:col.
   */
  static Map<String, DatasetStatement> assemble(
      PipelineSpec spec, List<ParsedStatement.Vault> statements, List<String> problems) {
    return new VaultAssembler(spec, problems).assemble(statements);
  }

  private Map<String, DatasetStatement> assemble(List<ParsedStatement.Vault> statements) {
    for (ParsedStatement.Vault statement : statements) {
      if (statement.vault() instanceof VaultStatement.Declaration declaration) {
        String name = name(declaration.target());
        VaultStatement.Declaration earlier = declarations.putIfAbsent(name, declaration);
        if (earlier != null) {
          problems.add(
              declaration.target().position()
                  + ": "
                  + name
                  + " is declared twice; the first is at "
                  + earlier.target().position()
                  + "; keep one");
        }
      }
    }
    for (ParsedStatement.Vault statement : statements) {
      if (statement.vault() instanceof VaultStatement.Load load) {
        String name = name(load.target());
        VaultStatement.Declaration target = declarations.get(name);
        if (target == null || target.kind() != load.kind()) {
          problems.add(
              load.target().position()
                  + ": "
                  + (target == null
                      ? "no " + load.kind().description() + " " + name + " is declared"
                      : name
                          + " is a "
                          + target.kind().description()
                          + ", not a "
                          + load.kind().description())
                  + closest(name, load.kind())
                  + "; declare it: CREATE "
                  + load.kind().keyword()
                  + " "
                  + load.target().dotted()
                  + " ...");
          continue;
        }
        loads.computeIfAbsent(name, k -> new ArrayList<>()).add(load);
      }
    }
    Map<String, DatasetStatement> tables = new LinkedHashMap<>();
    for (Map.Entry<String, VaultStatement.Declaration> entry : declarations.entrySet()) {
      VaultStatement.Declaration declaration = entry.getValue();
      Optional<DatasetStatement> table =
          declaration.kind().loaded()
              ? loaded(entry.getKey(), declaration)
              : declaration.kind() == VaultKind.PIT
                  ? pit(entry.getKey(), declaration)
                  : bridge(entry.getKey(), declaration);
      table.ifPresent(statement -> tables.put(entry.getKey(), statement));
    }
    return tables;
  }

  /** A hub, link or satellite: its flows' staged rows as one streaming table query. */
  private Optional<DatasetStatement> loaded(String name, VaultStatement.Declaration declaration) {
    Optional<VaultTable> vault = resolve(name);
    List<VaultStatement.Load> flows = loads.getOrDefault(name, List.of());
    if (vault.isEmpty()) {
      return Optional.empty();
    }
    if (flows.isEmpty()) {
      problems.add(
          declaration.target().position()
              + ": no flow loads the "
              + declaration.kind().description()
              + " "
              + name
              + "; add CREATE FLOW ... AS LOAD "
              + declaration.kind().keyword()
              + " "
              + declaration.target().dotted()
              + " FROM STREAM(source) ... RECORD SOURCE 'name'");
      return Optional.empty();
    }
    VaultTable table = vault.get();
    List<String> defaults = new ArrayList<>();
    for (VaultTable.HubPart hub : table.hubs()) {
      defaults.addAll(resolve(hub.hub()).map(VaultTable::businessKey).orElse(List.of()));
    }
    StringBuilder sql = new StringBuilder("CREATE STREAMING TABLE ");
    sql.append(quoted(declaration.target().parts())).append(" AS\n");
    int problemsBefore = problems.size();
    List<VaultTable.FlowLines> lines = new ArrayList<>();
    for (int i = 0; i < flows.size(); i++) {
      VaultStatement.Load load = flows.get(i);
      List<String> keys = load.businessKey().stream().map(VaultStatement.Name::last).toList();
      if (keys.isEmpty()) {
        if (new LinkedHashSet<>(defaults).size() != defaults.size()) {
          problems.add(
              load.position()
                  + ": name the source's business key columns, e.g. BUSINESS KEY ("
                  + String.join(", ", defaults)
                  + "): "
                  + name
                  + "'s hubs have columns of the same name ("
                  + String.join(", ", defaults)
                  + ")");
          continue;
        }
        keys = defaults;
      } else if (keys.size() != table.keyParts()) {
        problems.add(
            load.businessKey().get(0).position()
                + ": BUSINESS KEY names "
                + keys.size()
                + " column"
                + (keys.size() == 1 ? "" : "s")
                + " but "
                + name
                + " takes "
                + table.keyParts()
                + " ("
                + String.join(", ", defaults)
                + (table.hubs().size() > 1 ? ", in the order of its hubs" : "")
                + ")");
        continue;
      }
      if (i > 0) {
        sql.append("\nUNION ALL\n");
      }
      int first = lineOf(sql);
      sql.append("SELECT ");
      for (int k = 0; k < keys.size(); k++) {
        sql.append("CAST(")
            .append(quote(keys.get(k)))
            .append(" AS STRING) AS ")
            .append(quote(VaultTable.STAGED_KEY_PREFIX + (k + 1)))
            .append(", ");
      }
      for (String attribute : table.attributes()) {
        sql.append(quote(attribute)).append(", ");
      }
      load.sequenceBy()
          .ifPresent(
              sequence ->
                  sql.append("(")
                      .append(sequence.sql())
                      .append(") AS ")
                      .append(quote(VaultTable.STAGED_SEQUENCE))
                      .append(", "));
      sql.append(literal(load.recordSource()))
          .append(" AS ")
          .append(quote(VaultTable.STAGED_RECORD_SOURCE))
          .append(", ")
          .append(i)
          .append(" AS ")
          .append(quote(VaultTable.STAGED_FLOW))
          .append(" FROM ")
          .append(load.source());
      if (load.query()) {
        sql.append(" AS __vault_source");
      }
      lines.add(new VaultTable.FlowLines(first, lineOf(sql), load.position()));
    }
    if (problems.size() > problemsBefore) {
      return Optional.empty();
    }
    return Optional.of(
        statement(declaration, DatasetKind.STREAMING_TABLE, sql, table.withFlows(lines)));
  }

  /** The 1-based line the text ends on. */
  private static int lineOf(StringBuilder text) {
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /**
   * A PIT table: for each key of the hub, a row at each change of any of its satellites, with the
   * load date of each satellite's row current then.
   */
  private Optional<DatasetStatement> pit(String name, VaultStatement.Declaration declaration) {
    Optional<VaultTable> hub = parent(declaration, VaultKind.HUB);
    if (hub.isEmpty()) {
      return Optional.empty();
    }
    String hk = quote(hub.get().hashKey());
    String hubName = name(declaration.on().orElseThrow());
    List<String> satellites = new ArrayList<>();
    for (VaultStatement.Name member : declaration.members()) {
      String satellite = name(member);
      VaultStatement.Declaration declared = declarations.get(satellite);
      if (declared == null || declared.kind() != VaultKind.SATELLITE) {
        problems.add(
            member.position()
                + ": no satellite "
                + satellite
                + " is declared"
                + closest(satellite, VaultKind.SATELLITE)
                + "; a PIT table lists satellites of its hub");
        continue;
      }
      if (!name(declared.on().orElseThrow()).equals(hubName)) {
        problems.add(
            member.position()
                + ": "
                + satellite
                + " is a satellite of "
                + name(declared.on().orElseThrow())
                + ", not of "
                + hubName
                + "; a PIT table lists satellites of its hub");
        continue;
      }
      satellites.add(satellite);
    }
    if (satellites.size() != declaration.members().size()) {
      return Optional.empty();
    }
    String load = quote(VaultTable.LOAD_DATE);
    StringBuilder sql = new StringBuilder("CREATE MATERIALIZED VIEW ");
    sql.append(quoted(declaration.target().parts())).append(" AS\nWITH __points AS (");
    for (int i = 0; i < satellites.size(); i++) {
      sql.append(i == 0 ? "" : " UNION ")
          .append("SELECT ")
          .append(hk)
          .append(", ")
          .append(load)
          .append(" FROM ")
          .append(quotedName(satellites.get(i)));
    }
    sql.append(")");
    for (int i = 0; i < satellites.size(); i++) {
      sql.append(",\n__s")
          .append(i)
          .append(" AS (SELECT p.")
          .append(hk)
          .append(", p.")
          .append(load)
          .append(" AS __at, max(s.")
          .append(load)
          .append(") AS __loaded FROM __points p JOIN ")
          .append(quotedName(satellites.get(i)))
          .append(" s ON s.")
          .append(hk)
          .append(" = p.")
          .append(hk)
          .append(" AND s.")
          .append(load)
          .append(" <= p.")
          .append(load)
          .append(" GROUP BY p.")
          .append(hk)
          .append(", p.")
          .append(load)
          .append(")");
    }
    sql.append("\nSELECT p.")
        .append(hk)
        .append(", p.")
        .append(load)
        .append(" AS `snapshot_date`, lead(p.")
        .append(load)
        .append(") OVER (PARTITION BY p.")
        .append(hk)
        .append(" ORDER BY p.")
        .append(load)
        .append(") AS `valid_until`");
    for (int i = 0; i < satellites.size(); i++) {
      sql.append(", __s")
          .append(i)
          .append(".__loaded AS ")
          .append(quote(shortName(satellites.get(i)) + "_" + VaultTable.LOAD_DATE));
    }
    sql.append("\nFROM __points p");
    for (int i = 0; i < satellites.size(); i++) {
      sql.append(" LEFT JOIN __s")
          .append(i)
          .append(" ON __s")
          .append(i)
          .append(".")
          .append(hk)
          .append(" = p.")
          .append(hk)
          .append(" AND __s")
          .append(i)
          .append(".__at = p.")
          .append(load);
    }
    return Optional.of(statement(declaration, DatasetKind.MATERIALIZED_VIEW, sql, null));
  }

  /** A bridge table: each key of the hub with the links that reach it, one row per path. */
  private Optional<DatasetStatement> bridge(String name, VaultStatement.Declaration declaration) {
    Optional<VaultTable> hub = parent(declaration, VaultKind.HUB);
    if (hub.isEmpty()) {
      return Optional.empty();
    }
    String hubName = name(declaration.on().orElseThrow());
    String hk = hub.get().hashKey();
    StringBuilder select = new StringBuilder("SELECT h.").append(quote(hk));
    StringBuilder from = new StringBuilder(" FROM ").append(quotedName(hubName)).append(" h");
    Set<String> columns = new LinkedHashSet<>(List.of(hk.toLowerCase(Locale.ROOT)));
    int before = problems.size();
    for (int i = 0; i < declaration.members().size(); i++) {
      VaultStatement.Name member = declaration.members().get(i);
      String link = name(member);
      VaultStatement.Declaration declared = declarations.get(link);
      Optional<VaultTable> table =
          declared != null && declared.kind() == VaultKind.LINK ? resolve(link) : Optional.empty();
      if (table.isEmpty()) {
        if (declared == null || declared.kind() != VaultKind.LINK) {
          problems.add(
              member.position()
                  + ": no link "
                  + link
                  + " is declared"
                  + closest(link, VaultKind.LINK)
                  + "; a bridge table lists links of its hub");
        }
        continue;
      }
      Optional<VaultTable.HubPart> side =
          table.get().hubs().stream().filter(part -> part.hub().equals(hubName)).findFirst();
      if (side.isEmpty()) {
        problems.add(
            member.position()
                + ": the link "
                + link
                + " does not relate "
                + hubName
                + "; a bridge table lists links of its hub");
        continue;
      }
      String alias = "l" + i;
      from.append(" JOIN ")
          .append(quotedName(link))
          .append(' ')
          .append(alias)
          .append(" ON ")
          .append(alias)
          .append('.')
          .append(quote(side.get().column()))
          .append(" = h.")
          .append(quote(hk));
      List<String> carried = new ArrayList<>(List.of(table.get().hashKey()));
      for (VaultTable.HubPart part : table.get().hubs()) {
        if (part != side.get()) {
          carried.add(part.column());
        }
      }
      for (String column : carried) {
        if (!columns.add(column.toLowerCase(Locale.ROOT))) {
          problems.add(
              member.position()
                  + ": the bridge would have two columns "
                  + column
                  + " (from "
                  + link
                  + " and an earlier link or the hub); give the links' hubs distinct columns"
                  + " with HUBS (hub AS column, ...)");
          continue;
        }
        select.append(", ").append(alias).append('.').append(quote(column));
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    StringBuilder sql = new StringBuilder("CREATE MATERIALIZED VIEW ");
    sql.append(quoted(declaration.target().parts())).append(" AS\n").append(select).append(from);
    return Optional.of(statement(declaration, DatasetKind.MATERIALIZED_VIEW, sql, null));
  }

  /** The hub or link a declaration's ON names, resolved; a problem when it is another kind. */
  private Optional<VaultTable> parent(VaultStatement.Declaration declaration, VaultKind... kinds) {
    VaultStatement.Name on = declaration.on().orElseThrow();
    String parent = name(on);
    VaultStatement.Declaration declared = declarations.get(parent);
    List<VaultKind> allowed = List.of(kinds);
    if (declared == null || !allowed.contains(declared.kind())) {
      String wanted = String.join(" or ", allowed.stream().map(VaultKind::description).toList());
      problems.add(
          on.position()
              + ": "
              + (declared == null
                  ? "no " + wanted + " " + parent + " is declared" + closest(parent, kinds)
                  : parent + " is a " + declared.kind().description() + ", not a " + wanted)
              + "; a "
              + declaration.kind().description()
              + " is ON a "
              + wanted);
      return Optional.empty();
    }
    return resolve(parent);
  }

  /** A loaded table's {@link VaultTable}, once; empty (with a problem) when it does not resolve. */
  private Optional<VaultTable> resolve(String name) {
    Optional<VaultTable> known = resolved.get(name);
    if (known != null) {
      return known;
    }
    resolved.put(name, Optional.empty()); // a cycle (a satellite ON itself) resolves to nothing
    VaultStatement.Declaration declaration = declarations.get(name);
    Optional<VaultTable> table =
        declaration == null ? Optional.empty() : Optional.ofNullable(build(name, declaration));
    resolved.put(name, table);
    return table;
  }

  private VaultTable build(String name, VaultStatement.Declaration declaration) {
    return switch (declaration.kind()) {
      case HUB -> {
        String hashKey = hashKey(declaration, "hub_");
        List<String> keys =
            declaration.businessKey().stream().map(VaultStatement.Name::last).toList();
        for (VaultStatement.Name key : declaration.businessKey()) {
          if (key.last().equalsIgnoreCase(hashKey) || RESERVED.contains(lower(key.last()))) {
            problems.add(
                key.position()
                    + ": the business key column "
                    + key.last()
                    + " has the name of a column the hub adds ("
                    + hashKey
                    + ", load_date, record_source); rename it in a staging query");
            yield null;
          }
        }
        yield new VaultTable(
            VaultKind.HUB,
            hashKey,
            keys,
            List.of(new VaultTable.HubPart(name, hashKey, keys.size())),
            List.of(),
            -1,
            spec.hashStandard(),
            List.of());
      }
      case LINK -> {
        String hashKey = hashKey(declaration, "link_");
        List<VaultTable.HubPart> parts = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>(List.of(lower(hashKey)));
        for (VaultStatement.HubReference reference : declaration.hubs()) {
          String hub = name(reference.hub());
          VaultStatement.Declaration declared = declarations.get(hub);
          Optional<VaultTable> table =
              declared != null && declared.kind() == VaultKind.HUB
                  ? resolve(hub)
                  : Optional.empty();
          if (table.isEmpty()) {
            if (declared == null || declared.kind() != VaultKind.HUB) {
              problems.add(
                  reference.hub().position()
                      + ": no hub "
                      + hub
                      + " is declared"
                      + closest(hub, VaultKind.HUB)
                      + "; a link relates hubs: CREATE HUB "
                      + reference.hub().dotted()
                      + " BUSINESS KEY (...)");
            }
            yield null;
          }
          String column =
              reference.column().map(VaultStatement.Name::last).orElse(table.get().hashKey());
          if (!columns.add(lower(column))) {
            problems.add(
                reference
                        .column()
                        .map(VaultStatement.Name::position)
                        .orElse(reference.hub().position())
                    + ": the link would have two columns "
                    + column
                    + "; give this hub its own column: "
                    + reference.hub().dotted()
                    + " AS "
                    + column
                    + "_2");
            yield null;
          }
          parts.add(new VaultTable.HubPart(hub, column, table.get().businessKey().size()));
        }
        yield new VaultTable(
            VaultKind.LINK,
            hashKey,
            List.of(),
            parts,
            List.of(),
            -1,
            spec.hashStandard(),
            List.of());
      }
      case SATELLITE, EFFECTIVITY_SATELLITE -> {
        boolean effectivity = declaration.kind() == VaultKind.EFFECTIVITY_SATELLITE;
        Optional<VaultTable> parent =
            effectivity
                ? parent(declaration, VaultKind.LINK)
                : parent(declaration, VaultKind.HUB, VaultKind.LINK);
        if (parent.isEmpty()) {
          yield null;
        }
        for (VaultStatement.Name attribute : declaration.attributes()) {
          String column = lower(attribute.last());
          boolean taken =
              RESERVED.contains(column)
                  || column.equalsIgnoreCase(parent.get().hashKey())
                  || column.startsWith("__");
          if (taken) {
            problems.add(
                attribute.position()
                    + ": the attribute "
                    + attribute.last()
                    + " has the name of a column the satellite adds ("
                    + parent.get().hashKey()
                    + ", load_date, applied_at, hash_diff, record_source); rename it in a staging"
                    + " query");
            yield null;
          }
        }
        int driving = -1;
        if (effectivity) {
          VaultStatement.Name key = declaration.drivingKey().orElseThrow();
          List<VaultTable.HubPart> hubs = parent.get().hubs();
          List<Integer> matches = new ArrayList<>();
          for (int i = 0; i < hubs.size(); i++) {
            if (hubs.get(i).column().equalsIgnoreCase(key.dotted())
                || hubs.get(i).hub().equals(name(key))) {
              matches.add(i);
            }
          }
          if (matches.size() != 1) {
            List<String> choices = new ArrayList<>();
            hubs.forEach(hub -> choices.add(hub.hub()));
            problems.add(
                key.position()
                    + ": "
                    + (matches.isEmpty()
                        ? "DRIVING KEY " + key.dotted() + " is not a hub of the link"
                        : "the link relates " + key.dotted() + " twice; name its column instead")
                    + " (its hubs: "
                    + String.join(", ", choices)
                    + "; columns: "
                    + String.join(", ", hubs.stream().map(VaultTable.HubPart::column).toList())
                    + ")");
            yield null;
          }
          driving = matches.get(0);
        }
        yield new VaultTable(
            declaration.kind(),
            parent.get().hashKey(),
            List.of(),
            parent.get().hubs(),
            declaration.attributes().stream().map(VaultStatement.Name::last).toList(),
            driving,
            spec.hashStandard(),
            List.of());
      }
      case PIT, BRIDGE -> null;
    };
  }

  /** {@code HASH KEY column}, or {@code hk_} and the table's name without its prefix. */
  private static String hashKey(VaultStatement.Declaration declaration, String prefix) {
    if (declaration.hashKey().isPresent()) {
      return declaration.hashKey().get().last();
    }
    String table = lower(declaration.target().last());
    return "hk_" + (table.startsWith(prefix) ? table.substring(prefix.length()) : table);
  }

  private DatasetStatement statement(
      VaultStatement.Declaration declaration,
      DatasetKind kind,
      StringBuilder sql,
      VaultTable vault) {
    Statement text = declaration.text();
    String engineSql = sql.toString();
    return new DatasetStatement(
        declaration.target().position().file(),
        kind,
        declaration.target().parts(),
        declaration.target().position(),
        List.of(),
        List.of(),
        Optional.empty(),
        engineSql,
        new Statement(engineSql, text.line(), text.column()),
        List.of(),
        Optional.empty(),
        Optional.ofNullable(vault),
        Optional.empty());
  }

  /** " (did you mean x?)" among the declared tables of the kinds. */
  private String closest(String name, VaultKind... kinds) {
    List<String> candidates = new ArrayList<>();
    declarations.forEach(
        (declared, declaration) -> {
          if (List.of(kinds).contains(declaration.kind())) {
            candidates.add(declared);
          }
        });
    return EditDistance.closest(name, candidates)
        .filter(best -> !best.equals(name))
        .map(best -> " (did you mean " + best + "?)")
        .orElse("");
  }

  /** The table's name as the graph knows it, e.g. silver.hub_pessoa. */
  private String name(VaultStatement.Name name) {
    List<String> parts = name.parts().stream().map(Dataset::normalize).toList();
    return PipelineGraph.tableName(spec, parts).orElse(String.join(".", parts));
  }

  private static String shortName(String table) {
    return table.substring(table.lastIndexOf('.') + 1);
  }

  private static String quotedName(String table) {
    return quoted(List.of(table.split("\\.")));
  }

  private static String quoted(List<String> parts) {
    return String.join(".", parts.stream().map(VaultAssembler::quote).toList());
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}

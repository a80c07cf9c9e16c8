package io.lagoa.service.identity;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.identity.GraphEvent;
import io.lagoa.identity.IdentityResolver;
import io.lagoa.identity.KeyRow;
import io.lagoa.identity.KeyStatus;
import io.lagoa.identity.MatchRules;
import io.lagoa.identity.PersonExplanation;
import io.lagoa.identity.PersonIds;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.RecordRow;
import io.lagoa.identity.Resolution;
import io.lagoa.identity.SameAs;
import io.lagoa.identity.SplitResult;
import io.lagoa.identity.Subjects;
import io.lagoa.pipeline.TableState;
import io.lagoa.service.Lakehouse;
import io.lagoa.spark.identity.IdentityTables;
import io.lagoa.table.TableNames;
import io.lagoa.text.EditDistance;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.SparkSession;

/**
 * Identity graphs for the adapters: explain a person (by id, e-mail, phone or CPF) and split
 * records off a person, audited. The graphs themselves are built by pipelines ({@code CREATE
 * IDENTITY GRAPH}); see docs/identity.md.
 */
public final class IdentityService {
  private final Lakehouse lakehouse;
  private final Clock clock;

  public IdentityService(Lakehouse lakehouse) {
    this(lakehouse, Clock.systemUTC());
  }

  public IdentityService(Lakehouse lakehouse, Clock clock) {
    this.lakehouse = lakehouse;
    this.clock = clock;
  }

  /** The identity graphs in the catalog: tables with {@link IdentityTables#GRAPH_PROPERTY}. */
  public List<String> graphs() {
    Catalog catalog = lakehouse.catalog();
    List<String> graphs = new ArrayList<>();
    if (!(catalog instanceof SupportsNamespaces namespaces)) {
      return graphs;
    }
    for (Namespace namespace : namespaces.listNamespaces()) {
      List<TableIdentifier> tables = catalog.listTables(namespace);
      Set<String> names = new HashSet<>();
      tables.forEach(table -> names.add(table.name()));
      for (TableIdentifier table : tables) {
        if (names.contains(table.name() + "_keys") && names.contains(table.name() + "_same_as")) {
          Table loaded = catalog.loadTable(table);
          String graph = namespace + "." + table.name();
          if (graph.equals(loaded.properties().get(IdentityTables.GRAPH_PROPERTY))) {
            graphs.add(graph);
          }
        }
      }
    }
    return graphs;
  }

  /**
   * The graph to use: the one named, or the only one in the catalog.
   *
   * @throws LagoaException when the named table is not a graph, or there are none or several
   */
  public String graph(Optional<String> named) {
    if (named.isPresent()) {
      String graph = TableNames.parse(named.get()).toString();
      Catalog catalog = lakehouse.catalog();
      TableIdentifier identifier = TableNames.parse(graph);
      if (!catalog.tableExists(identifier)) {
        List<String> graphs = graphs();
        throw new LagoaException(
            ErrorCode.TABLE_NOT_FOUND,
            "no identity graph "
                + graph
                + EditDistance.closest(graph, graphs)
                    .map(best -> " (did you mean " + best + "?)")
                    .orElse("")
                + (graphs.isEmpty()
                    ? "; the catalog has none (a pipeline makes one with CREATE IDENTITY GRAPH)"
                    : "; the graphs are " + String.join(", ", graphs)));
      }
      if (!graph.equals(
          catalog.loadTable(identifier).properties().get(IdentityTables.GRAPH_PROPERTY))) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            graph + " is a table, not an identity graph (made by CREATE IDENTITY GRAPH)");
      }
      return graph;
    }
    List<String> graphs = graphs();
    if (graphs.isEmpty()) {
      throw new LagoaException(
          ErrorCode.TABLE_NOT_FOUND,
          "the catalog has no identity graph; a pipeline makes one with CREATE IDENTITY GRAPH");
    }
    if (graphs.size() > 1) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "the catalog has several identity graphs ("
              + String.join(", ", graphs)
              + "); name the one to use");
    }
    return graphs.get(0);
  }

  /**
   * Explains the persons a subject names: a person id (followed through merges to the survivor), or
   * an e-mail, phone or CPF (every person holding that key, usually one).
   *
   * @throws LagoaException when the graph has no such person or key
   */
  public List<PersonExplanation> explain(String graph, String subject) {
    IdentityTables tables = tables(graph);
    MatchRules rules = rules(graph);
    String rulesText = rulesText(graph);
    String asked = subject.strip();
    if (PersonIds.looksLikeId(asked)) {
      List<String> chain = new ArrayList<>();
      String person = asked;
      Set<String> seen = new HashSet<>();
      while (seen.add(person)) {
        String current = person;
        Optional<SameAs> merged =
            tables.sameAs(current).stream()
                .filter(link -> link.mergedId().equals(current))
                .reduce((first, second) -> second);
        if (merged.isEmpty()) {
          break;
        }
        chain.add(current);
        person = merged.get().survivorId();
      }
      PersonExplanation explanation = explanation(tables, graph, person, asked, chain, rulesText);
      if (explanation.records().isEmpty()) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT, "identity graph " + graph + " has no person " + asked);
      }
      return List.of(explanation);
    }
    List<String> keys = Subjects.keys(asked, rules.phoneRegion());
    if (keys.isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "'"
              + asked
              + "' is neither a person id (p_ and 16 hex digits), nor an e-mail, phone or CPF"
              + " that normalizes");
    }
    for (String key : keys) {
      List<KeyRow> holders = tables.holders(key);
      if (holders.isEmpty()) {
        continue;
      }
      List<PersonExplanation> explanations = new ArrayList<>();
      for (String person : holders.stream().map(KeyRow::personId).distinct().sorted().toList()) {
        explanations.add(explanation(tables, graph, person, asked, List.of(), rulesText));
      }
      return explanations;
    }
    throw new LagoaException(
        ErrorCode.INVALID_ARGUMENT,
        "identity graph "
            + graph
            + " has no person with "
            + String.join(" or ", keys)
            + " (normalized from '"
            + asked
            + "')");
  }

  private PersonExplanation explanation(
      IdentityTables tables,
      String graph,
      String person,
      String asked,
      List<String> chain,
      String rules) {
    List<RecordRow> records = tables.recordsOf(person);
    List<KeyRow> keys =
        tables.keyRowsOfPersons(List.of(person)).stream()
            .sorted(java.util.Comparator.comparing(KeyRow::key))
            .toList();
    List<SameAs> sameAs = tables.sameAs(person);
    List<GraphEvent> events = tables.events(person);
    return new PersonExplanation(graph, person, asked, chain, rules, records, keys, sameAs, events);
  }

  /**
   * Moves records off a person into a new person, in one commit per table, audited. Keys both
   * halves hold no longer join anybody, so later runs keep the halves apart.
   *
   * @throws LagoaException when the person or a record is unknown, or nothing would remain
   */
  public SplitResult split(String graph, String personId, List<RecordRef> records, String reason) {
    if (reason == null || reason.isBlank()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "a split needs a reason, kept in the graph's audit");
    }
    IdentityTables tables = tables(graph);
    MatchRules rules = rules(graph);
    String runId = "split-" + UUID.randomUUID();
    Instant now = clock.instant();
    Resolution resolution;
    try {
      resolution = new IdentityResolver(rules).split(personId, records, reason, tables, now, runId);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
    }
    final Catalog catalog = lakehouse.catalog();
    List<String> names =
        List.of(
            tables.keysTable(),
            tables.sameAsTable(),
            tables.movesTable(),
            tables.auditTable(),
            graph);
    Map<String, TableState> before = new LinkedHashMap<>();
    for (String name : names) {
      before.put(name, TableState.capture(catalog, TableNames.parse(name)));
    }
    SparkSession spark = lakehouse.session();
    Map<String, String> properties = Map.of("lagoa.identity.split", runId);
    Map<String, Set<Long>> written = new LinkedHashMap<>();
    IdentityTables.Committer committer =
        (table, rows, statement) -> {
          String view = "__lagoa_identity_split_" + Math.abs(table.hashCode());
          rows.createOrReplaceTempView(view);
          try {
            CommitMetadata.withCommitProperties(
                properties,
                () -> {
                  spark.sql(statement.apply(view));
                  return null;
                },
                RuntimeException.class);
          } finally {
            spark.catalog().dropTempView(view);
            TableState after = TableState.capture(catalog, TableNames.parse(table));
            after
                .snapshotId()
                .ifPresent(id -> written.computeIfAbsent(table, k -> new HashSet<>()).add(id));
          }
        };
    try {
      tables.writeSideTables(resolution, rules, false, committer);
      committer.commit(
          graph,
          tables.recordRows(resolution),
          view -> tables.recordsStatement(view, rules, false));
    } catch (RuntimeException e) {
      // put every table back as it was: a split is all or nothing
      for (Map.Entry<String, TableState> entry : before.entrySet()) {
        try {
          entry.getValue().restore(catalog, written.getOrDefault(entry.getKey(), Set.of()));
        } catch (RuntimeException restore) {
          e.addSuppressed(restore);
        }
      }
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot split " + personId + ": " + e.getMessage(), e);
    }
    List<String> ambiguous =
        resolution.keyUpserts().stream()
            .filter(row -> row.status() == KeyStatus.AMBIGUOUS && row.personId().equals(personId))
            .map(KeyRow::key)
            .toList();
    String newId = resolution.records().isEmpty() ? null : resolution.records().get(0).personId();
    return new SplitResult(
        graph,
        personId,
        newId,
        resolution.records().stream().map(RecordRow::ref).toList(),
        ambiguous,
        reason);
  }

  private IdentityTables tables(String graph) {
    return new IdentityTables(lakehouse.session(), lakehouse.catalog(), graph, false);
  }

  private String rulesText(String graph) {
    return lakehouse
        .catalog()
        .loadTable(TableNames.parse(graph))
        .properties()
        .getOrDefault(IdentityTables.RULES_PROPERTY, "");
  }

  /** The rules recorded on the graph's table (its phone region and matching keys). */
  private MatchRules rules(String graph) {
    try {
      return MatchRules.parse(rulesText(graph));
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          graph + " does not record its identity rules readably: " + e.getMessage(),
          e);
    }
  }
}

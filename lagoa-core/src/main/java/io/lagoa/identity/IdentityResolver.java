package io.lagoa.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The matching engine: resolves a batch of records against a graph's stored state and says what
 * changes, without touching storage (the caller commits the {@link Resolution}).
 *
 * <p>A batch is matched in memory with a union-find over its records and the persons its keys
 * already belong to: records that share an active strong key are one person; a key with a name rule
 * joins two records only when their names agree; a key carried by more distinct names than the
 * limit joins nobody (and stays rejected). Each component keeps the id of its oldest person (ties:
 * the smaller id) and the others become same-as links to it; a component without a stored person is
 * a new person named after its first record. Only the rows of the batch's keys, records and merged
 * persons are read from the store.
 */
public final class IdentityResolver {
  private final MatchRules rules;
  private final KeyExtractor extractor;
  private final Map<KeyKind, MatchKey> keysByKind = new EnumMap<>(KeyKind.class);
  private final Map<KeyKind, String> described = new EnumMap<>(KeyKind.class);
  private final Map<KeyKind, Integer> maxNames = new EnumMap<>(KeyKind.class);

  public IdentityResolver(MatchRules rules) {
    this.rules = rules;
    this.extractor = new KeyExtractor(rules);
    for (MatchKey key : rules.keys()) {
      keysByKind.put(key.kind(), key);
      described.put(key.kind(), key.describe());
      maxNames.put(key.kind(), rules.maxNames(key.kind()));
    }
  }

  public MatchRules rules() {
    return rules;
  }

  /** The over-sharing limit of a key (a key of a kind the rules no longer name: the graph's). */
  private int limit(String key) {
    return maxNames.getOrDefault(KeyKind.ofKey(key), rules.maxNamesPerKey());
  }

  /** A record of the batch to place: new, or stored and delivered again with other values. */
  private record Item(RecordRef ref, KeyExtractor.Extracted values, RecordRow stored) {}

  /** Why two nodes were joined. */
  private record Edge(int a, int b, String key, String rule) {}

  /**
   * Resolves a batch.
   *
   * @param batch the records the graph's query delivered, in any order, duplicates allowed
   * @param runId written on merges and events
   */
  public Resolution resolve(
      List<SourceRecord> batch, IdentityStore store, Instant now, String runId) {
    Map<RecordRef, SourceRecord> latest = new LinkedHashMap<>();
    for (SourceRecord record : batch) {
      latest.remove(record.ref()); // the last delivery wins, in its place
      latest.put(record.ref(), record);
    }
    long replayed = batch.size() - latest.size();
    Map<KeyKind, Long> garbage = new EnumMap<>(KeyKind.class);
    Map<RecordRef, RecordRow> known = store.records(latest.keySet());
    List<Item> items = new ArrayList<>();
    long updated = 0;
    long withoutKeys = 0;
    for (SourceRecord record : latest.values()) {
      KeyExtractor.Extracted values = extractor.extract(record);
      RecordRow stored = known.get(record.ref());
      if (stored != null && sameValues(stored, values)) {
        replayed++;
        continue;
      }
      values.garbage().forEach(kind -> garbage.merge(kind, 1L, Long::sum));
      if (values.keys().isEmpty()) {
        withoutKeys++;
      }
      if (stored != null) {
        updated++;
      }
      items.add(new Item(record.ref(), values, stored));
    }
    if (items.isEmpty()) {
      return new Resolution(
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          new RunSummary(batch.size(), 0, 0, replayed, 0, 0, 0, 0, 0, 0, garbage, withoutKeys));
    }

    // the stored rows of the batch's keys, and which records of the batch carry each key
    Map<String, List<Integer>> holders = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      for (Map.Entry<KeyKind, String> key : items.get(i).values().keys().entrySet()) {
        holders.computeIfAbsent(key.getKey().key(key.getValue()), k -> new ArrayList<>()).add(i);
      }
    }
    Map<String, List<KeyRow>> rowsByKey = new HashMap<>();
    Map<String, Instant> since = new HashMap<>();
    for (KeyRow row : store.keyRows(holders.keySet())) {
      rowsByKey.computeIfAbsent(row.key(), k -> new ArrayList<>()).add(row);
      since.merge(row.personId(), row.personSince(), Graph::earlier);
    }
    for (Item item : items) {
      if (item.stored() != null) {
        since.merge(item.stored().personId(), item.stored().personSince(), Graph::earlier);
      }
    }
    Graph graph = new Graph(items.size());

    // the over-sharing guard, before anything is joined
    Set<String> rejected = new HashSet<>();
    List<String> newlyRejected = new ArrayList<>();
    long rejectedUses = 0;
    for (Map.Entry<String, List<Integer>> entry : holders.entrySet()) {
      String key = entry.getKey();
      List<KeyRow> rows = rowsByKey.getOrDefault(key, List.of());
      boolean wasRejected = rows.stream().anyMatch(row -> row.status() != KeyStatus.ACTIVE);
      List<String> names = new ArrayList<>();
      rows.forEach(row -> names.addAll(row.names()));
      entry.getValue().forEach(i -> names.add(items.get(i).values().comparableName()));
      int limit = limit(key);
      if (wasRejected || NameAgreement.distinct(names, new ArrayList<>(), limit) > limit) {
        rejected.add(key);
        rejectedUses += entry.getValue().size();
        if (!wasRejected) {
          newlyRejected.add(key);
        }
      }
    }

    // a record delivered again stays with its person; its new keys may join others to it
    for (int i = 0; i < items.size(); i++) {
      RecordRow stored = items.get(i).stored();
      if (stored != null) {
        graph.join(i, graph.person(stored.personId()), null, null);
      }
    }
    for (Map.Entry<String, List<Integer>> entry : holders.entrySet()) {
      String key = entry.getKey();
      if (rejected.contains(key)) {
        continue;
      }
      MatchKey rule = keysByKind.get(KeyKind.ofKey(key));
      String described = this.described.get(rule.kind());
      List<KeyRow> rows = rowsByKey.getOrDefault(key, List.of());
      if (rule.strong()) {
        int anchor =
            rows.isEmpty() ? entry.getValue().get(0) : graph.person(rows.get(0).personId());
        for (KeyRow row : rows) {
          graph.join(graph.person(row.personId()), anchor, key, described);
        }
        for (int i : entry.getValue()) {
          graph.join(i, anchor, key, described);
        }
      } else {
        double threshold = rule.nameSimilarity().getAsDouble();
        List<Integer> candidates = new ArrayList<>();
        List<List<String>> candidateNames = new ArrayList<>();
        for (KeyRow row : rows) {
          candidates.add(graph.person(row.personId()));
          candidateNames.add(row.names());
        }
        for (int i : entry.getValue()) {
          String name = items.get(i).values().comparableName();
          if (name == null) {
            continue; // nothing to agree on: a nameless record is not joined by this key
          }
          int best = -1;
          double bestScore = 0;
          for (int c = 0; c < candidates.size(); c++) {
            double score = NameAgreement.best(name, candidateNames.get(c));
            if (score >= threshold && score > bestScore) {
              best = c;
              bestScore = score;
            }
          }
          if (best >= 0) {
            graph.join(
                i,
                candidates.get(best),
                key,
                described + " (" + NameAgreement.format(bestScore) + ")");
          }
          candidates.add(i);
          candidateNames.add(List.of(name));
        }
      }
    }

    // components: each keeps its oldest person's id, or becomes a new person
    Map<Integer, List<Integer>> components = graph.components();
    Map<Integer, String> personOfRoot = new HashMap<>();
    Map<String, String> survivorOf = new HashMap<>();
    List<SameAs> sameAs = new ArrayList<>();
    List<GraphEvent> events = new ArrayList<>();
    long newPersons = 0;
    for (Map.Entry<Integer, List<Integer>> component : components.entrySet()) {
      List<String> persons = new ArrayList<>();
      RecordRef first = null;
      for (int node : component.getValue()) {
        if (graph.isPerson(node)) {
          persons.add(graph.personId(node));
        } else {
          RecordRef ref = items.get(node).ref();
          first = first == null || ref.compareTo(first) < 0 ? ref : first;
        }
      }
      String survivor;
      if (persons.isEmpty()) {
        survivor = PersonIds.of(first);
        since.put(survivor, now);
        newPersons++;
      } else {
        persons.sort(
            Comparator.comparing((String id) -> since.getOrDefault(id, now))
                .thenComparing(Comparator.naturalOrder()));
        survivor = persons.get(0);
        for (String merged : persons.subList(1, persons.size())) {
          survivorOf.put(merged, survivor);
          Edge why = graph.firstEdge(graph.person(merged));
          String reason =
              why == null
                  ? "joined with " + survivor
                  : why.key()
                      + " ("
                      + why.rule()
                      + ") held by "
                      + describe(graph, items, why.a())
                      + " and "
                      + describe(graph, items, why.b());
          sameAs.add(
              new SameAs(merged, survivor, now, why == null ? null : why.key(), reason, runId));
          events.add(
              new GraphEvent(
                  now,
                  runId,
                  GraphEvent.Action.MERGE,
                  survivor,
                  why == null ? null : why.key(),
                  merged + " merged into " + survivor + ": " + reason));
        }
      }
      personOfRoot.put(component.getKey(), survivor);
    }

    // the records of the batch, then the records of merged persons, moved to the survivor
    Map<RecordRef, RecordRow> records = new LinkedHashMap<>();
    long matched = 0;
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      String person = personOfRoot.get(graph.find(i));
      Edge edge = graph.firstEdge(i);
      RecordRow row;
      if (edge != null) {
        matched++;
        int other = edge.a() == i ? edge.b() : edge.a();
        row =
            new RecordRow(
                item.ref(),
                person,
                item.values().name(),
                item.values().keys(),
                edge.key(),
                describe(graph, items, other),
                edge.rule(),
                item.stored() == null ? now : item.stored().loadedAt(),
                since.get(person));
      } else if (item.stored() != null) {
        RecordRow stored = item.stored();
        row =
            new RecordRow(
                item.ref(),
                person,
                item.values().name(),
                item.values().keys(),
                stored.matchKey(),
                stored.matchedWith(),
                stored.matchRule(),
                stored.loadedAt(),
                since.get(person));
      } else {
        row =
            new RecordRow(
                item.ref(),
                person,
                item.values().name(),
                item.values().keys(),
                null,
                null,
                item.values().keys().isEmpty() ? "new person (no usable key)" : "new person",
                now,
                since.get(person));
      }
      records.put(item.ref(), row);
    }
    long moved = 0;
    if (!survivorOf.isEmpty()) {
      for (RecordRow row : store.recordsOfPersons(survivorOf.keySet())) {
        if (!records.containsKey(row.ref())) {
          String survivor = survivorOf.get(row.personId());
          records.put(row.ref(), row.withPerson(survivor, since.get(survivor)));
          moved++;
        }
      }
    }

    // the key index: stored rows re-pointed to survivors, the batch's keys added
    Map<KeyRow.Id, KeyRow> keyRows = new LinkedHashMap<>();
    Set<KeyRow.Id> dirty = new LinkedHashSet<>();
    Set<KeyRow.Id> deletes = new LinkedHashSet<>();
    Map<KeyRow.Id, KeyRow> storedRows = new LinkedHashMap<>();
    rowsByKey.values().forEach(rows -> rows.forEach(row -> storedRows.put(row.id(), row)));
    if (!survivorOf.isEmpty()) {
      store.keyRowsOfPersons(survivorOf.keySet()).forEach(row -> storedRows.put(row.id(), row));
    }
    for (KeyRow row : storedRows.values()) {
      String person = survivorOf.getOrDefault(row.personId(), row.personId());
      KeyStatus status =
          rejected.contains(row.key()) && row.status() == KeyStatus.ACTIVE
              ? KeyStatus.OVER_SHARED
              : row.status();
      KeyRow.Id id = new KeyRow.Id(row.key(), person);
      KeyRow earlier = keyRows.get(id);
      KeyRow moved2 =
          new KeyRow(
              row.key(),
              person,
              earlier == null ? row.names() : union(row.key(), earlier.names(), row.names()),
              row.records() + (earlier == null ? 0 : earlier.records()),
              earlier == null ? status : worse(earlier.status(), status),
              since.getOrDefault(person, row.personSince()),
              now);
      keyRows.put(id, moved2);
      if (!person.equals(row.personId())) {
        deletes.add(row.id());
        dirty.add(id);
      } else if (status != row.status()) {
        dirty.add(id);
      } else if (earlier != null) {
        dirty.add(id);
      }
    }
    for (Item item : items) {
      String person = records.get(item.ref()).personId();
      for (Map.Entry<KeyKind, String> entry : item.values().keys().entrySet()) {
        String key = entry.getKey().key(entry.getValue());
        KeyRow.Id id = new KeyRow.Id(key, person);
        KeyRow row = keyRows.get(id);
        boolean counted =
            item.stored() != null
                && entry.getValue().equals(item.stored().keys().get(entry.getKey()));
        String name = item.values().comparableName();
        if (row == null) {
          row =
              new KeyRow(
                  key,
                  person,
                  name == null ? List.of() : List.of(name),
                  1,
                  rejected.contains(key) ? KeyStatus.OVER_SHARED : KeyStatus.ACTIVE,
                  since.get(person),
                  now);
        } else {
          row =
              new KeyRow(
                  key,
                  person,
                  name == null ? row.names() : union(key, row.names(), List.of(name)),
                  row.records() + (counted ? 0 : 1),
                  row.status(),
                  row.personSince(),
                  now);
        }
        keyRows.put(id, row);
        dirty.add(id);
      }
    }
    for (String key : newlyRejected) {
      events.add(
          new GraphEvent(
              now,
              runId,
              GraphEvent.Action.KEY_OVER_SHARED,
              null,
              key,
              key
                  + " is carried by more than "
                  + limit(key)
                  + " different names; it no longer joins records"));
    }
    List<KeyRow> upserts = new ArrayList<>();
    dirty.forEach(id -> upserts.add(keyRows.get(id)));
    RunSummary summary =
        new RunSummary(
            batch.size(),
            items.size() - updated,
            updated,
            replayed,
            matched,
            newPersons,
            sameAs.size(),
            moved,
            newlyRejected.size(),
            rejectedUses,
            garbage,
            withoutKeys);
    return new Resolution(
        new ArrayList<>(records.values()),
        upserts,
        new ArrayList<>(deletes),
        sameAs,
        List.of(),
        events,
        summary);
  }

  /**
   * Splits records off a person into a new person: a correction. Keys only the moved records hold
   * go with them; keys both halves hold become {@link KeyStatus#AMBIGUOUS} and join nobody any
   * more, so the next run does not merge the halves again.
   *
   * @throws IllegalArgumentException when the person is unknown, or the records are not all its
   *     own, or they are all of its records
   */
  public Resolution split(
      String personId,
      List<RecordRef> moving,
      String reason,
      IdentityStore store,
      Instant now,
      String runId) {
    List<RecordRow> own = store.recordsOfPersons(List.of(personId));
    if (own.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot split " + personId + ": the graph has no person with that id");
    }
    Set<RecordRef> ownRefs = new TreeSet<>();
    own.forEach(row -> ownRefs.add(row.ref()));
    Set<RecordRef> move = new TreeSet<>(moving);
    if (move.isEmpty()) {
      throw new IllegalArgumentException("Cannot split " + personId + ": no record to move");
    }
    for (RecordRef ref : move) {
      if (!ownRefs.contains(ref)) {
        throw new IllegalArgumentException(
            "Cannot split "
                + personId
                + ": record "
                + ref
                + " is not one of its records ("
                + String.join(", ", ownRefs.stream().map(RecordRef::toString).toList())
                + ")");
      }
    }
    if (move.size() == ownRefs.size()) {
      throw new IllegalArgumentException(
          "Cannot split " + personId + ": that would move all its records; leave at least one");
    }
    String newId = PersonIds.split(personId, List.copyOf(move));
    Set<String> movingKeys = new HashSet<>();
    Set<String> stayingKeys = new HashSet<>();
    List<RecordRow> records = new ArrayList<>();
    List<Move> moved = new ArrayList<>();
    for (RecordRow row : own) {
      boolean moves = move.contains(row.ref());
      for (KeyKind kind : row.keys().keySet()) {
        (moves ? movingKeys : stayingKeys).add(row.key(kind).orElseThrow());
      }
      if (moves) {
        records.add(
            row.withMatch(newId, now, null, personId, "split from " + personId + ": " + reason));
        moved.add(new Move(row.ref(), newId, personId, now, reason, runId));
      }
    }
    List<KeyRow> upserts = new ArrayList<>();
    List<KeyRow.Id> deletes = new ArrayList<>();
    List<String> ambiguous = new ArrayList<>();
    for (KeyRow row : store.keyRowsOfPersons(List.of(personId))) {
      boolean moves = movingKeys.contains(row.key());
      boolean stays = stayingKeys.contains(row.key());
      if (moves && stays) {
        ambiguous.add(row.key());
        upserts.add(withStatus(row, row.personId(), KeyStatus.AMBIGUOUS, row.personSince(), now));
        upserts.add(withStatus(row, newId, KeyStatus.AMBIGUOUS, now, now));
      } else if (moves) {
        deletes.add(row.id());
        upserts.add(withStatus(row, newId, row.status(), now, now));
      }
    }
    String detail =
        "split "
            + String.join(", ", move.stream().map(RecordRef::toString).toList())
            + " from "
            + personId
            + " into "
            + newId
            + ": "
            + reason
            + (ambiguous.isEmpty()
                ? ""
                : "; keys both hold no longer join: " + String.join(", ", ambiguous));
    List<GraphEvent> events =
        List.of(new GraphEvent(now, runId, GraphEvent.Action.SPLIT, personId, null, detail));
    RunSummary summary = new RunSummary(0, 0, 0, 0, 0, 1, 0, records.size(), 0, 0, Map.of(), 0);
    return new Resolution(records, upserts, deletes, List.of(), moved, events, summary);
  }

  private static KeyRow withStatus(
      KeyRow row, String person, KeyStatus status, Instant since, Instant now) {
    return new KeyRow(row.key(), person, row.names(), row.records(), status, since, now);
  }

  private static boolean sameValues(RecordRow stored, KeyExtractor.Extracted values) {
    return stored.keys().equals(values.keys()) && Objects.equals(stored.name(), values.name());
  }

  private List<String> union(String key, List<String> a, List<String> b) {
    LinkedHashSet<String> names = new LinkedHashSet<>(a);
    names.addAll(b);
    int cap = limit(key) * 2 + 2;
    return names.stream().limit(cap).toList();
  }

  private static KeyStatus worse(KeyStatus a, KeyStatus b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  private static String describe(Graph graph, List<Item> items, int node) {
    return graph.isPerson(node) ? graph.personId(node) : items.get(node).ref().toString();
  }

  /** Union-find over the batch's records (0..n-1) and the stored persons they meet (n...). */
  private static final class Graph {
    private final int records;
    private final List<String> persons = new ArrayList<>();
    private final Map<String, Integer> personNodes = new HashMap<>();
    private int[] parent;
    private final Map<Integer, Edge> firstEdges = new HashMap<>();

    Graph(int records) {
      this.records = records;
      this.parent = new int[Math.max(16, records * 2)];
      for (int i = 0; i < parent.length; i++) {
        parent[i] = i;
      }
    }

    int person(String id) {
      return personNodes.computeIfAbsent(
          id,
          k -> {
            persons.add(k);
            int node = records + persons.size() - 1;
            if (node >= parent.length) {
              int old = parent.length;
              parent = java.util.Arrays.copyOf(parent, old * 2);
              for (int i = old; i < parent.length; i++) {
                parent[i] = i;
              }
            }
            return node;
          });
    }

    boolean isPerson(int node) {
      return node >= records;
    }

    String personId(int node) {
      return persons.get(node - records);
    }

    int find(int node) {
      while (parent[node] != node) {
        parent[node] = parent[parent[node]];
        node = parent[node];
      }
      return node;
    }

    /** Joins two nodes; an edge with a key explains both ends, the first one each node gets. */
    void join(int a, int b, String key, String rule) {
      if (a == b) {
        return;
      }
      if (key != null) {
        Edge edge = new Edge(a, b, key, rule);
        firstEdges.putIfAbsent(a, edge);
        firstEdges.putIfAbsent(b, edge);
      }
      int ra = find(a);
      int rb = find(b);
      if (ra != rb) {
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }

    Edge firstEdge(int node) {
      return firstEdges.get(node);
    }

    Map<Integer, List<Integer>> components() {
      Map<Integer, List<Integer>> components = new LinkedHashMap<>();
      for (int node = 0; node < records + persons.size(); node++) {
        components.computeIfAbsent(find(node), k -> new ArrayList<>()).add(node);
      }
      return components;
    }

    static Instant earlier(Instant a, Instant b) {
      return a.isBefore(b) ? a : b;
    }
  }
}

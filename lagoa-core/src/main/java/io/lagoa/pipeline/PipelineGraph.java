package io.lagoa.pipeline;

import io.lagoa.text.EditDistance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The datasets of a pipeline and what each reads, checked: names resolved, no dataset defined
 * twice, every input either defined here or present in the catalog, no cycles. Datasets come in
 * dependency order (ties keep file order).
 */
public final class PipelineGraph {
  /** File formats Spark reads with {@code format.`path`}. */
  private static final Set<String> FILE_FORMATS =
      Set.of("json", "csv", "parquet", "orc", "text", "avro", "binaryfile", "xml");

  private final PipelineSpec spec;
  private final Map<String, Dataset> byName;
  private final List<Dataset> ordered;
  private final Map<String, List<String>> downstream;

  private PipelineGraph(PipelineSpec spec, Map<String, Dataset> byName, List<Dataset> ordered) {
    this.spec = spec;
    this.byName = byName;
    this.ordered = List.copyOf(ordered);
    Map<String, List<String>> readers = new LinkedHashMap<>();
    for (Dataset dataset : ordered) {
      readers.putIfAbsent(dataset.name(), new ArrayList<>());
      for (Input input : dataset.inputs()) {
        if (input.kind() == Input.Kind.DATASET) {
          List<String> list = readers.computeIfAbsent(input.name(), k -> new ArrayList<>());
          if (!list.contains(dataset.name())) {
            list.add(dataset.name());
          }
        }
      }
    }
    this.downstream = readers;
  }

  /**
   * Builds and checks the graph.
   *
   * @param tableExists whether the catalog has a table (or view), by its lower-case dotted name
   * @throws PipelineException with every problem found, each at its file:line:col
   */
  public static PipelineGraph build(
      PipelineSpec spec, List<ParsedDataset> parsed, Predicate<String> tableExists) {
    List<String> problems = new ArrayList<>();
    Set<String> views = new LinkedHashSet<>();
    for (ParsedDataset dataset : parsed) {
      if (dataset.statement().kind() == DatasetKind.TEMPORARY_VIEW) {
        views.add(Dataset.normalize(String.join(".", dataset.statement().nameParts())));
      }
    }
    Map<String, Dataset> byName = new LinkedHashMap<>();
    List<Dataset> datasets = new ArrayList<>();
    // first pass: names, so inputs can refer to datasets defined in later files
    Map<ParsedDataset, String> names = new HashMap<>();
    for (ParsedDataset dataset : parsed) {
      DatasetStatement statement = dataset.statement();
      Optional<String> name = datasetName(spec, statement, problems);
      if (name.isEmpty()) {
        continue;
      }
      names.put(dataset, name.get());
      Dataset existing = byName.get(name.get());
      if (existing != null) {
        problems.add(
            statement.position()
                + ": "
                + name.get()
                + " is defined twice; it is"
                + " already defined at "
                + existing.position());
        continue;
      }
      byName.put(name.get(), new Dataset(name.get(), statement.kind(), statement, List.of()));
    }
    for (ParsedDataset dataset : parsed) {
      String name = names.get(dataset);
      if (name == null || byName.get(name).statement() != dataset.statement()) {
        continue;
      }
      DatasetStatement statement = dataset.statement();
      List<Input> inputs = new ArrayList<>();
      for (InputReference reference : dataset.inputs()) {
        Optional<SourceCall> source =
            reference.parts().size() == 1
                ? statement.source(reference.parts().get(0))
                : Optional.empty();
        if (source.isPresent()) {
          inputs.add(
              new Input(
                  source.get().displayName(),
                  Input.Kind.SOURCE,
                  source.get().streaming(),
                  source.get().position()));
          continue;
        }
        resolve(spec, reference, views, byName, tableExists, name, problems).ifPresent(inputs::add);
      }
      Dataset resolved = new Dataset(name, statement.kind(), statement, inputs);
      check(resolved, byName, problems);
      byName.put(name, resolved);
      datasets.add(resolved);
    }
    if (problems.isEmpty()) {
      findCycle(datasets, byName).ifPresent(problems::add);
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(problems);
    }
    return new PipelineGraph(spec, byName, order(datasets, byName));
  }

  private static Optional<String> datasetName(
      PipelineSpec spec, DatasetStatement statement, List<String> problems) {
    List<String> parts = new ArrayList<>();
    statement.nameParts().forEach(part -> parts.add(Dataset.normalize(part)));
    if (statement.kind() == DatasetKind.TEMPORARY_VIEW) {
      if (parts.size() != 1) {
        problems.add(
            statement.position()
                + ": a temporary view's name has no namespace: write"
                + " CREATE TEMPORARY VIEW "
                + parts.get(parts.size() - 1));
        return Optional.empty();
      }
      return Optional.of(parts.get(0));
    }
    Optional<String> name = tableName(spec, parts);
    if (name.isEmpty()) {
      problems.add(
          statement.position()
              + ": "
              + parts.get(0)
              + " has no namespace; write e.g."
              + " silver."
              + parts.get(0)
              + ", or set namespace: in pipeline.yaml");
    }
    return name;
  }

  static Optional<String> tableName(PipelineSpec spec, List<String> parts) {
    List<String> names = new ArrayList<>(parts);
    if (names.size() > 2 && names.get(0).equals("lagoa")) {
      names.remove(0);
    }
    if (names.size() == 1) {
      return spec.namespace().map(namespace -> namespace + "." + names.get(0));
    }
    return Optional.of(String.join(".", names));
  }

  private static Optional<Input> resolve(
      PipelineSpec spec,
      InputReference reference,
      Set<String> views,
      Map<String, Dataset> datasets,
      Predicate<String> tableExists,
      String reader,
      List<String> problems) {
    List<String> parts = reference.parts();
    if (parts.size() == 2
        && FILE_FORMATS.contains(Dataset.normalize(parts.get(0)))
        && (parts.get(1).contains("/") || parts.get(1).contains("\\"))) {
      String name = Dataset.normalize(parts.get(0)) + ".`" + parts.get(1) + "`";
      return Optional.of(
          new Input(name, Input.Kind.FILE, reference.streaming(), reference.position()));
    }
    List<String> lower = parts.stream().map(Dataset::normalize).toList();
    if (lower.size() == 1 && views.contains(lower.get(0))) {
      return Optional.of(
          new Input(lower.get(0), Input.Kind.DATASET, reference.streaming(), reference.position()));
    }
    Optional<String> name = tableName(spec, lower);
    if (name.isEmpty()) {
      problems.add(
          reference.position()
              + ": "
              + reader
              + " reads "
              + lower.get(0)
              + ", which is"
              + " neither a temporary view of this pipeline nor a table name with a namespace; write"
              + " e.g. bronze."
              + lower.get(0)
              + ", or set namespace: in pipeline.yaml");
      return Optional.empty();
    }
    if (datasets.containsKey(name.get())) {
      if (reference.streaming() && datasets.get(name.get()).identityGraph().isPresent()) {
        problems.add(
            reference.position()
                + ": STREAM("
                + name.get()
                + ") would read only the rows appended to it, but "
                + name.get()
                + " is an identity graph: its rows change in place when persons merge or split, so"
                + " a stream of it would miss those changes; read it without STREAM (join the"
                + " stream of its source with it), stream the merges from STREAM("
                + name.get()
                + "_same_as) and the records splits moved from STREAM("
                + name.get()
                + "_moves)");
      }
      return Optional.of(
          new Input(name.get(), Input.Kind.DATASET, reference.streaming(), reference.position()));
    }
    // an identity graph's side table (silver.persons_same_as) is written by the graph's flow: its
    // readers depend on the graph, so they run after it, and the table may not exist yet
    for (Dataset dataset : datasets.values()) {
      if (dataset.identityTables().contains(name.get())) {
        return Optional.of(
            new Input(
                dataset.name(), Input.Kind.DATASET, reference.streaming(), reference.position()));
      }
    }
    if (!tableExists.test(name.get())) {
      problems.add(
          reference.position()
              + ": "
              + reader
              + " reads "
              + name.get()
              + ", which is"
              + " neither defined in this pipeline nor a table in the catalog"
              + suggest(name.get(), datasets.keySet()));
      return Optional.empty();
    }
    return Optional.of(
        new Input(name.get(), Input.Kind.TABLE, reference.streaming(), reference.position()));
  }

  private static String suggest(String name, Collection<String> known) {
    return EditDistance.closest(name, known)
        .map(best -> " (did you mean " + best + "?)")
        .orElse("");
  }

  private static void check(Dataset dataset, Map<String, Dataset> byName, List<String> problems) {
    boolean anyStream = false;
    for (Input input : dataset.inputs()) {
      if (!input.streaming()) {
        continue;
      }
      anyStream = true;
      if (dataset.kind() != DatasetKind.STREAMING_TABLE) {
        problems.add(
            input.position()
                + ": STREAM("
                + input.name()
                + ") reads only new data, which"
                + " only a streaming table keeps track of; make "
                + dataset.name()
                + " a CREATE"
                + " STREAMING TABLE, or read "
                + input.name()
                + " without STREAM");
      } else if (input.kind() == Input.Kind.SOURCE) {
        continue; // checked with the call's arguments
      } else if (input.kind() == Input.Kind.FILE) {
        problems.add(
            input.position()
                + ": STREAM() reads Iceberg tables incrementally and cannot"
                + " read files; load the files into a bronze table first, and stream from it");
      } else if (input.kind() == Input.Kind.DATASET
          && byName.get(input.name()).kind() != DatasetKind.STREAMING_TABLE) {
        problems.add(
            input.position()
                + ": STREAM("
                + input.name()
                + ") needs an append-only"
                + " source, but "
                + input.name()
                + " is a "
                + byName.get(input.name()).kind().description()
                + " (replaced on every run); read it without STREAM, or make it a streaming table");
      }
    }
    boolean snapshots = dataset.autoCdc().map(AutoCdc::fromSnapshot).orElse(false);
    if (dataset.kind() == DatasetKind.STREAMING_TABLE && !anyStream && !snapshots) {
      problems.add(
          dataset.position()
              + ": streaming table "
              + dataset.name()
              + " must read at"
              + " least one source with STREAM: STREAM(table), STREAM read_kafka(...) or STREAM"
              + " read_files(...); that is the data each run appends; use"
              + " CREATE MATERIALIZED VIEW to recompute the whole result instead");
    }
  }

  private static Optional<String> findCycle(List<Dataset> datasets, Map<String, Dataset> byName) {
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    Deque<String> path = new ArrayDeque<>();
    for (Dataset dataset : datasets) {
      Optional<String> cycle = visit(dataset.name(), byName, state, path);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> visit(
      String name, Map<String, Dataset> byName, Map<String, Integer> state, Deque<String> path) {
    Integer seen = state.get(name);
    if (seen != null && seen == 2) {
      return Optional.empty();
    }
    if (seen != null && seen == 1) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (String step : path) {
        if (step.equals(name)) {
          in = true;
        }
        if (in) {
          cycle.add(step);
        }
      }
      cycle.add(name);
      StringBuilder message = new StringBuilder();
      message.append(byName.get(cycle.get(0)).position()).append(": the pipeline has a cycle: ");
      List<String> flow = new ArrayList<>(cycle);
      java.util.Collections.reverse(flow); // data flows from what is read to its reader
      message.append(String.join(" -> ", flow));
      message.append(" (");
      List<String> where = new ArrayList<>();
      for (int i = 0; i < cycle.size() - 1; i++) {
        Dataset reader = byName.get(cycle.get(i));
        String read = cycle.get(i + 1);
        for (Input input : reader.inputs()) {
          if (input.name().equals(read) && input.kind() == Input.Kind.DATASET) {
            where.add(reader.name() + " reads " + read + " at " + input.position());
            break;
          }
        }
      }
      message.append(String.join("; ", where)).append(")");
      return Optional.of(message.toString());
    }
    state.put(name, 1);
    path.addLast(name);
    for (Input input : byName.get(name).inputs()) {
      if (input.kind() == Input.Kind.DATASET) {
        Optional<String> cycle = visit(input.name(), byName, state, path);
        if (cycle.isPresent()) {
          return cycle;
        }
      }
    }
    path.removeLast();
    state.put(name, 2);
    return Optional.empty();
  }

  /** Kahn's algorithm; among ready datasets the one defined first goes first. */
  private static List<Dataset> order(List<Dataset> datasets, Map<String, Dataset> byName) {
    Map<String, Integer> pending = new HashMap<>();
    for (Dataset dataset : datasets) {
      pending.put(dataset.name(), upstreamOf(dataset).size());
    }
    List<Dataset> ordered = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    while (ordered.size() < datasets.size()) {
      for (Dataset dataset : datasets) {
        if (!done.contains(dataset.name()) && done.containsAll(upstreamOf(dataset))) {
          ordered.add(dataset);
          done.add(dataset.name());
          break;
        }
      }
    }
    return ordered;
  }

  private static Set<String> upstreamOf(Dataset dataset) {
    Set<String> names = new LinkedHashSet<>();
    for (Input input : dataset.inputs()) {
      if (input.kind() == Input.Kind.DATASET) {
        names.add(input.name());
      }
    }
    return names;
  }

  public PipelineSpec spec() {
    return spec;
  }

  /** Every dataset, each after the ones it reads. */
  public List<Dataset> datasets() {
    return ordered;
  }

  /** The datasets stored as tables, in dependency order. */
  public List<Dataset> tables() {
    return ordered.stream().filter(dataset -> dataset.kind().isTable()).toList();
  }

  public Optional<Dataset> dataset(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The datasets of this pipeline that a dataset reads directly. */
  public List<String> upstream(String name) {
    return List.copyOf(upstreamOf(byName.get(name)));
  }

  /** The datasets of this pipeline that read a dataset directly. */
  public List<String> downstream(String name) {
    return List.copyOf(downstream.getOrDefault(name, List.of()));
  }

  /** Tables outside the pipeline and files it reads, by name, in order of first use. */
  public Map<String, Input> externalInputs() {
    Map<String, Input> external = new LinkedHashMap<>();
    for (Dataset dataset : ordered) {
      for (Input input : dataset.inputs()) {
        if (input.isExternal()) {
          external.putIfAbsent(input.name(), input);
        }
      }
    }
    return external;
  }

  /**
   * The tables a selection names, in dependency order. Each selector is a dataset name ({@code
   * silver.users}, or {@code users} when only one dataset has that name), with {@code +} after it
   * for everything downstream and before it for everything upstream: {@code users+}, {@code
   * +users}, {@code +users+}. Several may be separated by commas. Temporary views are not run on
   * their own: a selected view selects the tables that read it.
   *
   * @throws SelectionException when a selector names no dataset, or the selection no table
   */
  public List<Dataset> select(List<String> selectors) {
    if (selectors.isEmpty()) {
      return tables();
    }
    Set<String> chosen = new LinkedHashSet<>();
    List<SelectionException.Problem> problems = new ArrayList<>();
    for (String group : selectors) {
      for (String raw : group.split(",")) {
        String selector = raw.strip();
        if (selector.isEmpty()) {
          continue;
        }
        boolean up = selector.startsWith("+");
        boolean down = selector.endsWith("+") && selector.length() > 1;
        String name = selector.substring(up ? 1 : 0, selector.length() - (down ? 1 : 0)).strip();
        Optional<String> found = find(name);
        if (found.isEmpty()) {
          problems.add(
              new SelectionException.Problem(
                  selector,
                  "no dataset is named "
                      + name
                      + suggest(Dataset.normalize(name), byName.keySet())
                      + "; the pipeline defines "
                      + String.join(", ", byName.keySet())));
          continue;
        }
        chosen.add(found.get());
        if (up) {
          walk(found.get(), this::upstream, chosen);
        }
        if (down || byName.get(found.get()).kind() == DatasetKind.TEMPORARY_VIEW) {
          walk(found.get(), this::downstream, chosen);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new SelectionException(problems);
    }
    if (chosen.stream().noneMatch(name -> byName.get(name).kind().isTable())) {
      // a lone view selects only what reads it
      throw new SelectionException(
          List.of(new SelectionException.Problem(null, "the selection holds no table to run")));
    }
    return ordered.stream()
        .filter(dataset -> dataset.kind().isTable() && chosen.contains(dataset.name()))
        .toList();
  }

  private Optional<String> find(String name) {
    String lower = Dataset.normalize(name.replace("`", ""));
    if (lower.startsWith("lagoa.") && lower.chars().filter(c -> c == '.').count() >= 2) {
      lower = lower.substring("lagoa.".length());
    }
    if (byName.containsKey(lower)) {
      return Optional.of(lower);
    }
    List<String> matches = new ArrayList<>();
    for (Dataset dataset : ordered) {
      if (dataset.shortName().equals(lower)) {
        matches.add(dataset.name());
      }
    }
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  private static void walk(
      String start, java.util.function.Function<String, List<String>> next, Set<String> into) {
    Deque<String> queue = new ArrayDeque<>(next.apply(start));
    while (!queue.isEmpty()) {
      String name = queue.removeFirst();
      if (into.add(name)) {
        queue.addAll(next.apply(name));
      }
    }
  }
}

package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.sql.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestPipelineGraph {
  private static final PipelineSpec SPEC =
      new PipelineSpec("p", Path.of("/p"), Optional.of("silver"), Map.of(), ExpectationPolicy.WARN);
  private final List<ParsedDataset> parsed = new ArrayList<>();
  private int line = 1;

  /** Adds "CREATE <kind> <name> AS SELECT ..." reading the given tables (STREAM(x) for "~x"). */
  private void define(String kind, String name, String... reads) {
    String sql = "CREATE " + kind + " " + name + " AS SELECT 1";
    Statement statement = new Statement(sql, line, 1);
    DatasetStatement dataset =
        DatasetStatementParser.parse("p.sql", statement, ExpectationPolicy.WARN);
    List<InputReference> inputs = new ArrayList<>();
    for (String read : reads) {
      boolean stream = read.startsWith("~");
      inputs.add(
          new InputReference(
              parts(read.replace("~", "")), stream, new SourcePosition("p.sql", line + 1, 6)));
    }
    parsed.add(new ParsedDataset(dataset, inputs));
    line += 3;
  }

  private static List<String> parts(String name) {
    int slash = name.indexOf('/');
    if (slash > 0) {
      return List.of(name.substring(0, slash - 1), name.substring(slash));
    }
    return List.of(name.split("\\."));
  }

  private PipelineGraph build(String... existing) {
    return PipelineGraph.build(SPEC, parsed, Set.of(existing)::contains);
  }

  @Test
  void ordersByDependenciesKeepingFileOrder() {
    define("MATERIALIZED VIEW", "gold.by_title", "users");
    define("TEMPORARY VIEW", "flat", "bronze.users", "bronze.ssn");
    define("MATERIALIZED VIEW", "users", "flat");
    define("MATERIALIZED VIEW", "gold.other", "bronze.users");
    PipelineGraph graph = build("bronze.users", "bronze.ssn");
    assertThat(graph.datasets())
        .extracting(Dataset::name)
        .containsExactly("flat", "silver.users", "gold.by_title", "gold.other");
    assertThat(graph.tables())
        .extracting(Dataset::name)
        .containsExactly("silver.users", "gold.by_title", "gold.other");
    assertThat(graph.externalInputs().keySet()).containsExactly("bronze.users", "bronze.ssn");
    assertThat(graph.downstream("flat")).containsExactly("silver.users");
    assertThat(graph.upstream("gold.by_title")).containsExactly("silver.users");
  }

  @Test
  void aReaderOfAnIdentityGraphsSideTableRunsAfterTheGraph() {
    define("STREAMING TABLE", "silver.same_as_link", "~silver.persons_same_as");
    define("IDENTITY GRAPH", "silver.persons MATCH ON email", "~bronze.crm");
    PipelineGraph graph = build("bronze.crm");
    assertThat(graph.datasets())
        .extracting(Dataset::name)
        .containsExactly("silver.persons", "silver.same_as_link");
    assertThat(graph.upstream("silver.same_as_link")).containsExactly("silver.persons");
  }

  @Test
  void selectsUpAndDownstream() {
    define("MATERIALIZED VIEW", "bronze.a", "json./data/a.json");
    define("MATERIALIZED VIEW", "b", "bronze.a");
    define("MATERIALIZED VIEW", "gold.c", "b");
    define("MATERIALIZED VIEW", "gold.d", "bronze.a");
    PipelineGraph graph = build();
    assertThat(graph.externalInputs().get("json.`/data/a.json`").kind()).isEqualTo(Input.Kind.FILE);
    assertThat(graph.select(List.of())).hasSize(4);
    assertThat(graph.select(List.of("b+")))
        .extracting(Dataset::name)
        .containsExactly("silver.b", "gold.c");
    assertThat(graph.select(List.of("+gold.c")))
        .extracting(Dataset::name)
        .containsExactly("bronze.a", "silver.b", "gold.c");
    assertThat(graph.select(List.of("d, lagoa.silver.b")))
        .extracting(Dataset::name)
        .containsExactly("silver.b", "gold.d");
    assertThatThrownBy(() -> graph.select(List.of("gold.cc+")))
        .isInstanceOfSatisfying(
            SelectionException.class,
            e ->
                assertThat(e.message("--select"))
                    .startsWith(
                        "--select gold.cc+: no dataset is named gold.cc (did you mean gold.c?)"))
        .hasMessageStartingWith(
            "selector gold.cc+: no dataset is named gold.cc (did you mean gold.c?)");
  }

  @Test
  void reportsDuplicatesAndMissingInputs() {
    define("MATERIALIZED VIEW", "users", "bronze.users");
    define("MATERIALIZED VIEW", "silver.USERS", "bronze.users");
    define("MATERIALIZED VIEW", "gold.g", "silver.userz", "nowhere.t");
    assertThatThrownBy(() -> build("bronze.users"))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "p.sql:4:26: silver.users is defined twice; it is already defined at p.sql:1:26",
                        "p.sql:8:6: gold.g reads silver.userz, which is neither defined in this pipeline"
                            + " nor a table in the catalog (did you mean silver.users?)",
                        "p.sql:8:6: gold.g reads nowhere.t, which is neither defined in this pipeline"
                            + " nor a table in the catalog"));
  }

  @Test
  void reportsCyclesWithTheirPath() {
    define("MATERIALIZED VIEW", "a", "c");
    define("MATERIALIZED VIEW", "b", "a");
    define("MATERIALIZED VIEW", "c", "b");
    assertThatThrownBy(this::build)
        .hasMessage(
            "p.sql:1:26: the pipeline has a cycle: silver.a -> silver.b -> silver.c -> silver.a"
                + " (silver.a reads silver.c at p.sql:2:6; silver.c reads silver.b at p.sql:8:6;"
                + " silver.b reads silver.a at p.sql:5:6)");
    parsed.clear();
    define("MATERIALIZED VIEW", "self", "self");
    assertThatThrownBy(this::build).hasMessageContaining("cycle: silver.self -> silver.self");
  }

  @Test
  void anIdentityGraphIsNotStreamed() {
    define("IDENTITY GRAPH", "silver.persons MATCH ON email", "~bronze.crm");
    define("STREAMING TABLE", "silver.stg", "~silver.persons");
    assertThatThrownBy(() -> build("bronze.crm"))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "p.sql:5:6: STREAM(silver.persons) would read only the rows appended to it,"
                            + " but silver.persons is an identity graph: its rows change in place"
                            + " when persons merge or split, so a stream of it would miss those"
                            + " changes; read it without STREAM (join the stream of its source"
                            + " with it), stream the merges from"
                            + " STREAM(silver.persons_same_as) and the records splits moved from"
                            + " STREAM(silver.persons_moves)"));
  }

  @Test
  void checksStreamingReads() {
    define("MATERIALIZED VIEW", "m", "~bronze.e");
    define("STREAMING TABLE", "s", "bronze.e");
    define("STREAMING TABLE", "f", "~json./x/y.json");
    define("STREAMING TABLE", "g", "~m");
    assertThatThrownBy(() -> build("bronze.e"))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e ->
                assertThat(e.problems())
                    .satisfiesExactly(
                        p ->
                            assertThat(p)
                                .startsWith("p.sql:2:6: STREAM(bronze.e) reads only new data"),
                        p ->
                            assertThat(p)
                                .startsWith("p.sql:4:24: streaming table silver.s must read"),
                        p -> assertThat(p).startsWith("p.sql:8:6: STREAM() reads Iceberg tables"),
                        p ->
                            assertThat(p)
                                .startsWith(
                                    "p.sql:11:6: STREAM(silver.m) needs an append-only source")));
  }

  @Test
  void needsANamespaceWithoutADefault() {
    PipelineSpec noNamespace =
        new PipelineSpec("p", Path.of("/p"), Optional.empty(), Map.of(), ExpectationPolicy.WARN);
    define("MATERIALIZED VIEW", "users", "raw");
    define("MATERIALIZED VIEW", "silver.users", "raw");
    assertThatThrownBy(() -> PipelineGraph.build(noNamespace, parsed, name -> true))
        .hasMessageContaining("p.sql:1:26: users has no namespace")
        .hasMessageContaining(
            "p.sql:5:6: silver.users reads raw, which is neither a temporary view");
  }

  @Test
  void rendersTextDotAndMermaid() {
    define("TEMPORARY VIEW", "flat", "bronze.users", "bronze.ssn");
    define("MATERIALIZED VIEW", "users", "flat");
    define("MATERIALIZED VIEW", "gold.by_title", "users");
    PipelineGraph graph = build("bronze.users", "bronze.ssn");
    assertThat(GraphRenderer.text(graph))
        .isEqualTo(
            "bronze.users  (table)\n"
                + "└── flat  (temporary view)\n"
                + "    └── silver.users  (materialized view)\n"
                + "        └── gold.by_title  (materialized view)\n"
                + "bronze.ssn  (table)\n"
                + "└── flat  (see above)\n");
    assertThat(GraphRenderer.dot(graph))
        .startsWith("digraph \"p\" {")
        .contains("\"bronze.ssn\" -> \"flat\";")
        .contains("\"silver.users\" -> \"gold.by_title\";");
    assertThat(GraphRenderer.mermaid(graph))
        .startsWith("flowchart LR\n")
        .contains("n0[(\"bronze.users\")]")
        .contains("n2 --> n3")
        .contains("n3 --> n4");
  }
}

package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.lagoa.config.LagoaConfig;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestLineageListener {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static int pipelines;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    SparkSql sql = new SparkSql(spark);
    sql.run("CREATE NAMESPACE IF NOT EXISTS lin_bronze");
    sql.run("CREATE TABLE lin_bronze.people (id BIGINT, age INT, email STRING) USING iceberg");
    sql.run("INSERT INTO lin_bronze.people VALUES (1, 30, 'a@x'), (2, 12, 'b@x'), (3, 40, 'c@x')");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  /** silver.people (an expectation) -> temporary view adults -> gold.count; names are unique. */
  private static Path pipeline(String failRule) {
    String folder = "lin" + (++pipelines);
    String suffix = "_" + pipelines;
    warehouse.writeFile(folder + "/pipeline.yaml", "name: " + folder + "\n");
    warehouse.writeFile(
        folder + "/silver.sql",
        """
        CREATE MATERIALIZED VIEW lin_silver.people%s (
          CONSTRAINT adult EXPECT (age >= 18) ON VIOLATION DROP ROW%s
        ) AS SELECT id, age, email FROM lin_bronze.people;
        """
            .formatted(suffix, failRule));
    warehouse.writeFile(
        folder + "/view.sql",
        "CREATE TEMPORARY VIEW adults%s AS SELECT * FROM lin_silver.people%s;"
            .formatted(suffix, suffix));
    warehouse.writeFile(
        folder + "/gold.sql",
        "CREATE MATERIALIZED VIEW lin_gold.count%s AS SELECT count(*) AS n FROM adults%s;"
            .formatted(suffix, suffix));
    return warehouse.root().resolve(folder);
  }

  private static RunResult run(Path folder, Map<String, String> env, List<String> warnings) {
    PipelineSource source = PipelineLoader.load(folder, Map.of());
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    CompiledPipeline pipeline =
        new SparkPipelineParser()
            .compile(source, name -> catalog.tableExists(TableIdentifier.parse(name)));
    LagoaConfig config = warehouse.config(env);
    LineageListener listener =
        new LineageListener(config, pipeline, spark, event -> {}, warnings::add, Clock.systemUTC());
    return new PipelineRunner(spark, listener, Clock.systemUTC())
        .run(pipeline, RunOptions.defaults());
  }

  private static List<JsonNode> events(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  private static List<JsonNode> eventsOf(List<JsonNode> events, String job) {
    return events.stream().filter(e -> e.at("/job/name").asText().equals(job)).toList();
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("eventType").asText()).toList();
  }

  private static List<String> fieldNames(JsonNode dataset) {
    return StreamSupport.stream(dataset.at("/facets/schema/fields").spliterator(), false)
        .map(field -> field.get("name").asText())
        .toList();
  }

  /** What every event needs by the spec, and every facet: producer and schema URL. */
  private static void assertValidEvent(JsonNode event) {
    assertThat(event.get("eventTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(event.get("producer").asText()).startsWith("https://");
    assertThat(event.get("schemaURL").asText())
        .matches("https://openlineage.io/spec/2-0-\\d+/OpenLineage.json#/\\$defs/RunEvent");
    assertThat(UUID.fromString(event.at("/run/runId").asText()).version()).isEqualTo(7);
    assertThat(event.at("/job/namespace").asText()).isNotEmpty();
    assertThat(event.at("/job/name").asText()).isNotEmpty();
    List<JsonNode> facetGroups = new ArrayList<>();
    facetGroups.add(event.at("/run/facets"));
    facetGroups.add(event.at("/job/facets"));
    for (String side : List.of("inputs", "outputs")) {
      for (JsonNode dataset : event.get(side)) {
        assertThat(dataset.get("namespace").asText()).isNotEmpty();
        assertThat(dataset.get("name").asText()).isNotEmpty();
        facetGroups.add(dataset.path("facets"));
        facetGroups.add(dataset.path("outputFacets"));
      }
    }
    for (JsonNode group : facetGroups) {
      group
          .fields()
          .forEachRemaining(
              facet -> {
                assertThat(facet.getValue().get("_producer").asText())
                    .as(facet.getKey())
                    .isEqualTo(event.get("producer").asText());
                assertThat(facet.getValue().get("_schemaURL").asText())
                    .as(facet.getKey())
                    .startsWith("https://openlineage.io/spec/");
              });
    }
  }

  @Test
  void writesStartAndCompletePerFlowWithDatasetsSchemasAndChecks() throws IOException {
    Path folder = pipeline("");
    String name = folder.getFileName().toString();
    Path file = warehouse.root().resolve(name + "-events/lineage.jsonl");
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    RunResult result =
        run(
            folder,
            Map.of("LAGOA_LINEAGE_TRANSPORT", "file", "LAGOA_LINEAGE_FILE", file.toString()),
            warnings);
    assertThat(result.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(warnings).isEmpty();

    List<JsonNode> events = events(file);
    events.forEach(TestLineageListener::assertValidEvent);
    String silverJob = name + ".lin_silver.people_" + pipelines;
    String goldJob = name + ".lin_gold.count_" + pipelines;
    assertThat(events.stream().map(e -> e.at("/job/name").asText()).distinct())
        .containsExactlyInAnyOrder(name, silverJob, goldJob); // no job for the temporary view

    // The pipeline run is the parent: first and last, with the runner's run id.
    assertThat(events.get(0).get("eventType").asText()).isEqualTo("START");
    assertThat(events.get(0).at("/job/name").asText()).isEqualTo(name);
    assertThat(events.get(0).at("/job/namespace").asText()).isEqualTo("lagoa");
    assertThat(events.get(0).at("/run/runId").asText()).isEqualTo(result.runId());
    assertThat(events.get(events.size() - 1).get("eventType").asText()).isEqualTo("COMPLETE");
    assertThat(events.get(events.size() - 1).at("/job/name").asText()).isEqualTo(name);

    List<JsonNode> silver = eventsOf(events, silverJob);
    assertThat(types(silver)).containsExactly("START", "COMPLETE");
    assertThat(silver.get(0).at("/run/runId").asText())
        .isEqualTo(silver.get(1).at("/run/runId").asText())
        .isNotEqualTo(result.runId());
    for (JsonNode event : silver) {
      assertThat(event.at("/run/facets/parent/run/runId").asText()).isEqualTo(result.runId());
      assertThat(event.at("/run/facets/parent/job/name").asText()).isEqualTo(name);
      assertThat(event.at("/run/facets/parent/job/namespace").asText()).isEqualTo("lagoa");
      assertThat(event.at("/job/facets/sql/query").asText())
          .startsWith("CREATE MATERIALIZED VIEW lin_silver.people_");
    }
    JsonNode complete = silver.get(1);
    JsonNode input = complete.get("inputs").get(0);
    assertThat(complete.get("inputs")).hasSize(1);
    Path bronze = warehouse.warehouse().resolve("lin_bronze/people").toAbsolutePath();
    assertThat(input.get("namespace").asText()).isEqualTo("file");
    assertThat(input.get("name").asText()).isEqualTo(bronze.toString());
    assertThat(input.at("/facets/symlinks/identifiers/0/name").asText())
        .isEqualTo("lin_bronze.people");
    assertThat(input.at("/facets/symlinks/identifiers/0/type").asText()).isEqualTo("TABLE");
    assertThat(input.at("/facets/dataSource/name").asText()).isEqualTo("file");
    assertThat(fieldNames(input)).containsExactly("id", "age", "email");

    JsonNode output = complete.get("outputs").get(0);
    assertThat(output.get("name").asText())
        .isEqualTo(warehouse.warehouse().resolve("lin_silver/people_" + pipelines).toString());
    assertThat(fieldNames(output)).containsExactly("id", "age", "email");
    assertThat(output.at("/facets/schema/fields/0/type").asText()).isEqualTo("long");
    assertThat(output.at("/facets/schema/fields/1/type").asText()).isEqualTo("int");
    assertThat(output.at("/outputFacets/outputStatistics/rowCount").asLong()).isEqualTo(2);
    JsonNode assertion = output.at("/outputFacets/dataQualityAssertions/assertions/0");
    assertThat(assertion.get("assertion").asText()).isEqualTo("adult");
    assertThat(assertion.get("success").asBoolean()).isFalse();
    assertThat(assertion.get("column").asText()).isEqualTo("age");
    assertThat(assertion.get("actual").asText()).isEqualTo("1 of 3 rows failed");
    assertThat(output.at("/outputFacets/dataQualityAssertions/_schemaURL").asText())
        .contains("DataQualityAssertionsDatasetFacet.json");

    // The gold flow reads through the temporary view: its input is the silver table.
    List<JsonNode> gold = eventsOf(events, goldJob);
    assertThat(types(gold)).containsExactly("START", "COMPLETE");
    assertThat(gold.get(0).get("outputs")).isEmpty(); // the table does not exist yet
    assertThat(gold.get(1).at("/inputs/0/facets/symlinks/identifiers/0/name").asText())
        .isEqualTo("lin_silver.people_" + pipelines);
    assertThat(fieldNames(gold.get(1).at("/outputs/0"))).containsExactly("n");
    assertThat(gold.get(1).at("/outputs/0/outputFacets/outputStatistics/rowCount").asLong())
        .isEqualTo(1);
    // Flow events come after the parent's START and before its COMPLETE, each START first.
    assertThat(events.indexOf(silver.get(1))).isLessThan(events.indexOf(gold.get(0)));

    // A second run appends to the same file.
    run(
        folder,
        Map.of("LAGOA_LINEAGE_TRANSPORT", "file", "LAGOA_LINEAGE_FILE", file.toString()),
        warnings);
    assertThat(events(file)).hasSize(events.size() * 2);
  }

  @Test
  void aFailingFlowSendsFailWithItsErrorAndTheSkippedOnesAbort() throws IOException {
    Path folder = pipeline(",\n  CONSTRAINT grown EXPECT (age > 20) ON VIOLATION FAIL UPDATE");
    String name = folder.getFileName().toString();
    Path file = warehouse.root().resolve(name + ".jsonl");
    RunResult result =
        run(
            folder,
            Map.of(
                "LAGOA_LINEAGE_TRANSPORT",
                "file",
                "LAGOA_LINEAGE_FILE",
                file.toString(),
                "LAGOA_LINEAGE_NAMESPACE",
                "etl"),
            new ArrayList<>());
    assertThat(result.status()).isEqualTo(RunResult.Status.FAILED);

    List<JsonNode> events = events(file);
    events.forEach(TestLineageListener::assertValidEvent);
    List<JsonNode> silver = eventsOf(events, name + ".lin_silver.people_" + pipelines);
    assertThat(types(silver)).containsExactly("START", "FAIL");
    assertThat(silver.get(1).at("/run/facets/errorMessage/message").asText())
        .contains("grown")
        .contains("failed for 1 of 3 rows");
    assertThat(silver.get(1).at("/run/facets/errorMessage/programmingLanguage").asText())
        .isEqualTo("SQL");
    List<JsonNode> gold = eventsOf(events, name + ".lin_gold.count_" + pipelines);
    assertThat(types(gold)).containsExactly("ABORT");
    assertThat(gold.get(0).at("/run/facets/parent/run/runId").asText()).isEqualTo(result.runId());
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("eventType").asText()).isEqualTo("FAIL");
    assertThat(last.at("/job/name").asText()).isEqualTo(name);
    assertThat(last.at("/job/namespace").asText()).isEqualTo("etl");
    assertThat(last.at("/run/facets/errorMessage/message").asText()).contains("grown");
  }

  @Test
  void postsEachEventInOrderWithTheApiKey() throws IOException {
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    List<String> paths = Collections.synchronizedList(new ArrayList<>());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            bodies.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
          }
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    server.start();
    try {
      Path folder = pipeline("");
      List<String> warnings = new ArrayList<>();
      RunResult result =
          run(
              folder,
              Map.of(
                  "LAGOA_LINEAGE_TRANSPORT",
                  "http",
                  "LAGOA_LINEAGE_URL",
                  "http://127.0.0.1:" + server.getAddress().getPort(),
                  "LAGOA_LINEAGE_API_KEY",
                  "s3cret"),
              warnings);
      assertThat(result.status()).isEqualTo(RunResult.Status.SUCCEEDED);
      assertThat(warnings).isEmpty();
      assertThat(bodies).hasSize(6); // the pipeline and two flows, START and COMPLETE each
      assertThat(paths).containsOnly("POST /api/v1/lineage");
      assertThat(authorizations).containsOnly("Bearer s3cret");
      List<JsonNode> events = new ArrayList<>();
      for (String body : bodies) {
        events.add(JSON.readTree(body));
      }
      events.forEach(TestLineageListener::assertValidEvent);
      assertThat(types(events).get(0)).isEqualTo("START");
      assertThat(events.get(0).at("/run/runId").asText()).isEqualTo(result.runId());
      assertThat(types(events).get(5)).isEqualTo("COMPLETE");
      assertThat(events.get(5).at("/run/runId").asText()).isEqualTo(result.runId());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreachableEndpointWarnsOnceAndTheRunSucceeds() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();
    RunResult result =
        run(
            pipeline(""),
            Map.of(
                "LAGOA_LINEAGE_TRANSPORT",
                "http",
                "LAGOA_LINEAGE_URL",
                "http://127.0.0.1:" + port,
                "LAGOA_LINEAGE_TIMEOUT_SECONDS",
                "1"),
            warnings);
    assertThat(result.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(result.historyError()).isEmpty();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .startsWith(
            "cannot send OpenLineage events to http://127.0.0.1:" + port + "/api/v1/lineage: ")
        .contains("the run itself is not affected");
    assertThat(System.nanoTime() - started).isLessThan(60_000_000_000L);
  }
}

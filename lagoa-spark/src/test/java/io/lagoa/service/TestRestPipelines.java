package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.CatalogType;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingWarehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pipeline with a streaming table on a Kafka topic, run by {@link PipelineService} against {@code
 * lagoa server} (catalog.type rest): each record lands once across runs, the source offsets travel
 * in the snapshot summaries through the REST catalog, and the run is recorded.
 */
class TestRestPipelines {
  private static TestingKafka kafka;
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static Lakehouse lakehouse;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    lakehouse = Lakehouse.open(warehouse.config(server.clientEnvironment()));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {lakehouse, server, warehouse, kafka}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void runsAStreamingPipelineOnKafkaThroughTheServer() {
    assertThat(lakehouse.config().catalog().type()).isEqualTo(CatalogType.REST);
    kafka.createTopic("rest_plays", 1);
    kafka.produce("rest_plays", plays(0, 6));
    warehouse.writeFile(
        "rp/pipeline.yaml",
        "name: rp\nnamespace: rest_kafka\nvariables:\n  kafka: " + kafka.bootstrapServers() + "\n");
    warehouse.writeFile(
        "rp/bronze.sql",
        "CREATE STREAMING TABLE plays AS SELECT * FROM STREAM read_kafka(bootstrap_servers =>"
            + " '${kafka}', topic => 'rest_plays', schema => 'id BIGINT, artist STRING')");
    warehouse.writeFile(
        "rp/gold.sql",
        "CREATE MATERIALIZED VIEW by_artist AS SELECT artist, count(*) AS n FROM plays"
            + " GROUP BY artist");
    PipelineSource source = PipelineLoader.load(warehouse.root().resolve("rp"), Map.of());
    PipelineService pipelines = new PipelineService(lakehouse);

    assertThat(run(pipelines, source).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    kafka.produce("rest_plays", plays(6, 10));
    RunResult second = run(pipelines, source);
    assertThat(second.status()).isEqualTo(RunResult.Status.SUCCEEDED);

    assertThat(
            rows(
                "SELECT count(*), count(DISTINCT _kafka.partition, _kafka.offset)"
                    + " FROM rest_kafka.plays"))
        .containsExactly(List.of(10L, 10L));
    assertThat(rows("SELECT sum(n) FROM rest_kafka.by_artist")).containsExactly(List.of(10L));
    // nothing new: a third run writes no row twice
    assertThat(run(pipelines, source).status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(rows("SELECT count(*) FROM rest_kafka.plays")).containsExactly(List.of(10L));
    assertThat(pipelines.status(source).sources())
        .singleElement()
        .satisfies(entry -> assertThat(entry.lag()).contains(0L));
  }

  private static RunResult run(PipelineService pipelines, PipelineSource source) {
    return pipelines.run(
        source,
        RunOptions.defaults(),
        PipelineService.LeaseOptions.DEFAULT,
        new PipelineService.RunEvents() {},
        PipelineListener.NONE);
  }

  private static List<List<Object>> rows(String query) {
    return lakehouse.sql().execute(query, 100).rows();
  }

  private static List<String> plays(int from, int to) {
    List<String> plays = new ArrayList<>();
    for (int i = from; i < to; i++) {
      plays.add("{\"id\": " + i + ", \"artist\": \"a" + (i % 3) + "\"}");
    }
    return plays;
  }
}

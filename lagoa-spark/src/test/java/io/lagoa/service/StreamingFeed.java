package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import io.lagoa.testing.TestingWarehouse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A streaming pipeline for tests of what works on tables while pipelines commit (backup,
 * replication, maintenance): {@code <namespace>.events} reads {@code
 * STREAM(<namespace>_raw.source)}, and each {@link #insertAndRun()} adds two rows to the source and
 * runs the pipeline once.
 */
final class StreamingFeed {
  private final Lakehouse lakehouse;
  private final PipelineService pipelines;
  private final PipelineSource pipeline;
  private final String source;
  private int nextId;

  private StreamingFeed(Lakehouse lakehouse, PipelineSource pipeline, String source) {
    this.lakehouse = lakehouse;
    this.pipelines = new PipelineService(lakehouse);
    this.pipeline = pipeline;
    this.source = source;
  }

  /** Creates the source table and the pipeline, then feeds and runs it once. */
  static StreamingFeed start(Lakehouse lakehouse, TestingWarehouse warehouse, String namespace) {
    String source = namespace + "_raw.source";
    lakehouse.sql().run("CREATE NAMESPACE " + namespace + "_raw");
    lakehouse.sql().run("CREATE TABLE " + source + " (id INT, v INT) USING iceberg");
    warehouse.writeFile(
        namespace + "/pipeline.yaml", "name: " + namespace + "\nnamespace: " + namespace + "\n");
    warehouse.writeFile(
        namespace + "/events.sql",
        "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(" + source + ")");
    StreamingFeed feed =
        new StreamingFeed(
            lakehouse, PipelineLoader.load(warehouse.root().resolve(namespace), Map.of()), source);
    feed.insertAndRun();
    return feed;
  }

  /** Two new rows in the source, then one pipeline run: one commit to each table. */
  synchronized void insertAndRun() {
    int a = ++nextId;
    int b = ++nextId;
    lakehouse
        .sql()
        .run("INSERT INTO " + source + " VALUES (" + a + ", " + a % 3 + "), (" + b + ", 1)");
    RunResult result =
        pipelines.run(
            pipeline,
            new RunOptions(List.of(), false, false, 1, false, false),
            new PipelineService.LeaseOptions(false, Duration.ofMinutes(1)),
            new PipelineService.RunEvents() {},
            PipelineListener.NONE);
    assertThat(result.status()).as(result.error().orElse("")).isEqualTo(RunResult.Status.SUCCEEDED);
  }

  /** How many rows the source has been given so far (ids 1 to this). */
  synchronized int rowsInserted() {
    return nextId;
  }
}

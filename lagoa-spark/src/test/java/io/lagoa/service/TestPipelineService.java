package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.lease.PipelineBusyException;
import io.lagoa.pipeline.lease.PipelineLease;
import io.lagoa.pipeline.lease.PipelineLeases;
import io.lagoa.spark.pipeline.ContinuousRunner;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import io.lagoa.testing.TestingWarehouse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestPipelineService {
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;
  private static PipelineService pipelines;
  private static int count;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    pipelines = new PipelineService(lakehouse);
  }

  @AfterAll
  static void stop() {
    lakehouse.close();
    warehouse.close();
  }

  /** A raw table with two rows, and a pipeline reading it in a namespace of its own. */
  private static PipelineSource pipeline(String namespace, String... files) {
    lakehouse.sql().run("CREATE NAMESPACE IF NOT EXISTS " + namespace + "_raw");
    lakehouse
        .sql()
        .run(
            "CREATE TABLE IF NOT EXISTS "
                + namespace
                + "_raw.source (id INT, v INT) USING iceberg");
    lakehouse.sql().run("INSERT INTO " + namespace + "_raw.source VALUES (1, 10), (2, 20)");
    String folder = "p" + (++count);
    warehouse.writeFile(
        folder + "/pipeline.yaml", "name: " + folder + "\nnamespace: " + namespace + "\n");
    for (int i = 0; i < files.length; i += 2) {
      warehouse.writeFile(folder + "/" + files[i], files[i + 1]);
    }
    return PipelineLoader.load(warehouse.root().resolve(folder), Map.of());
  }

  @Test
  void validatesWithoutRunning() {
    PipelineSource source =
        pipeline(
            "valid",
            "a.sql",
            "CREATE MATERIALIZED VIEW copy AS SELECT * FROM valid_raw.source",
            "b.sql",
            "CREATE TEMPORARY VIEW big AS SELECT * FROM copy WHERE v > 10",
            "c.sql",
            "CREATE STREAMING TABLE events (CONSTRAINT positive EXPECT (v > 0))"
                + " AS SELECT * FROM STREAM(valid_raw.source)");
    PipelineService.Validation validation = pipelines.validate(source);
    assertThat(validation.pipeline()).isEqualTo(source.spec().name());
    assertThat(validation.tables()).isEqualTo(2);
    assertThat(validation.temporaryViews()).isEqualTo(1);
    assertThat(validation.expectations()).isEqualTo(1);
    assertThat(validation.externalInputs()).isEqualTo(1);
    assertThat(
            lakehouse
                .catalog()
                .tableExists(org.apache.iceberg.catalog.TableIdentifier.of("valid", "copy")))
        .isFalse();
    assertThat(pipelines.graph(source).datasets()).hasSize(3);
  }

  @Test
  void anInvalidPipelineIsRejectedWithItsCode() {
    PipelineSource source =
        pipeline(
            "invalid",
            "a.sql",
            "CREATE MATERIALIZED VIEW copy AS SELECT * FROM invalid_raw.no_such_table");
    assertThatThrownBy(() -> pipelines.validate(source))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PIPELINE_INVALID))
        .hasMessageContaining("no_such_table");
  }

  @Test
  void runsOnceAndReportsStatus() {
    PipelineSource source =
        pipeline(
            "once",
            "a.sql",
            "CREATE MATERIALIZED VIEW copy AS SELECT * FROM once_raw.source",
            "b.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(once_raw.source)");
    List<String> flows = new ArrayList<>();
    RunResult result =
        pipelines.run(
            source,
            RunOptions.defaults(),
            PipelineService.LeaseOptions.DEFAULT,
            new PipelineService.RunEvents() {},
            new PipelineListener() {
              @Override
              public synchronized void flowFinished(io.lagoa.spark.pipeline.FlowResult flow) {
                flows.add(flow.flow());
              }
            });
    assertThat(result.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(PipelineService.failure(result, false)).isEmpty();
    assertThat(flows).containsExactlyInAnyOrder("once.copy", "once.events");
    assertThat(lakehouse.sql().execute("SELECT count(*) FROM once.events", 10).rows())
        .containsExactly(List.of(2L));

    PipelineService.Status status = pipelines.status(source);
    assertThat(status.pipeline()).isEqualTo(source.spec().name());
    assertThat(status.sources())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.table()).isEqualTo("once.events");
              assertThat(entry.lag()).contains(0L);
            });
    assertThat(status.runner()).contains("pipeline " + source.spec().name() + " is not running");
  }

  @Test
  void aFailedRunPutsTablesBackAndSaysSo() {
    PipelineSource source =
        pipeline(
            "fails",
            "a.sql",
            "CREATE MATERIALIZED VIEW copy AS SELECT * FROM fails_raw.source",
            "b.sql",
            "CREATE MATERIALIZED VIEW broken AS SELECT CAST(raise_error('boom') AS INT) AS x FROM copy");
    RunResult result =
        pipelines.run(
            source,
            new RunOptions(List.of(), false, false, 1),
            PipelineService.LeaseOptions.DEFAULT,
            new PipelineService.RunEvents() {},
            PipelineListener.NONE);
    assertThat(result.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(PipelineService.failure(result, false))
        .hasValueSatisfying(
            error -> {
              assertThat(error.code()).isEqualTo(ErrorCode.PIPELINE_FAILED);
              assertThat(error.getMessage())
                  .startsWith("pipeline run failed: ")
                  .contains("boom")
                  .contains("every table is as it was before the run")
                  .contains("run id " + result.runId());
            });
    assertThat(
            lakehouse
                .catalog()
                .tableExists(org.apache.iceberg.catalog.TableIdentifier.of("fails", "copy")))
        .isFalse();
  }

  @Test
  void aPipelineHeldByAnotherRunnerIsBusyUnlessForced() {
    PipelineSource source =
        pipeline(
            "leased", "a.sql", "CREATE MATERIALIZED VIEW copy AS SELECT * FROM leased_raw.source");
    String name = source.spec().name();
    PipelineLeases other = PipelineLeases.of(warehouse.config(), Clock.systemUTC()).orElseThrow();
    try (PipelineLease held = other.acquire(name, false)) {
      assertThat(pipelines.status(source).runner().orElseThrow())
          .startsWith("pipeline " + name + " is running on ");
      assertThatThrownBy(
              () ->
                  pipelines.run(
                      source,
                      RunOptions.defaults(),
                      PipelineService.LeaseOptions.DEFAULT,
                      new PipelineService.RunEvents() {},
                      PipelineListener.NONE))
          .isInstanceOf(PipelineBusyException.class)
          .hasMessageContaining("pipeline " + name + " is already running on ");

      List<String> events = new ArrayList<>();
      RunResult forced =
          pipelines.run(
              source,
              RunOptions.defaults(),
              new PipelineService.LeaseOptions(true, Duration.ZERO),
              new PipelineService.RunEvents() {
                @Override
                public void leaseTakenOver(String pipeline, PipelineLeases.Holder from) {
                  events.add("took " + pipeline + " from " + from.pid());
                }
              },
              PipelineListener.NONE);
      assertThat(forced.status()).isEqualTo(RunResult.Status.SUCCEEDED);
      assertThat(events).containsExactly("took " + name + " from " + ProcessHandle.current().pid());
    }
    assertThat(pipelines.status(source).runner()).contains("pipeline " + name + " is not running");
  }

  @Test
  void streamsUntilCaughtUp() {
    PipelineSource source =
        pipeline(
            "caught",
            "a.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(caught_raw.source)");
    List<String> started = new ArrayList<>();
    PipelineService.StreamResult result =
        pipelines.stream(
            source,
            new RunOptions(List.of(), false, false, 1, true, true),
            ContinuousRunner.Mode.ONCE,
            PipelineService.LeaseOptions.DEFAULT,
            new StopHandle(),
            new PipelineService.RunEvents() {
              @Override
              public void streamStarted(
                  String pipeline, ContinuousRunner.Mode mode, Duration interval) {
                started.add(pipeline + " " + mode);
              }
            },
            new ContinuousRunner.Observer() {});
    assertThat(started).containsExactly(source.spec().name() + " ONCE");
    assertThat(result.leaseLost()).isFalse();
    assertThat(result.summary().stopped()).isFalse();
    assertThat(result.summary().flows().get("caught.events").rowsWritten()).isEqualTo(2);
    assertThat(PipelineService.failure(result.summary())).isEmpty();
  }

  @Test
  void aContinuousRunStopsWhenAsked() {
    PipelineSource source =
        pipeline(
            "stops",
            "a.sql",
            "CREATE STREAMING TABLE events AS SELECT * FROM STREAM(stops_raw.source)");
    StopHandle stop = new StopHandle();
    PipelineService.StreamResult result =
        pipelines.stream(
            source,
            new RunOptions(List.of(), false, false, 1, true, true),
            ContinuousRunner.Mode.CONTINUOUS,
            PipelineService.LeaseOptions.DEFAULT,
            stop,
            new PipelineService.RunEvents() {},
            new ContinuousRunner.Observer() {
              @Override
              public void runFinished(RunResult batch) {
                stop.stop();
              }
            });
    assertThat(result.summary().stopped()).isTrue();
    assertThat(result.summary().runs()).isEqualTo(1);
    assertThat(result.summary().flows().get("stops.events").rowsWritten()).isEqualTo(2);
    assertThat(stop.stop()).isTrue();
    // the lease was given back
    assertThat(pipelines.status(source).runner())
        .contains("pipeline " + source.spec().name() + " is not running");
  }
}

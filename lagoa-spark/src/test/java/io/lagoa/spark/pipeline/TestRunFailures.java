package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.TableState;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real run's failure reaches its {@link RunResult} with the code of what failed, and the run
 * reports exit code 2 only while it has changed no table.
 */
class TestRunFailures {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture = new PipelineFixture(spark, warehouse, "f");
    // a service the query needs does not answer, as a source reader reports it
    spark
        .udf()
        .register(
            "rf_unreachable",
            (UDF1<Integer, Integer>)
                id -> {
                  throw new LagoaException(ErrorCode.KAFKA_UNREACHABLE, "no broker answers");
                },
            DataTypes.IntegerType);
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void aServiceNotAnsweringBeforeAnyCommitKeepsItsCode() {
    Path folder =
        fixture.pipeline(
            "rf1", "a.sql", "CREATE MATERIALIZED VIEW a AS SELECT rf_unreachable(1) AS x");

    RunResult result = fixture.attempt(folder);

    assertThat(result.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(result.restored()).isEmpty();
    assertThat(result.errorCode()).contains(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(result.errorCode().orElseThrow().exitCode()).isEqualTo(2);
    assertThat(PipelineFixture.flow(result, "rf1.a").errorCode())
        .contains(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(result.failure().orElseThrow()).isInstanceOf(FlowException.class);
  }

  @Test
  void theSameFailureAfterARunCommittedIsARunThatFailed() {
    Path folder =
        fixture.pipeline(
            "rf2",
            "a.sql",
            "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x",
            "b.sql",
            "CREATE MATERIALIZED VIEW b AS SELECT rf_unreachable(x) AS x FROM a");

    RunResult result =
        fixture.attempt(folder, new RunOptions(java.util.List.of(), false, false, 1));

    assertThat(result.status()).isEqualTo(RunResult.Status.FAILED);
    assertThat(result.restored()).singleElement().asString().startsWith("dropped rf2.a");
    assertThat(result.failure().orElseThrow().code()).isEqualTo(ErrorCode.KAFKA_UNREACHABLE);
    assertThat(result.errorCode()).contains(ErrorCode.PIPELINE_FAILED);
  }

  @Test
  void aRunThatCannotNoteItsTablesReportsWhy() {
    Path folder = fixture.pipeline("rf3", "a.sql", "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x");
    RunJournal unreachable =
        new RunJournal() {
          @Override
          public void begin(String runId, Instant startedAt, Map<String, TableState> tables) {
            throw new LagoaException(ErrorCode.CATALOG_UNREACHABLE, "the catalog does not answer");
          }

          @Override
          public void end(String runId) {}
        };

    RunResult result =
        new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC(), unreachable)
            .run(fixture.compile(folder), RunOptions.defaults());

    assertThat(result.error())
        .hasValueSatisfying(
            error ->
                assertThat(error).startsWith("the run did not start: the catalog does not answer"));
    assertThat(result.errorCode()).contains(ErrorCode.CATALOG_UNREACHABLE);
  }
}

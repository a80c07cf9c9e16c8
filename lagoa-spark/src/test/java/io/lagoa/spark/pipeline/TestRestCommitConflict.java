package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly once through {@code lagoa server}: a pipeline batch written through Spark whose table got
 * another run's commit since the batch started is refused by the server's commit check, and the
 * runner sees the same {@link ConcurrentRunConflict} as with a local catalog (plans it again).
 */
class TestRestCommitConflict {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    LagoaConfig config = warehouse.config(server.clientEnvironment());
    spark = LagoaSpark.session(config);
    catalog = LagoaCatalogs.open(config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (catalog != null) {
      ((AutoCloseable) catalog).close();
    }
    if (server != null) {
      server.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
  }

  @Test
  void aBatchTheServerRefusesIsAConflictTheRunnerPlansAgain() {
    SparkSession.setActiveSession(spark);
    spark.sql("CREATE NAMESPACE rc");
    spark.sql("CREATE TABLE rc.t (id INT) USING iceberg");
    batch("run-1", "1", PipelineCommits.NONE);
    String first =
        Long.toString(
            catalog.loadTable(TableIdentifier.of("rc", "t")).currentSnapshot().snapshotId());
    batch("run-2", "2", first);

    // run-3 read from the same commit as run-2, which committed first
    assertThatThrownBy(() -> batch("run-3", "3", first))
        .isInstanceOf(ConcurrentRunConflict.class)
        .hasMessageContaining("cannot commit to rc.t: another run of the pipeline committed to it")
        .satisfies(e -> assertThat(((FlowException) e).code()).isEqualTo(ErrorCode.TABLE_CONFLICT));
    assertThat(new SparkSql(spark).execute("SELECT id FROM rc.t ORDER BY id", 10).rows())
        .containsExactly(List.of(1), List.of(2));
  }

  private static void batch(String runId, String value, String expectedBase) {
    new TableCommitter(spark, catalog, runId)
        .commit(
            "INSERT INTO rc.t VALUES (" + value + ")",
            Map.of(
                PipelineCommits.RUN_ID,
                runId,
                PipelineCommits.expectedBaseKey("rc.t"),
                expectedBase));
  }
}

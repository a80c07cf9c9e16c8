package io.lagoa.bench.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.bench.cdc.CdcBenchListener;
import io.lagoa.bench.cdc.CdcBenchOptions;
import io.lagoa.bench.cdc.CdcBenchReport;
import io.lagoa.bench.cdc.CdcBenchResults;
import io.lagoa.bench.cdc.CdcWriteMode;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingWarehouse;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CDC bench at a tiny scale: the shape of its results, and a target equal to what the changes
 * in bronze imply, computed without Lagoa, so the bench cannot report a rate for wrong work.
 */
class TestCdcBench {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static CdcBench bench;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    bench = new CdcBench(spark, warehouse.root().resolve("bench"));
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  private static CdcBenchOptions options(
      String namespace, long rows, int scdType, CdcWriteMode mode, boolean compact) {
    return new CdcBenchOptions(
        rows, 2, 0.05, 0.01, 0.01, scdType, mode, 1, compact, true, namespace, 42);
  }

  @Test
  void mergeOnReadBatchesApplyExactlyTheChangesAndCompactionRemovesTheDeleteFiles() {
    CdcBenchOptions options = options("cdc_mor", 2_000, 1, CdcWriteMode.MERGE_ON_READ, true);
    CdcBenchResults results = bench.run(options, new CdcBenchListener() {});

    assertThat(results.setup().targetRows()).isEqualTo(2_000);
    assertThat(results.setup().initialRunNanos()).isPositive();
    assertThat(results.setup().referenceNanos()).isPresent();
    assertThat(results.batches()).hasSize(2);
    for (CdcBenchResults.Batch batch : results.batches()) {
      assertThat(batch.inserts()).isEqualTo(20);
      assertThat(batch.updates()).isBetween(40L, 170L);
      assertThat(batch.deletes()).isBetween(5L, 50L);
      assertThat(batch.changes()).isEqualTo(batch.updates() + batch.deletes() + batch.inserts());
      assertThat(batch.runNanos()).isPositive();
      assertThat(batch.referenceNanos()).isPresent();
      assertThat(batch.deleteFiles()).isPositive(); // merge-on-read: deletes, no rewrite
    }
    assertThat(results.reads())
        .extracting(CdcBenchResults.Read::afterBatch, CdcBenchResults.Read::compacted)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, false),
            org.assertj.core.groups.Tuple.tuple(2, false),
            org.assertj.core.groups.Tuple.tuple(2, true));
    assertThat(results.reads().get(2).deleteFiles()).isZero();
    assertThat(results.compactionNanos()).isPresent();

    io.lagoa.bench.cdc.CdcVerification verification = bench.verify(options);
    assertThat(verification.matches()).as("%s", verification).isTrue();
    assertThat(verification.referenceDifferences()).hasValue(0);
    // the reads after the last batch counted the rows the changes imply
    assertThat(results.reads().subList(1, 3))
        .allSatisfy(read -> assertThat(read.rows()).isEqualTo(verification.expectedRows()));

    assertThat(CdcBenchReport.batchRows(results.batches(), true))
        .hasSize(2)
        .allSatisfy(row -> assertThat(row).hasSize(CdcBenchReport.BATCH_COLUMNS.size()));
    assertThat(CdcBenchReport.readRows(results.reads(), false)).hasSize(3);
    assertThat(CdcBenchReport.summary(results))
        .anySatisfy(line -> assertThat(line).contains("p50").contains("changes/s"));
    assertThat(CdcBenchReport.json(results))
        .contains("\"bench\" : \"cdc\"")
        .contains("\"write_mode\" : \"merge-on-read\"")
        .contains("\"changes_per_second_p50\"")
        .contains("\"reference_changes_per_second\"");
  }

  @Test
  void typeTwoKeepsTheCurrentRowsTheChangesImply() {
    CdcBenchOptions options = options("cdc_scd2", 500, 2, CdcWriteMode.COPY_ON_WRITE, false);
    CdcBenchResults results = bench.run(options, new CdcBenchListener() {});

    assertThat(results.batches()).hasSize(2);
    assertThat(results.batches()).allSatisfy(batch -> assertThat(batch.referenceNanos()).isEmpty());
    assertThat(results.batches()).allSatisfy(batch -> assertThat(batch.deleteFiles()).isZero());
    io.lagoa.bench.cdc.CdcVerification verification = bench.verify(options);
    assertThat(verification.matches()).as("%s", verification).isTrue();
    // the history holds more versions than keys
    assertThat(results.reads().get(results.reads().size() - 1).rows())
        .isGreaterThan(verification.expectedRows());
  }

  @Test
  void aTableTheBenchDidNotMakeStopsItBeforeAnyChange() {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS cdc_theirs");
    spark.sql("CREATE TABLE cdc_theirs.t (id BIGINT) USING iceberg");
    spark.sql("INSERT INTO cdc_theirs.t VALUES (1)");
    CdcBenchOptions options = options("cdc_theirs", 500, 1, CdcWriteMode.COPY_ON_WRITE, false);

    assertThatThrownBy(() -> bench.run(options, new CdcBenchListener() {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cdc_theirs.t already exists and was not made by lagoa bench");
    assertThat(spark.sql("SELECT count(*) FROM cdc_theirs.t").first().getLong(0)).isEqualTo(1);
  }

  @Test
  void optionsOutOfRangeAreRefusedWithTheValue() {
    assertThatThrownBy(
            () ->
                new CdcBenchOptions(
                    1000, 2, 0.9, 0.2, 0, 1, CdcWriteMode.COPY_ON_WRITE, 0, false, true, "b", 1))
        .hasMessageContaining("together they exceed 1");
    assertThatThrownBy(() -> CdcWriteMode.parse("mor"))
        .hasMessageContaining("'mor'")
        .hasMessageContaining("copy-on-write or merge-on-read");
    assertThat(CdcBenchOptions.defaults().readsAfter(10)).isTrue();
    assertThat(CdcBenchOptions.defaults().readsAfter(5)).isFalse();
  }
}

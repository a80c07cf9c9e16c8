package io.lagoa.service.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lagoa.bench.clustering.ClusteringBenchOptions;
import io.lagoa.bench.clustering.ClusteringBenchReport;
import io.lagoa.bench.clustering.ClusteringBenchResults;
import io.lagoa.bench.clustering.ClusteringBenchResults.Measurement;
import io.lagoa.bench.clustering.ClusteringBenchResults.Stage;
import io.lagoa.bench.maintenance.MaintenanceBenchListener;
import io.lagoa.bench.maintenance.MaintenanceBenchOptions;
import io.lagoa.bench.maintenance.MaintenanceBenchReport;
import io.lagoa.bench.maintenance.MaintenanceBenchResults;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Kind;
import io.lagoa.bench.maintenance.MaintenanceBenchResults.Sample;
import io.lagoa.service.Lakehouse;
import io.lagoa.testing.TestingWarehouse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The maintenance bench at a tiny scale: 20 seconds of commits every 200 ms, a pass every 4
 * seconds. The figures must be real: the left-alone table gains a file per commit, the maintained
 * one is compacted, the three tables hold the same rows.
 */
class TestMaintenanceBenchService {
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
  }

  @AfterAll
  static void stop() {
    lakehouse.close();
    warehouse.close();
  }

  @Test
  void theMaintainedTableIsCompactedWhileTheOtherGainsAFilePerCommit() {
    MaintenanceBenchOptions options =
        new MaintenanceBenchOptions(
            Duration.ofSeconds(20),
            Duration.ofSeconds(8),
            Duration.ofMillis(200),
            Duration.ofSeconds(4),
            100,
            Duration.ofMinutes(10),
            "bench_maint");
    MaintenanceBenchResults results =
        MaintenanceBenchService.run(lakehouse, options, new MaintenanceBenchListener() {});

    assertThat(results.commits()).isGreaterThanOrEqualTo(2); // the first, before the clock
    assertThat(results.samples()).isNotEmpty();
    Sample first = results.samples().get(0);
    Sample last = results.samples().get(results.samples().size() - 1);
    for (Sample sample : results.samples()) {
      assertThat(sample.resultsMatch()).isTrue();
      for (Kind kind : Kind.values()) {
        assertThat(sample.of(kind).rows()).isEqualTo(sample.commits() * 100);
        assertThat(sample.of(kind).queries()).hasSize(3);
        assertThat(sample.of(kind).queries())
            .allSatisfy(query -> assertThat(query.medianMillis()).isPositive());
        assertThat(sample.of(kind).metadataBytes()).isPositive();
      }
      assertThat(sample.of(Kind.COMPACTED).dataFiles()).isEqualTo(1);
      // one data file and one snapshot per commit on the table left alone
      assertThat(sample.of(Kind.UNMAINTAINED).dataFiles()).isEqualTo(sample.commits());
      assertThat(sample.of(Kind.UNMAINTAINED).snapshots()).isEqualTo(sample.commits());
    }
    assertThat(last.commits()).isEqualTo(results.commits());
    // a rewrite may lose to the feed's concurrent commit; it then changes nothing
    assertThat(results.passes())
        .allSatisfy(
            pass ->
                assertThat(pass.error().orElse("another writer changed"))
                    .contains("another writer changed"));

    // what follows needs a few commits per pass: about 15 at a load average of 4, as few
    // as 3 at 20
    assumeTrue(
        results.samples().size() == 2 && last.commits() >= 10 && last.commits() > first.commits(),
        "too few commits on a loaded machine: "
            + results.samples().stream().map(Sample::commits).toList());
    assertThat(last.of(Kind.UNMAINTAINED).dataFiles())
        .isGreaterThan(first.of(Kind.UNMAINTAINED).dataFiles());
    assertThat(results.passes())
        .anySatisfy(
            pass -> assertThat(pass.actions()).anyMatch(a -> a.startsWith("compact data files")));
    assertThat(last.of(Kind.MAINTAINED).dataFiles())
        .isLessThan(last.of(Kind.UNMAINTAINED).dataFiles());

    assertThat(MaintenanceBenchReport.sampleRows(results.samples(), true))
        .hasSize(3 * results.samples().size());
    assertThat(MaintenanceBenchReport.summary(results))
        .anyMatch(line -> line.contains("Aim 1.2x"))
        .anyMatch(line -> line.startsWith("Every query returned the same rows"));
    assertThat(MaintenanceBenchReport.json(results))
        .contains("\"bench\" : \"maintenance\"")
        .contains("\"maintained_vs_compacted\"");

    // a table the bench did not make is left alone
    lakehouse.session().sql("CREATE NAMESPACE IF NOT EXISTS other");
    lakehouse.session().sql("CREATE TABLE other.maintained (id BIGINT) USING iceberg");
    MaintenanceBenchOptions foreign =
        new MaintenanceBenchOptions(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            1,
            Duration.ofMinutes(10),
            "other");
    assertThatThrownBy(
            () ->
                MaintenanceBenchService.run(lakehouse, foreign, new MaintenanceBenchListener() {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other.maintained already exists and was not made by lagoa bench");
  }

  /**
   * 200,000 rows in 8 appends, then one pass each: the z-ordered table's scans skip files the
   * bin-packed one reads, and both answer alike.
   */
  @Test
  void zOrderingSkipsFilesThatBinPackingReads() {
    ClusteringBenchResults results =
        ClusteringBenchService.run(
            lakehouse,
            new ClusteringBenchOptions(200_000, 8, "bench_cluster"),
            new MaintenanceBenchListener() {});
    assertThat(results.resultsMatch()).isTrue();
    assertThat(results.measurements()).hasSize(12);
    List<Measurement> before =
        results.measurements().stream().filter(m -> m.stage() == Stage.BEFORE).toList();
    assertThat(before)
        .allSatisfy(
            m -> {
              assertThat(m.dataFiles()).isEqualTo(8);
              assertThat(m.filesRead()).isEqualTo(8); // random order: every file holds every value
            });
    Measurement zordered = after(results, "bench_cluster.zordered", "a, b in 5% ranges");
    Measurement binpacked = after(results, "bench_cluster.binpacked", "a, b in 5% ranges");
    assertThat(zordered.layout()).isEqualTo("z-ordered by a, b");
    assertThat(binpacked.layout()).isEqualTo("bin-packed");
    assertThat(binpacked.dataFiles()).isGreaterThan(1);
    assertThat(binpacked.filesRead()).isEqualTo(binpacked.dataFiles());
    assertThat(zordered.filesRead()).isLessThan(zordered.dataFiles());
    assertThat(zordered.filesSkipped()).isPositive();
    assertThat(ClusteringBenchReport.summary(results))
        .anyMatch(line -> line.startsWith("a, b in 5% ranges: z-ordered reads "));
    assertThat(ClusteringBenchReport.json(results)).contains("\"bench\" : \"clustering\"");
  }

  private static Measurement after(ClusteringBenchResults results, String table, String query) {
    return results.measurements().stream()
        .filter(m -> m.stage() == Stage.AFTER && m.table().equals(table) && m.query().equals(query))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void optionsOutOfRangeAreRefusedWithTheValue() {
    assertThatThrownBy(
            () ->
                new MaintenanceBenchOptions(
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(1),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    10,
                    Duration.ofMinutes(10),
                    "b"))
        .hasMessageContaining("sample interval 1m is longer than the duration 10s");
    assertThatThrownBy(
            () ->
                new MaintenanceBenchOptions(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1),
                    Duration.ZERO,
                    Duration.ofSeconds(1),
                    10,
                    Duration.ofMinutes(10),
                    "b"))
        .hasMessageContaining("commit-every must be longer than 0, not 0s");
    assertThatThrownBy(
            () ->
                new MaintenanceBenchOptions(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    10,
                    Duration.ofMinutes(10),
                    "1bad"))
        .hasMessageContaining("'1bad' is not a namespace name");
  }
}

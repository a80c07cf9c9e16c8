package io.lagoa.service.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.bench.*;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bench service without the CLI: generate, plan, a single run and a matrix, on real Spark. */
class TestBenchService {
  private static TestingWarehouse warehouse;
  private static Catalog catalog;
  private static SparkSql sql;
  private static final AtomicInteger SPARK_ASKED = new AtomicInteger();
  private static BenchService service;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    catalog = LagoaCatalogs.open(warehouse.config());
    service =
        new BenchService(
            new BenchService.Resources(
                () -> catalog,
                () -> {
                  SPARK_ASKED.incrementAndGet();
                  if (sql == null) {
                    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
                  }
                  return sql;
                },
                () -> 4,
                warehouse.environment(Map.of()),
                warehouse.root(),
                null));
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  /** A service whose catalog and Spark must not be asked for: planning opens nothing. */
  private static BenchService unopened() {
    return new BenchService(
        new BenchService.Resources(
            () -> {
              throw new AssertionError("the catalog was opened");
            },
            () -> {
              throw new AssertionError("Spark was started");
            },
            () -> 8,
            Map.of(),
            Path.of("/work/folder"),
            null));
  }

  @Test
  void plansASingleRunOrAMatrixWithoutOpeningAnything() {
    BenchService.Plan single =
        unopened()
            .plan(
                BenchService.RunOptions.builder(Suite.SALES)
                    .queries("needle,aggregation")
                    .output(Path.of("runs/one"))
                    .build());
    assertThat(single.namespace()).isEqualTo("bench");
    assertThat(single.queries())
        .extracting(BenchQuery::name)
        .containsExactly("aggregation", "needle");
    assertThat(single.warmup()).isEqualTo(1);
    assertThat(single.runs()).isEqualTo(3);
    assertThat(single.matrix()).isEmpty();
    assertThat(single.combinations()).isEqualTo(1);
    assertThat(single.folder()).isEqualTo(Path.of("/work/folder/runs/one"));

    BenchService.Plan defaultFolder =
        unopened().plan(BenchService.RunOptions.builder(Suite.TPCH).build());
    assertThat(defaultFolder.namespace()).isEqualTo("tpch");
    assertThat(defaultFolder.folder().toString()).startsWith("/work/folder/bench-results/tpch-");

    // --matrix alone: the configured shuffle partitions and 200, times monthly and daily
    BenchService.Plan matrix =
        unopened().plan(BenchService.RunOptions.builder(Suite.SALES).matrix(true).build());
    assertThat(matrix.combinations()).isEqualTo(4);
    assertThat(matrix.matrix().orElseThrow().combinations())
        .extracting(Matrix.Combination::name)
        .containsExactly(
            "shuffle=8 monthly", "shuffle=8 daily", "shuffle=200 monthly", "shuffle=200 daily");
    assertThat(matrix.logs()).isEqualTo(matrix.folder().resolve("matrix"));

    BenchService.Plan layouts =
        unopened()
            .plan(
                BenchService.RunOptions.builder(Suite.SALES)
                    .memory(List.of("2G"))
                    .cores(List.of(1, 2))
                    .sorts(List.of("none", "valor"))
                    .fileSizes(List.of(OptionalLong.empty(), OptionalLong.of(32L << 20)))
                    .build());
    assertThat(layouts.combinations()).isEqualTo(8);
    assertThat(layouts.matrix().orElseThrow().memory()).containsExactly("2g");
  }

  @Test
  void badOptionsSayWhatIsWrongInValuesNotFlags() {
    BenchService service = unopened();
    List<BenchService.RunOptions> bad =
        List.of(
            BenchService.RunOptions.builder(Suite.SALES).runs(0).build(),
            BenchService.RunOptions.builder(Suite.TPCH)
                .layouts(List.of(Layout.Partitioning.DAILY))
                .build(),
            BenchService.RunOptions.builder(Suite.SALES).cores(List.of(0)).build(),
            BenchService.RunOptions.builder(Suite.SALES)
                .fileSizes(List.of(OptionalLong.of(0)))
                .build(),
            BenchService.RunOptions.builder(Suite.SALES).memory(List.of("lots")).build(),
            BenchService.RunOptions.builder(Suite.SALES).sorts(List.of("nope")).build(),
            BenchService.RunOptions.builder(Suite.SALES).queries("needle,nope").build());
    List<String> messages =
        bad.stream()
            .map(
                options -> {
                  try {
                    service.plan(options);
                    throw new AssertionError("planned " + options);
                  } catch (LagoaException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    return e.getMessage();
                  }
                })
            .toList();
    assertThat(messages).noneMatch(message -> message.contains("--"));
    assertThat(messages.get(0)).contains("1 warm-up and 0 measured runs");
    assertThat(messages.get(1)).contains("for the tpch suite");
    assertThat(messages.get(2)).contains("cannot use 0 cores");
    assertThat(messages.get(3)).contains("a size of 0 bytes");
    assertThat(messages.get(4)).contains("memory 'lots'");
    assertThat(messages.get(5)).contains("cannot sort by 'nope'");
    assertThat(messages.get(6)).contains("cannot run query nope");
  }

  @Test
  void generatesRunsAndWritesTheReport() {
    List<String> generating = new CopyOnWriteArrayList<>();
    BenchService.Generated generated =
        service.generate(
            BenchService.GenerateOptions.builder(Suite.SALES).rows(5000).seed(7).build(),
            new GenerateListener() {
              @Override
              public void generatingSales(
                  long rows, long seed, Layout layout, String vendas, String estoque) {
                generating.add("sales " + rows + " " + seed + " " + vendas + " " + estoque);
              }

              @Override
              public void generated(BenchService.Generated generated) {
                generating.add("generated " + generated.rows());
              }
            });
    assertThat(generated.namespace()).isEqualTo("bench");
    assertThat(generated.tables()).containsExactly("bench.vendas", "bench.estoque");
    assertThat(generated.rows()).isEqualTo(5000);
    assertThat(generated.bytes()).isPositive();
    assertThat(generated.dataFiles()).isPositive();
    assertThat(generating)
        .containsExactly("sales 5000 7 bench.vendas bench.estoque", "generated 5000");

    List<String> events = new CopyOnWriteArrayList<>();
    BenchService.Outcome outcome =
        service.run(
            BenchService.RunOptions.builder(Suite.SALES)
                .queries("needle,aggregation")
                .warmup(0)
                .runs(1)
                .output(Path.of("runs/single"))
                .build(),
            new BenchListener() {
              @Override
              public void starting(BenchService.Plan plan) {
                events.add("starting " + plan.combinations());
              }

              @Override
              public void started(BenchQuery query, int number, int total) {
                events.add("started " + query.name() + " " + number + "/" + total);
              }

              @Override
              public void finished(QueryRun run) {
                events.add("finished " + run.query());
              }
            });
    assertThat(events)
        .containsExactly(
            "starting 1",
            "started aggregation 1/2",
            "finished aggregation",
            "started needle 2/2",
            "finished needle");
    BenchResults results = outcome.results();
    assertThat(results.suite()).isEqualTo("sales");
    assertThat(results.dataset()).containsEntry("seed", "7");
    assertThat(results.configurations()).hasSize(1);
    assertThat(results.configurations().get(0).queries())
        .extracting(QueryRun::query)
        .containsExactly("aggregation", "needle");
    assertThat(results.configurations().get(0).query("needle").orElseThrow().metrics().rowsOut())
        .isEqualTo(1);
    assertThat(outcome.folder()).isEqualTo(warehouse.root().resolve("runs/single"));
    assertThat(outcome.report().files()).isNotEmpty();
    assertThat(outcome.folder().resolve("results.json")).isNotEmptyFile();
    assertThat(outcome.folder().resolve("report.md")).isNotEmptyFile();
    assertThat(ResultsFile.read(outcome.folder().resolve("results.json")).configurations())
        .hasSize(1);

    List<String> matrixEvents = new CopyOnWriteArrayList<>();
    BenchService.Outcome matrix =
        service.run(
            BenchService.RunOptions.builder(Suite.SALES)
                .queries("aggregation")
                .warmup(0)
                .runs(1)
                .cores(List.of(1))
                .memory(List.of("700m"))
                .output(Path.of("runs/matrix"))
                .build(),
            new BenchListener() {
              @Override
              public void started(Matrix.Combination combination, int number, int total) {
                matrixEvents.add("started " + combination.name() + " " + number + "/" + total);
              }

              @Override
              public void finished(Configuration configuration) {
                matrixEvents.add("finished " + configuration.name());
              }
            });
    assertThat(matrixEvents)
        .containsExactly("started cores=1 mem=700m 1/1", "finished cores=1 mem=700m");
    Configuration only = matrix.results().configurations().get(0);
    // what the child JVM's own Spark session reported
    assertThat(only.settings()).containsEntry("spark.master", "local[1]");
    assertThat(matrix.folder().resolve("matrix/combination-1.log")).exists();
  }

  @Test
  void missingTablesFailBeforeSparkStarts() {
    int asked = SPARK_ASKED.get();
    assertThatThrownBy(
            () ->
                service.run(
                    BenchService.RunOptions.builder(Suite.SALES).namespace("nada").build(),
                    BenchListener.NONE))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TABLE_NOT_FOUND))
        .hasMessageContaining("table nada.vendas does not exist");
    assertThatThrownBy(
            () ->
                service.generate(
                    BenchService.GenerateOptions.builder(Suite.TPCH).rows(10).build(),
                    GenerateListener.NONE))
        .hasMessageContaining("TPC-H's size is its scale factor");
    assertThat(SPARK_ASKED.get()).isEqualTo(asked);
  }
}

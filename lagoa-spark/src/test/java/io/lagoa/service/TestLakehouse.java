package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.result.QueryResult;
import io.lagoa.spark.JobProgress;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestLakehouse {
  private TestingWarehouse first;
  private TestingWarehouse second;

  @BeforeEach
  void createWarehouses() {
    first = TestingWarehouse.create();
    second = TestingWarehouse.create();
  }

  @AfterEach
  void deleteWarehouses() {
    first.close();
    second.close();
  }

  @Test
  void twoWarehousesSideBySideInOneJvm() {
    try (Lakehouse one = Lakehouse.open(first.config());
        Lakehouse two = Lakehouse.open(second.config())) {
      one.sql().run("CREATE NAMESPACE IF NOT EXISTS bronze");
      two.sql().run("CREATE NAMESPACE IF NOT EXISTS bronze");
      one.sql().run("CREATE TABLE bronze.only_in_one (id BIGINT) USING iceberg");
      two.sql().run("CREATE TABLE bronze.only_in_two (id BIGINT, name STRING) USING iceberg");
      // interleaved on one thread: each statement goes to its own warehouse
      one.sql().run("INSERT INTO bronze.only_in_one VALUES (1), (2), (3)");
      two.sql().run("INSERT INTO bronze.only_in_two VALUES (7, 'seven')");
      one.sql().run("CREATE TABLE bronze.shared_name (v STRING) USING iceberg");
      two.sql().run("CREATE TABLE bronze.shared_name (v STRING) USING iceberg");
      one.sql().run("INSERT INTO bronze.shared_name VALUES ('one')");
      two.sql().run("INSERT INTO bronze.shared_name VALUES ('two')");

      assertThat(one.sql().execute("SELECT count(*) FROM bronze.only_in_one", 10).rows())
          .containsExactly(List.of(3L));
      assertThat(two.sql().execute("SELECT id, name FROM bronze.only_in_two", 10).rows())
          .containsExactly(List.of(7L, "seven"));
      assertThat(one.sql().execute("SELECT v FROM bronze.shared_name", 10).rows())
          .containsExactly(List.of("one"));
      assertThat(two.sql().execute("SELECT v FROM bronze.shared_name", 10).rows())
          .containsExactly(List.of("two"));
      assertThatThrownBy(() -> one.sql().execute("SELECT * FROM bronze.only_in_two", 10))
          .hasMessageContaining("only_in_two");
      assertThatThrownBy(() -> two.sql().execute("SELECT * FROM bronze.only_in_one", 10))
          .hasMessageContaining("only_in_one");

      // the Iceberg API catalogs see the same split, without the engine
      assertThat(one.catalog().listTables(Namespace.of("bronze")))
          .containsExactlyInAnyOrder(
              TableIdentifier.of("bronze", "only_in_one"),
              TableIdentifier.of("bronze", "shared_name"));
      assertThat(two.catalog().listTables(Namespace.of("bronze")))
          .containsExactlyInAnyOrder(
              TableIdentifier.of("bronze", "only_in_two"),
              TableIdentifier.of("bronze", "shared_name"));
      assertThat(one.catalog().loadTable(TableIdentifier.of("bronze", "shared_name")).location())
          .contains(first.warehouse().toString());
    }
  }

  @Test
  void eachLakehouseTracksItsOwnProgress() throws InterruptedException {
    try (Lakehouse one = Lakehouse.open(first.config());
        Lakehouse two = Lakehouse.open(second.config())) {
      JobProgress progressOfOne = one.progress();
      JobProgress progressOfTwo = two.progress();
      assertThat(progressOfOne).isNotSameAs(progressOfTwo);
      assertThat(one.sql().progress()).isSameAs(progressOfOne);
      int before = progressOfOne.snapshot().finishedStages();
      QueryResult result = one.sql().execute("SELECT count(*) FROM range(1000)", 10);
      assertThat(result.rows()).containsExactly(List.of(1000L));
      awaitFinishedStagesAbove(progressOfOne, before);
      assertThat(progressOfOne.snapshot().runningStages()).isZero();
    }
  }

  @Test
  void opensNothingUntilUsed() {
    try (Lakehouse lakehouse = Lakehouse.open(first.config())) {
      assertThat(lakehouse.engineStarted()).isFalse();
      assertThat(lakehouse.catalog().tableExists(TableIdentifier.of("bronze", "none"))).isFalse();
      assertThat(lakehouse.engineStarted()).isFalse();
      lakehouse.sql();
      assertThat(lakehouse.engineStarted()).isTrue();
    }
  }

  @Test
  void closedLakehouseRefusesWork() {
    Lakehouse lakehouse = Lakehouse.open(first.config());
    lakehouse.catalog();
    lakehouse.close();
    lakehouse.close();
    assertThatThrownBy(lakehouse::catalog)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot use lakehouse on " + first.config().warehouse())
        .hasMessageContaining("closed");
  }

  @Test
  void fileIoReadsAndWritesTheWarehouse() throws IOException {
    try (Lakehouse lakehouse = Lakehouse.open(first.config())) {
      String location = first.warehouse().resolve("notes/hello.txt").toUri().toString();
      FileIO io = lakehouse.fileIO(location);
      assertThat(lakehouse.fileIO(location)).isSameAs(io);
      try (OutputStream out = io.newOutputFile(location).create()) {
        out.write("hello".getBytes(StandardCharsets.UTF_8));
      }
      try (InputStream in = io.newInputFile(location).newStream()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
      }
    }
  }

  private static void awaitFinishedStagesAbove(JobProgress progress, int before)
      throws InterruptedException {
    // listener events arrive on Spark's listener bus thread, shortly after the job ends
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (progress.snapshot().finishedStages() <= before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(progress.snapshot().finishedStages()).isGreaterThan(before);
  }
}

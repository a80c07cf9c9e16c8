package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.result.QueryResult;
import io.lagoa.table.PointInTime;
import io.lagoa.table.SnapshotEntry;
import io.lagoa.table.TableDescription;
import io.lagoa.table.TableInspector;
import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tables on an S3 warehouse, against a real S3 API server: Spark SQL and the Iceberg API. */
class TestS3Tables {
  private static TestingS3 s3;
  private static TestingWarehouse local;
  private static LagoaConfig config;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    s3 = TestingS3.start();
    local = TestingWarehouse.create();
    Map<String, String> env = new HashMap<>(s3.environment("lake"));
    env.put("LAGOA_CATALOG_URI", "jdbc:sqlite:" + local.root().resolve("catalog.db"));
    config = local.config(env);
    sql = new SparkSql(LagoaSpark.session(config));
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void writesUpdatesMergesAndTimeTravelsOnS3() {
    sql.run("CREATE NAMESPACE IF NOT EXISTS silver");
    sql.run(
        "CREATE TABLE silver.orders (id BIGINT, customer STRING, amount DECIMAL(10,2))"
            + " USING iceberg PARTITIONED BY (customer)");
    sql.run("INSERT INTO silver.orders VALUES (1, 'ana', 10.00), (2, 'bia', 20.00)");
    long firstSnapshot = currentSnapshot("silver.orders");
    sql.run("UPDATE silver.orders SET amount = 11.00 WHERE id = 1");
    sql.run(
        "MERGE INTO silver.orders t USING (SELECT 2 AS id, 'bia' AS customer, 25.00 AS amount"
            + " UNION ALL SELECT 3, 'caio', 30.00) s ON t.id = s.id"
            + " WHEN MATCHED THEN UPDATE SET t.amount = s.amount"
            + " WHEN NOT MATCHED THEN INSERT *");
    sql.run("DELETE FROM silver.orders WHERE id = 1");

    assertThat(rows("SELECT id, customer, amount FROM silver.orders ORDER BY id"))
        .containsExactly(
            List.of(2L, "bia", new BigDecimal("25.00")),
            List.of(3L, "caio", new BigDecimal("30.00")));
    assertThat(
            rows(
                "SELECT id, amount FROM silver.orders VERSION AS OF "
                    + firstSnapshot
                    + " ORDER BY id"))
        .containsExactly(
            List.of(1L, new BigDecimal("10.00")), List.of(2L, new BigDecimal("20.00")));

    // Every file of the table is an object in the bucket, under the warehouse prefix.
    List<String> keys = s3.objectKeys("lake/silver/orders/");
    assertThat(keys)
        .anyMatch(key -> key.matches("lake/silver/orders/data/customer=bia/.*\\.parquet"));
    assertThat(keys)
        .anyMatch(key -> key.matches("lake/silver/orders/metadata/.*\\.metadata\\.json"));
    assertThat(keys).anyMatch(key -> key.matches("lake/silver/orders/metadata/snap-.*\\.avro"));
    // ... and nothing but the catalog database is on local disk.
    assertThat(localFiles()).allMatch(name -> name.startsWith("catalog.db"));
  }

  @Test
  void readsAndRollsBackThroughTheIcebergApiWithoutSpark() throws IOException {
    sql.run("CREATE NAMESPACE IF NOT EXISTS bronze");
    sql.run("CREATE TABLE bronze.events (id BIGINT, kind STRING) USING iceberg");
    sql.run("INSERT INTO bronze.events VALUES (1, 'click')");
    sql.run("INSERT INTO bronze.events VALUES (2, 'view'), (3, 'view')");
    TableIdentifier events = TableIdentifier.of("bronze", "events");

    Catalog catalog = LagoaCatalogs.open(config);
    try {
      TableInspector inspector = new TableInspector(catalog);
      TableDescription description = inspector.describe(events);
      assertThat(description.location()).isEqualTo(s3.location("lake/bronze/events"));
      assertThat(description.rows()).isEqualTo(3);
      List<SnapshotEntry> history = inspector.history(events);
      assertThat(history).hasSize(2);

      Table table = inspector.load(events);
      assertThat(table.io().getClass().getName()).isEqualTo("org.apache.iceberg.aws.s3.S3FileIO");
      List<String> dataFiles = new ArrayList<>();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          dataFiles.add(task.file().location());
          assertThat(table.io().newInputFile(task.file().location()).getLength())
              .isEqualTo(task.file().fileSizeInBytes());
        }
      }
      assertThat(dataFiles)
          .isNotEmpty()
          .allMatch(path -> path.startsWith(s3.location("lake/bronze/events/data/")));

      // Listing through S3 finds the same objects the server stored.
      List<String> listed = new ArrayList<>();
      for (FileInfo file :
          ((SupportsPrefixOperations) table.io()).listPrefix(s3.location("lake/bronze/events/"))) {
        listed.add(file.location());
      }
      assertThat(listed)
          .containsExactlyInAnyOrderElementsOf(
              s3.objectKeys("lake/bronze/events/").stream()
                  .map(key -> "s3://" + s3.bucket() + "/" + key)
                  .toList());

      // A rollback is a metadata commit written to the bucket; Spark sees it once it reloads.
      long first = history.get(1).snapshotId();
      inspector.rollback(
          events, new PointInTime(OptionalLong.of(first), java.util.Optional.empty()));
      sql.run("REFRESH TABLE bronze.events");
      assertThat(rows("SELECT id FROM bronze.events")).containsExactly(List.of(1L));
    } finally {
      if (catalog instanceof Closeable closeable) {
        closeable.close();
      }
    }
  }

  private static long currentSnapshot(String table) {
    QueryResult result =
        sql.execute(
            "SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1",
            1);
    return (Long) result.rows().get(0).get(0);
  }

  private static List<List<Object>> rows(String query) {
    return sql.execute(query, 100).rows();
  }

  private static List<String> localFiles() {
    Path root = local.root();
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .map(file -> root.relativize(file).toString())
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

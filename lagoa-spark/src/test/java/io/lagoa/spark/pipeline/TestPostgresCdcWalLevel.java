package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.RunJournal;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** read_postgres_cdc against a PostgreSQL without logical decoding (wal_level = replica). */
class TestPostgresCdcWalLevel {
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
    postgres.createDatabase("shop");
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void saysToSetWalLevelToLogical() throws SQLException {
    try (Connection connection = postgres.connect("shop");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE customers (id INT PRIMARY KEY, name TEXT)");
    }
    PipelineFixture fixture =
        new PipelineFixture(
            spark,
            warehouse,
            "wl",
            namespace -> "variables:\n  pg_password: " + postgres.password() + "\n");
    Path folder =
        fixture.pipeline(
            "wl",
            "bronze.sql",
            "CREATE STREAMING TABLE changes AS\n"
                + "SELECT * FROM STREAM read_postgres_cdc(\n"
                + "  url => '"
                + postgres.jdbcUrl("shop")
                + "',\n"
                + "  user => 'lagoa', password => '${pg_password}', table => 'customers')");
    try (SourceReaders sources = new SourceReaders()) {
      RunResult result =
          new PipelineRunner(
                  spark, PipelineListener.NONE, Clock.systemUTC(), RunJournal.NONE, sources)
              .run(fixture.compile(folder), RunOptions.defaults());
      assertThat(result.error()).isPresent();
      assertThat(result.error().get())
          .contains("bronze.sql:3:10")
          .contains("has wal_level = replica")
          .contains("set wal_level=logical")
          .contains("restart PostgreSQL");
    }
    assertThat(
            PipelineRunner.icebergCatalog(spark).tableExists(TableIdentifier.parse("wl.changes")))
        .isFalse();
  }
}

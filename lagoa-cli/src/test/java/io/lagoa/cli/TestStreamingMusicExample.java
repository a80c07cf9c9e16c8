package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** examples/streaming-music from the CLI, as its README says, against a real broker. */
class TestStreamingMusicExample {
  private static final Path EXAMPLE =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples/streaming-music")
          .normalize();
  private static TestingWarehouse warehouse;
  private static CliRunner cli;
  private static TestingKafka kafka;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
  }

  @AfterAll
  static void stop() {
    warehouse.close();
    kafka.close();
  }

  private static List<List<Object>> rows(String query) {
    return sql.execute(query, 1000).rows();
  }

  @Test
  void runsFromKafkaToGold() {
    CliRunner.Result produce =
        cli.run(
            "produce",
            "music_data_json",
            EXAMPLE.resolve("data/music.jsonl").toString(),
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--create-topic",
            "--partitions",
            "2",
            "--raw");
    assertThat(produce.exitCode()).as(produce.err()).isZero();

    String kafkaVariable = "kafka=" + kafka.bootstrapServers();
    CliRunner.Result graph =
        cli.run("pipeline", "graph", EXAMPLE.toString(), "--var", kafkaVariable);
    assertThat(graph.out())
        .contains("kafka:music_data_json  (kafka topic)")
        .contains("└── bronze.music");

    CliRunner.Result run =
        cli.run("pipeline", "run", EXAMPLE.toString(), "--once", "--var", kafkaVariable);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("bronze.music +240 (2 quarantined)")
        .contains("streaming-music caught up after 2 batches, 1 with new data");
    assertThat(run.out()).contains("bronze.music").contains("batches_with_data");

    assertThat(rows("SELECT count(*), count(DISTINCT event_id) FROM bronze.music"))
        .containsExactly(List.of(240L, 240L));
    assertThat(rows("SELECT _error FROM bronze.music_source_quarantine ORDER BY _error"))
        .containsExactly(
            List.of("not a JSON object: invalid JSON, or JSON that is not {...}"),
            List.of("values do not match the schema: user_id (BIGINT)"));
    assertThat(rows("SELECT _rescued_data FROM bronze.music WHERE _rescued_data IS NOT NULL"))
        .containsExactly(
            List.of("{\"device\":\"{\\\"os\\\":\\\"android\\\",\\\"version\\\":\\\"15\\\"}\"}"));
    assertThat(
            rows(
                "SELECT full_name, CAST(played_at AS STRING) FROM silver.plays WHERE event_id = 1"))
        .containsExactly(List.of("Ana Silva", "2026-11-26 10:00:09"));
    assertThat(rows("SELECT count(*), sum(plays) FROM gold.plays_per_minute"))
        .containsExactly(List.of(6L, 240L));

    // more plays arrive: only they are read, and gold follows
    CliRunner.Result more =
        cli.run(
            "produce",
            "music_data_json",
            EXAMPLE.resolve("data/music.jsonl").toString(),
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--raw");
    assertThat(more.exitCode()).as(more.err()).isZero();
    CliRunner.Result status =
        cli.run(
            "pipeline", "status", EXAMPLE.toString(), "--var", kafkaVariable, "--format", "csv");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("bronze.music,kafka:music_data_json,242,")
        .contains("silver.plays,bronze.music,0,");
    CliRunner.Result again =
        cli.run("pipeline", "run", EXAMPLE.toString(), "--once", "--var", kafkaVariable);
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(rows("SELECT count(*) FROM bronze.music")).containsExactly(List.of(480L));
    assertThat(rows("SELECT count(*) FROM bronze.music_source_quarantine"))
        .containsExactly(List.of(4L));
    assertThat(rows("SELECT sum(plays) FROM gold.plays_per_minute")).containsExactly(List.of(480L));
  }
}

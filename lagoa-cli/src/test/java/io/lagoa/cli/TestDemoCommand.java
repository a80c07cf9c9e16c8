package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestDemoCommand {
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void start() {
    // Spark's default session points at another warehouse, gone by now, as after other test
    // classes in this JVM: the demo must use its own session and catalog, never the default.
    try (TestingWarehouse other = TestingWarehouse.create()) {
      new SparkSql(LagoaSpark.session(other.config())).run("SHOW NAMESPACES");
    }
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void runsTheTourAndRunsAgainAsJson() throws Exception {
    Result first = run("demo", "--rows", "1000");
    assertThat(first.code).as(first.err).isZero();
    assertThat(first.out)
        .contains("warehouse: " + warehouse.warehouse())
        .contains("[1/8] prepare", "[2/8] bronze", "[8/8] change feed")
        .contains("created namespaces bronze, silver, gold")
        .contains("wrote 1,000 sales to bronze.vendas")
        .containsPattern("updated [0-9]+ rows and inserted 10 in one commit")
        .contains("UPDATE_BEFORE", "UPDATE_AFTER", "INSERT")
        .contains("Summary", "lagoa table history silver.vendas")
        .doesNotContain("internal error");

    // What it printed is what the tables hold.
    SparkSql sql = freshSql();
    long bronze = count(sql, "SELECT count(*) FROM bronze.vendas");
    long silver = count(sql, "SELECT count(*) FROM silver.vendas");
    long gold = count(sql, "SELECT sum(vendas) FROM gold.vendas_por_produto");
    assertThat(bronze).isEqualTo(1000);
    assertThat(silver).isEqualTo(gold + 10); // gold was built before the MERGE inserted 10
    assertThat(first.out).contains("silver.vendas: " + String.format("%,d", gold) + " typed rows");
    long before = snapshot(first.out);
    long corrected =
        count(
            sql,
            "SELECT min(id) FROM silver.vendas VERSION AS OF "
                + before
                + " WHERE data >= DATE'2025-12-01' AND (id - 1) % 10 = 0");
    assertThat(count(sql, "SELECT quantidade FROM silver.vendas WHERE id = " + corrected))
        .isEqualTo(
            count(
                    sql,
                    "SELECT quantidade FROM silver.vendas VERSION AS OF "
                        + before
                        + " WHERE id = "
                        + corrected)
                + 1);
    assertThat(sql.execute("SELECT desconto FROM silver.vendas LIMIT 1", 1).columns())
        .extracting("type")
        .containsExactly("decimal(10,2)");

    // Again, as JSON: replaces its own tables, stdout is one JSON document.
    Result second = run("demo", "--rows", "1000", "--json");
    assertThat(second.code).as(second.err).isZero();
    assertThat(second.err).contains("[1/8] prepare").contains("dropped the demo's own tables");
    JsonNode json = new ObjectMapper().readTree(second.out);
    assertThat(json.get("rows").asLong()).isEqualTo(1000);
    assertThat(json.get("tables")).hasSize(4);
    JsonNode steps = json.get("steps");
    assertThat(steps).hasSize(8);
    assertThat(steps.get(0).get("metrics").get("tables_replaced").asLong()).isEqualTo(4);
    JsonNode changes = steps.get(7);
    assertThat(changes.get("step").asText()).isEqualTo("change feed");
    long updated = steps.get(4).get("metrics").get("updated").asLong();
    assertThat(updated).isPositive();
    assertThat(changes.get("metrics").get("update_before").asLong()).isEqualTo(updated);
    assertThat(changes.get("metrics").get("update_after").asLong()).isEqualTo(updated);
    assertThat(changes.get("metrics").get("insert").asLong()).isEqualTo(10);
    assertThat(changes.get("samples").get(1).get("rows").get(0).get("_change_type").asText())
        .isEqualTo("UPDATE_BEFORE");
    assertThat(steps.get(1).get("tables").get(0).get("snapshot_id").asLong()).isPositive();
    assertThat(json.get("snapshot_before_merge").asLong())
        .isEqualTo(steps.get(4).get("metrics").get("snapshot_before").asLong());
    assertThat(count(freshSql(), "SELECT count(*) FROM bronze.vendas")).isEqualTo(1000);
  }

  @Test
  void stopsBeforeTouchingATableItDidNotCreate() {
    SparkSql sql = freshSql();
    sql.run("CREATE NAMESPACE IF NOT EXISTS mine_silver");
    sql.run("CREATE TABLE mine_silver.vendas (id BIGINT, nota STRING) USING iceberg");
    sql.run("INSERT INTO mine_silver.vendas VALUES (7, 'dados de verdade')");

    Result result = run("demo", "--rows", "1000", "--namespace-prefix", "mine_");

    assertThat(result.code).isEqualTo(1);
    assertThat(result.err)
        .startsWith("error: cannot run the demo: mine_silver.vendas already exists")
        .contains("lagoa.demo=true", "--namespace-prefix demo_");
    assertThat(result.out).doesNotContain("Starting Spark", "[1/8]");
    SparkSql after = freshSql();
    assertThat(after.execute("SELECT * FROM mine_silver.vendas", 10).rows())
        .containsExactly(List.of(7L, "dados de verdade"));
    assertThat(count(after, "SELECT count(*) FROM mine_silver.vendas.snapshots")).isEqualTo(1);
    assertThat(after.execute("SHOW NAMESPACES", 100).rows())
        .extracting(row -> row.get(0))
        .doesNotContain("mine_bronze", "mine_gold");
  }

  @Test
  void rejectsATooSmallRowCount() {
    Result result = run("demo", "--rows", "10");
    assertThat(result.code).isEqualTo(2);
    assertThat(result.err).contains("--rows between 1000 and");
  }

  @Test
  void wrapsLongDetailsAtSpaces() {
    assertThat(DemoCommand.wrap("aaa bbb ccc ddd", 7)).containsExactly("aaa bbb", "  ccc", "  ddd");
    assertThat(DemoCommand.wrap("short", 80)).containsExactly("short");
  }

  /** The snapshot before the MERGE, from the "try next" time travel line. */
  private static long snapshot(String out) {
    String marker = "VERSION AS OF ";
    String rest = out.substring(out.lastIndexOf(marker) + marker.length());
    return Long.parseLong(rest.substring(0, rest.indexOf(' ')));
  }

  /** A new session: its catalog has not cached tables a demo run dropped and recreated. */
  private static SparkSql freshSql() {
    return new SparkSql(LagoaSpark.session(warehouse.config()));
  }

  private static long count(SparkSql sql, String query) {
    return ((Number) sql.execute(query, 1).rows().get(0).get(0)).longValue();
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args,
            warehouse.environment(Map.of()),
            warehouse.root(),
            new PrintWriter(out),
            new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int code, String out, String err) {}
}

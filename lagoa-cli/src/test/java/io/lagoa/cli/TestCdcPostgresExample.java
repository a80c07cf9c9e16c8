package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/cdc-postgres from the CLI, as its README says, against a real PostgreSQL with logical
 * decoding: after each phase the SCD type 1 tables equal the source tables row for row, and the SCD
 * type 2 history holds exactly the versions that happened. Needs read_postgres_cdc (branch pgcdc)
 * and the AUTO CDC writer.
 */
class TestCdcPostgresExample {
  private static final Path EXAMPLE =
      Path.of(System.getProperty("basedir", "."))
          .toAbsolutePath()
          .resolve("../examples/cdc-postgres")
          .normalize();
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;
  private static CliRunner cli;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.startWithLogicalDecoding();
    postgres.createDatabase("shop");
    warehouse = TestingWarehouse.create();
    cli = new CliRunner(warehouse);
    sql = new SparkSql(LagoaSpark.session(warehouse.config()));
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
  void snapshotThenChangesIntoScd1AndScd2() throws Exception {
    execute(Files.readString(EXAMPLE.resolve("shop.pgsql")));
    String[] variables = {
      "--var", "pg_url=" + postgres.jdbcUrl("shop"),
      "--var", "pg_user=" + postgres.user(),
      "--var", "pg_password=" + postgres.password()
    };

    run(variables);
    assertSilverEqualsSource();
    assertThat(lake("SELECT count(*) FROM silver.customer_history")).containsExactly(List.of("12"));
    assertThat(lake("SELECT count(*) FROM silver.customer_history WHERE __END_AT IS NULL"))
        .containsExactly(List.of("12"));
    assertThat(lake("SELECT DISTINCT _op FROM bronze.customer_changes"))
        .containsExactly(List.of("r"));

    execute(Files.readString(EXAMPLE.resolve("changes.pgsql")));
    run(variables);
    assertSilverEqualsSource();
    // SCD2: a version per change of a tracked column; updated_at alone makes none
    assertThat(
            lake(
                "SELECT id, email, city, __END_AT IS NULL FROM silver.customer_history"
                    + " WHERE id IN (3, 5, 6, 12, 13) ORDER BY id, __START_AT"))
        .containsExactly(
            List.of("3", "marta@example.com", "Braga", "false"),
            List.of("3", "marta.sousa@example.org", "Braga", "true"),
            List.of("5", "ines@example.com", "Faro", "true"),
            List.of("6", "pedro@example.com", "Lisboa", "false"),
            List.of("6", "pedro@example.com", "Porto", "true"),
            List.of("12", "nuno@example.com", "Viseu", "false"),
            List.of("13", "rita@example.com", "Leiria", "true"));
    assertThat(lake("SELECT count(*) FROM silver.customer_history")).containsExactly(List.of("15"));
    // the current versions are the source's rows
    assertThat(
            lake(
                "SELECT id, name, email, city FROM silver.customer_history"
                    + " WHERE __END_AT IS NULL ORDER BY id"))
        .isEqualTo(source("SELECT id, name, email, city FROM customers ORDER BY id"));
    // a version ends where the next one starts
    assertThat(
            lake(
                "SELECT count(*) FROM silver.customer_history a JOIN silver.customer_history b"
                    + " ON a.id = b.id AND a.__END_AT = b.__START_AT"))
        .containsExactly(List.of("2"));
    // gold follows silver
    assertThat(
            lake(
                "SELECT customer_id, orders, CAST(revenue * 100 AS BIGINT)"
                    + " FROM gold.revenue_by_customer ORDER BY customer_id"))
        .isEqualTo(
            source(
                "SELECT c.id, count(o.id), coalesce(sum(o.quantity * p.price) * 100, 0)::bigint"
                    + " FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
                    + " LEFT JOIN products p ON p.id = o.product_id GROUP BY c.id ORDER BY c.id"));
  }

  private static void run(String[] variables) {
    List<String> args = new ArrayList<>(List.of("pipeline", "run", EXAMPLE.toString(), "--once"));
    args.addAll(List.of(variables));
    CliRunner.Result run = cli.run(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.toString()).isZero();
  }

  private static void assertSilverEqualsSource() throws Exception {
    assertThat(lake("SELECT id, name, email, city FROM silver.customers ORDER BY id"))
        .isEqualTo(source("SELECT id, name, email, city FROM customers ORDER BY id"));
    assertThat(
            lake("SELECT id, name, CAST(price * 100 AS BIGINT) FROM silver.products ORDER BY id"))
        .isEqualTo(source("SELECT id, name, (price * 100)::bigint FROM products ORDER BY id"));
    assertThat(
            lake(
                "SELECT id, customer_id, product_id, quantity, status,"
                    + " date_format(ordered_at, 'yyyy-MM-dd HH:mm:ss') FROM silver.orders"
                    + " ORDER BY id"))
        .isEqualTo(
            source(
                "SELECT id, customer_id, product_id, quantity, status,"
                    + " to_char(ordered_at, 'YYYY-MM-DD HH24:MI:SS') FROM orders ORDER BY id"));
  }

  /** Rows of a lake query, every value as a string (null as "null"). */
  private static List<List<String>> lake(String query) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : sql.execute(query, 10_000).rows()) {
      List<String> values = new ArrayList<>();
      for (Object value : row) {
        values.add(String.valueOf(value));
      }
      rows.add(values);
    }
    return rows;
  }

  /** Rows of a query of the shop database, every value as a string (null as "null"). */
  private static List<List<String>> source(String query) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection connection = postgres.connect("shop");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      ResultSetMetaData meta = result.getMetaData();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int column = 1; column <= meta.getColumnCount(); column++) {
          values.add(String.valueOf(result.getObject(column)));
        }
        rows.add(values);
      }
    }
    assertThat(rows).isNotEmpty();
    return rows;
  }

  private static void execute(String script) throws Exception {
    try (Connection connection = postgres.connect("shop");
        Statement statement = connection.createStatement()) {
      statement.execute(script);
    }
  }
}

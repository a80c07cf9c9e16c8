package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.server.TestingLagoaServer;
import io.lagoa.testing.TestingWarehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa sql} and {@code lagoa tables} with {@code catalog.type: rest}, against a real {@code
 * lagoa server} on the warehouse's SQLite catalog.
 */
class TestRestSqlCommand {
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static CliRunner lagoa;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    server = TestingLagoaServer.start(warehouse.config());
    lagoa = new CliRunner(warehouse, server.clientEnvironment());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (warehouse != null) {
      warehouse.close();
    }
  }

  private static CliRunner.Result ok(String... args) {
    CliRunner.Result result = lagoa.run(args);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void runsSqlAndMetadataCommandsThroughTheServer() {
    ok("sql", "CREATE NAMESPACE rest_cli");
    ok("sql", "CREATE TABLE rest_cli.orders (id BIGINT, customer STRING) USING iceberg");
    ok("sql", "INSERT INTO rest_cli.orders VALUES (1, 'ana'), (2, 'bruno')");

    assertThat(
            ok("sql", "SELECT id, customer FROM rest_cli.orders ORDER BY id", "--format", "csv")
                .out())
        .isEqualTo("id,customer\n1,ana\n2,bruno\n");
    assertThat(ok("tables").out()).contains("rest_cli.orders");

    CliRunner.Result missing = lagoa.run("sql", "SELECT * FROM rest_cli.no_such_table");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err()).contains("no_such_table");
  }
}

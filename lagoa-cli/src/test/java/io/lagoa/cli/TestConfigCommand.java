package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.config.ConfigKey;
import io.lagoa.config.ConfigKeys;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestConfigCommand {
  private TestingWarehouse warehouse;

  @BeforeEach
  void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterEach
  void delete() {
    warehouse.close();
  }

  @Test
  void showsEachValueAndWhereItCameFrom() {
    warehouse.writeFile(
        "lagoa.yaml",
        "catalog:\n"
            + "  connect-timeout-seconds: 7\n"
            + "  user: ${env:DB_USER}\n"
            + "  password: hunter2-secret\n"
            + "spark:\n"
            + "  conf:\n"
            + "    spark.sql.adaptive.enabled: false\n");
    CliRunner.Result result =
        new CliRunner(warehouse, Map.of("DB_USER", "ana", "LAGOA_SPARK_MASTER", "local[1]"))
            .run("config");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.err())
        .startsWith(
            "Configuration file: "
                + warehouse.root().resolve("lagoa.yaml")
                + " (environment variables override it)");
    String warehouseUri = warehouse.warehouse().toUri().toString().replaceAll("/$", "");
    assertThat(result.out())
        .containsPattern("(?m)^key +\\| value +\\| origin$")
        .containsPattern(
            "(?m)^warehouse +\\| " + warehouseUri + " +\\| environment variable LAGOA_WAREHOUSE$")
        .containsPattern("(?m)^catalog\\.type +\\| sqlite +\\| default$")
        .containsPattern("(?m)^catalog\\.connect-timeout-seconds +\\| 7 +\\| lagoa\\.yaml:2:28$")
        .containsPattern(
            "(?m)^catalog\\.user +\\| ana +\\| lagoa\\.yaml:3:9 via \\$\\{env:DB_USER}$")
        .containsPattern("(?m)^catalog\\.password +\\| \\*{6} +\\| lagoa\\.yaml:4:13$")
        .containsPattern("(?m)^catalog\\.token +\\| \\(not set\\) +\\| default$")
        .containsPattern(
            "(?m)^spark\\.master +\\| local\\[1] +\\| environment variable LAGOA_SPARK_MASTER$")
        .containsPattern(
            "(?m)^spark\\.conf\\[spark\\.sql\\.adaptive\\.enabled] +\\| false +\\| lagoa\\.yaml:7:33$");
    assertThat(result.toString()).doesNotContain("hunter2");
    // Reading the configuration creates nothing.
    assertThat(warehouse.warehouse()).doesNotExist();
  }

  @Test
  void jsonListsEveryKey() throws IOException {
    CliRunner.Result result =
        new CliRunner(warehouse, Map.of("LAGOA_CATALOG_TOKEN", "tok-secret"))
            .run("config", "show", "--json");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode rows = new ObjectMapper().readTree(result.out());
    Map<String, JsonNode> byKey = new HashMap<>();
    rows.forEach(row -> byKey.put(row.get("key").asText(), row));
    for (ConfigKey key : ConfigKeys.all()) {
      if (!key.isMap()) {
        assertThat(byKey).containsKey(key.name());
      }
    }
    assertThat(byKey.get("catalog.token").get("value").asText()).isEqualTo("******");
    assertThat(byKey.get("catalog.token").get("origin").asText())
        .isEqualTo("environment variable LAGOA_CATALOG_TOKEN");
    assertThat(byKey.get("catalog.user").get("value").isNull()).isTrue();
    assertThat(byKey.get("catalog.uri").get("value").asText())
        .isEqualTo("jdbc:sqlite:" + warehouse.warehouse().resolve("catalog.db"));
    assertThat(result.toString()).doesNotContain("tok-secret");
    assertThat(result.err()).startsWith("No configuration file");
  }

  @Test
  void warnsAboutMisspelledVariables() {
    CliRunner.Result result =
        new CliRunner(warehouse, Map.of("LAGOA_SPARK_MASTR", "local[1]")).run("config");
    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .contains(
            "warning: not a configuration variable, ignored: LAGOA_SPARK_MASTR"
                + " (did you mean LAGOA_SPARK_MASTER?)");
  }
}

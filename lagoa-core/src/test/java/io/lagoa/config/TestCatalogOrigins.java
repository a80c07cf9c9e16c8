package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where catalog settings came from, and that secrets in URIs are never shown. */
class TestCatalogOrigins {
  @TempDir Path folder;

  @Test
  void namesTheFileLineOrVariableEachKeyCameFrom() throws IOException {
    Files.writeString(
        folder.resolve("lagoa.yaml"),
        "catalog:\n"
            + "  type: postgres\n"
            + "  uri: jdbc:postgresql://db:5432/lagoa\n"
            + "  password-file: pw.txt\n");
    Files.writeString(folder.resolve("pw.txt"), "s3cret\n");

    LagoaConfig config = new ConfigLoader(Map.of("LAGOA_CATALOG_USER", "etl"), folder).load(null);

    assertThat(config.origin(ConfigKeys.CATALOG_TYPE)).isEqualTo("lagoa.yaml:2:9");
    assertThat(config.origin(ConfigKeys.CATALOG_URI)).isEqualTo("lagoa.yaml:3:8");
    assertThat(config.origin(ConfigKeys.CATALOG_USER))
        .isEqualTo("environment variable LAGOA_CATALOG_USER");
    assertThat(config.origin(ConfigKeys.CATALOG_PASSWORD))
        .isEqualTo("catalog.password-file at lagoa.yaml:4:18");
    assertThat(config.origin(ConfigKeys.CATALOG_CONNECT_TIMEOUT)).isEqualTo("the default");
    assertThat(config.catalog().password())
        .hasValueSatisfying(secret -> assertThat(secret.value()).isEqualTo("s3cret"));
  }

  @Test
  void aPostgresCatalogWithoutUriSaysWhereTheTypeWasSetAndHowToAddOne() {
    ConfigLoader loader = new ConfigLoader(Map.of("LAGOA_CATALOG_TYPE", "postgres"), folder);

    assertThatThrownBy(() -> loader.load(null))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment variable LAGOA_CATALOG_TYPE: catalog.type is postgres")
        .hasMessageContaining("catalog.uri must be set")
        .hasMessageContaining("LAGOA_CATALOG_URI");
  }

  @Test
  void aBadUriIsShownWithoutItsPassword() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of(
                "LAGOA_CATALOG_TYPE", "postgres",
                "LAGOA_CATALOG_URI", "postgresql://db/lagoa?user=etl&password=s3cret"),
            folder);

    assertThatThrownBy(() -> loader.load(null))
        .hasMessageContaining("must start with jdbc:postgresql:")
        .hasMessageContaining("password=******")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void redactsPasswordsInQueriesAndUserInfo() {
    assertThat(
            CatalogConfig.redact(
                "jdbc:postgresql://db:5432/lagoa?user=etl&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/lagoa?user=etl&password=******&ssl=true");
    assertThat(CatalogConfig.redact("jdbc:postgresql://db/lagoa?PASSWORD=s3cret"))
        .isEqualTo("jdbc:postgresql://db/lagoa?PASSWORD=******");
    assertThat(CatalogConfig.redact("https://client:s3cret@catalog.example/api"))
        .isEqualTo("https://client:******@catalog.example/api");
    assertThat(CatalogConfig.redact("jdbc:postgresql://db:5432/lagoa"))
        .isEqualTo("jdbc:postgresql://db:5432/lagoa");
    assertThat(CatalogConfig.redact("jdbc:sqlite:/data/catalog.db"))
        .isEqualTo("jdbc:sqlite:/data/catalog.db");
  }
}

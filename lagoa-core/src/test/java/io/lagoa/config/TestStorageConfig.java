package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.CatalogProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestStorageConfig {
  @TempDir Path dir;

  @Test
  void localWarehouseHasNoObjectStore() {
    LagoaConfig config = load(Map.of(), null);
    assertThat(config.storage()).isEqualTo(StorageConfig.local());
    assertThat(CatalogProperties.of(config)).doesNotContainKey("io-impl");
  }

  @Test
  void awsDefaultsLeaveRegionAndCredentialsToTheSdk() {
    LagoaConfig config =
        load(Map.of(), "warehouse: s3://lake/prod\ncatalog:\n  uri: jdbc:sqlite:/tmp/c.db\n");
    assertThat(config.warehouse()).isEqualTo("s3://lake/prod");
    assertThat(config.localWarehouse()).isEmpty();
    S3Config s3 = config.storage().s3().orElseThrow();
    assertThat(s3)
        .isEqualTo(
            new S3Config(
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(s3.defaultCredentials()).isTrue();
    Map<String, String> properties = CatalogProperties.of(config);
    assertThat(properties)
        .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
        .containsEntry("s3.path-style-access", "false")
        .containsEntry("warehouse", "s3://lake/prod")
        .doesNotContainKeys(
            "s3.endpoint", "client.region", "s3.access-key-id", "s3.secret-access-key");
  }

  @Test
  void fullMappingFromTheFile() throws IOException {
    Files.writeString(dir.resolve("secret.txt"), "s3cr3t\n");
    LagoaConfig config =
        load(
            Map.of(),
            """
            warehouse: s3a://lake/dev/
            catalog:
              uri: jdbc:sqlite:/tmp/c.db
            storage:
              s3:
                endpoint: http://minio:9000/
                region: eu-west-3
                path-style-access: false
                access-key-id: AKIA1
                secret-access-key-file: secret.txt
                session-token: tok
            """);
    assertThat(config.warehouse()).isEqualTo("s3a://lake/dev");
    S3Config s3 = config.storage().s3().orElseThrow();
    assertThat(s3.endpoint()).hasValue("http://minio:9000");
    assertThat(s3.region()).hasValue("eu-west-3");
    assertThat(s3.pathStyleAccess()).isFalse();
    assertThat(s3.accessKeyId()).hasValue("AKIA1");
    assertThat(s3.secretAccessKey().map(Secret::value)).hasValue("s3cr3t");
    assertThat(s3.sessionToken().map(Secret::value)).hasValue("tok");
    assertThat(s3.toString()).doesNotContain("s3cr3t").doesNotContain("tok");
    assertThat(CatalogProperties.of(config))
        .containsEntry("io-impl", CatalogProperties.S3_FILE_IO)
        .containsEntry("s3.endpoint", "http://minio:9000")
        .containsEntry("client.region", "eu-west-3")
        .containsEntry("s3.path-style-access", "false")
        .containsEntry("s3.access-key-id", "AKIA1")
        .containsEntry("s3.secret-access-key", "s3cr3t")
        .containsEntry("s3.session-token", "tok");
  }

  @Test
  void endpointImpliesPathStyleAndARegion() {
    Map<String, String> env =
        Map.of(
            "LAGOA_WAREHOUSE", "s3://lake",
            "LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db",
            "LAGOA_STORAGE_S3_ENDPOINT", "https://s3.example.com");
    S3Config s3 = load(env, null).storage().s3().orElseThrow();
    assertThat(s3.pathStyleAccess()).isTrue();
    assertThat(s3.region()).hasValue("us-east-1");

    Map<String, String> withRegion = new java.util.HashMap<>(env);
    withRegion.put("AWS_REGION", "auto");
    assertThat(load(withRegion, null).storage().s3().orElseThrow().region()).hasValue("auto");
  }

  @Test
  void catalogPropertiesOverrideStorageDefaults() {
    LagoaConfig config =
        load(
            Map.of(
                "LAGOA_WAREHOUSE", "s3://lake",
                "LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db"),
            "catalog:\n  properties:\n    s3.path-style-access: true\n    s3.sse.type: s3\n");
    assertThat(CatalogProperties.of(config))
        .containsEntry("s3.path-style-access", "true")
        .containsEntry("s3.sse.type", "s3");
  }

  @Test
  void environmentVariablesAndSecretFiles() throws IOException {
    Path secret = Files.writeString(dir.resolve("key"), "from-file");
    Map<String, String> env =
        Map.of(
            "LAGOA_WAREHOUSE", "s3://lake/wh",
            "LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db",
            "LAGOA_STORAGE_S3_ACCESS_KEY_ID", "id",
            "LAGOA_STORAGE_S3_SECRET_ACCESS_KEY_FILE", secret.toString());
    S3Config s3 = load(env, null).storage().s3().orElseThrow();
    assertThat(s3.accessKeyId()).hasValue("id");
    assertThat(s3.secretAccessKey().map(Secret::value)).hasValue("from-file");
    assertThat(s3.defaultCredentials()).isFalse();
  }

  @Test
  void s3KeysWithALocalWarehouseAreForLandingFolders() {
    LagoaConfig config =
        load(
            Map.of("LAGOA_STORAGE_S3_SECRET_ACCESS_KEY", "s3cr3t"),
            """
            storage:
              s3:
                endpoint: http://localhost:9000/
                access-key-id: minio
            """);
    assertThat(config.localWarehouse()).contains(dir.resolve("lagoa-warehouse"));
    assertThat(config.warehouseOnS3()).isFalse();
    S3Config s3 = config.storage().s3().orElseThrow();
    assertThat(s3)
        .isEqualTo(
            new S3Config(
                Optional.of("http://localhost:9000"),
                Optional.of("us-east-1"),
                true,
                Optional.of("minio"),
                Optional.of(new Secret("s3cr3t")),
                Optional.empty()));
    // The tables stay on the local FileIO; the s3.* settings are there for an S3FileIO that
    // reads a landing folder.
    assertThat(CatalogProperties.of(config))
        .doesNotContainKey("io-impl")
        .containsEntry("warehouse", config.warehouse())
        .containsEntry("s3.endpoint", "http://localhost:9000")
        .containsEntry("client.region", "us-east-1")
        .containsEntry("s3.path-style-access", "true")
        .containsEntry("s3.access-key-id", "minio")
        .containsEntry("s3.secret-access-key", "s3cr3t");
    assertThat(config.origin(ConfigKeys.STORAGE_S3_ENDPOINT)).isEqualTo("lagoa.yaml:3:15");
    assertThat(config.origin(ConfigKeys.STORAGE_S3_SECRET_ACCESS_KEY))
        .isEqualTo("environment variable LAGOA_STORAGE_S3_SECRET_ACCESS_KEY");

    LagoaConfig regionOnly = load(Map.of("LAGOA_STORAGE_S3_REGION", "eu-west-1"), null);
    assertThat(regionOnly.storage().s3().orElseThrow().region()).hasValue("eu-west-1");
    assertThat(CatalogProperties.of(regionOnly)).doesNotContainKey("io-impl");
  }

  @Test
  void s3KeysWithALocalWarehouseAreCheckedAlike() {
    assertThatThrownBy(() -> load(Map.of(), "storage:\n  s3:\n    endpoint: localhost:9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "lagoa.yaml:3:15: storage.s3.endpoint must be an http:// or https:// URL such as"
                + " http://localhost:9000, but is 'localhost:9000'");
    assertThatThrownBy(() -> load(Map.of("LAGOA_STORAGE_S3_ACCESS_KEY_ID", "id"), null))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "environment variable LAGOA_STORAGE_S3_ACCESS_KEY_ID: storage.s3.access-key-id and"
                + " storage.s3.secret-access-key go together");
    assertThatThrownBy(() -> load(Map.of(), "storage:\n  s3:\n    session-token: t\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "lagoa.yaml:3:20: storage.s3.session-token needs storage.s3.access-key-id");
  }

  @Test
  void rejectsHalfTheCredentials() {
    Map<String, String> env =
        Map.of(
            "LAGOA_WAREHOUSE", "s3://lake",
            "LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db",
            "LAGOA_STORAGE_S3_ACCESS_KEY_ID", "id");
    assertThatThrownBy(() -> load(env, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment variable LAGOA_STORAGE_S3_ACCESS_KEY_ID: storage.s3.access-key-id and"
                + " storage.s3.secret-access-key go together, but only storage.s3.access-key-id is"
                + " set; set both, or neither to use the AWS default credentials");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "LAGOA_WAREHOUSE", "s3://lake",
                        "LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db",
                        "LAGOA_STORAGE_S3_SESSION_TOKEN", "t"),
                    null))
        .hasMessageContaining("storage.s3.session-token needs storage.s3.access-key-id");
  }

  @Test
  void rejectsBadEndpointsAndBucketlessWarehouses() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of("LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db"),
                    "warehouse: s3://lake\nstorage:\n  s3:\n    endpoint: localhost:9000\n"))
        .hasMessage(
            "lagoa.yaml:4:15: storage.s3.endpoint must be an http:// or https:// URL such as"
                + " http://localhost:9000, but is 'localhost:9000'");
    assertThatThrownBy(
            () ->
                load(Map.of("LAGOA_CATALOG_URI", "jdbc:sqlite:/tmp/c.db"), "warehouse: s3:///x\n"))
        .hasMessage(
            "lagoa.yaml:1:12: warehouse 's3:///x' names no bucket; write it as s3://bucket/prefix");
    assertThatThrownBy(
            () -> load(Map.of(), "warehouse: s3://lake\nstorage:\n  s3:\n    path-style: true\n"))
        .hasMessageContaining("unknown key 'storage.s3.path-style'")
        .hasMessageContaining("storage.s3.path-style-access");
  }

  @Test
  void anS3WarehouseNeedsAnExplicitSqliteFile() {
    assertThatThrownBy(() -> load(Map.of(), "warehouse: s3://lake/prod\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "catalog.uri: the sqlite catalog is a file on local disk, so with the warehouse on"
                + " s3://lake/prod (lagoa.yaml:1:12) catalog.uri must name one, e.g."
                + " jdbc:sqlite:/var/lib/lagoa/catalog.db (this machine only); or set catalog.type:"
                + " postgres to share the catalog");
  }

  private LagoaConfig load(Map<String, String> env, String yaml) {
    try {
      Path file = dir.resolve(ConfigLoader.FILE_NAME);
      if (yaml == null) {
        Files.deleteIfExists(file);
      } else {
        Files.writeString(file, yaml);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new ConfigLoader(env, dir).load(null);
  }
}

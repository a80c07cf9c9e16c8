package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestConfigLoader {
  @TempDir Path dir;

  private LagoaConfig load(Map<String, String> env) {
    return new ConfigLoader(env, dir).load(null);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }

  private ConfigException failure(Map<String, String> env, Path explicit) {
    try {
      new ConfigLoader(env, dir).load(explicit);
    } catch (ConfigException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  private ConfigException failureFor(String yaml) throws IOException {
    write("lagoa.yaml", yaml);
    return failure(Map.of(), null);
  }

  @Test
  void defaults() {
    LagoaConfig config = load(Map.of());
    Path warehouse = dir.toAbsolutePath().resolve("lagoa-warehouse");
    assertThat(config.source()).isEmpty();
    assertThat(config.describeSource()).isEqualTo("built-in defaults");
    assertThat(config.localWarehouse()).contains(warehouse);
    assertThat(config.warehouse()).isEqualTo(warehouse.toUri().toString().replaceAll("/$", ""));
    assertThat(config.catalog().type()).isEqualTo(CatalogType.SQLITE);
    assertThat(config.catalog().uri()).isEqualTo("jdbc:sqlite:" + warehouse.resolve("catalog.db"));
    assertThat(config.catalog().user()).isEmpty();
    assertThat(config.catalog().password()).isEmpty();
    assertThat(config.catalog().token()).isEmpty();
    assertThat(config.catalog().credential()).isEmpty();
    assertThat(config.catalog().connectTimeoutSeconds()).isEqualTo(10);
    assertThat(config.catalog().properties()).isEmpty();
    assertThat(config.spark().master()).isEqualTo("local[*]");
    assertThat(config.spark().shufflePartitions())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.spark().conf()).isEmpty();
    assertThat(config.spark().duckDbReads()).isTrue();
    assertThat(config.lineage()).isEqualTo(LineageConfig.none());
    assertThat(config.lineage().enabled()).isFalse();
  }

  @Test
  void lineageSettingsAreCheckedWhereTheyAreWritten() throws IOException {
    assertThat(failureFor("lineage:\n  transport: kafka\n"))
        .hasMessage(
            "lagoa.yaml:2:14: lineage.transport: expected one of none, file, http, console but got"
                + " 'kafka'");
    assertThat(failureFor("lineage:\n  transport: http\n  url: localhost:5000\n"))
        .hasMessageStartingWith("lagoa.yaml:3:8: lineage.url must be an http:// or https:// URL")
        .hasMessageContaining("'localhost:5000'");
    assertThat(failureFor("lineage:\n  transport: http\n  url: http://bad host/\n"))
        .hasMessageStartingWith("lagoa.yaml:3:8: lineage.url must be an http:// or https:// URL");
    assertThat(failureFor("lineage:\n  transport: http\n"))
        .hasMessageStartingWith("lagoa.yaml:2:14: lineage.transport is http, so lineage.url must")
        .hasMessageContaining("http://localhost:5000");
    assertThat(failureFor("lineage:\n  transport: file\n"))
        .hasMessageStartingWith("lagoa.yaml:2:14: lineage.transport is file, so lineage.file");
    Files.createDirectories(dir.resolve("events"));
    assertThat(failureFor("lineage:\n  transport: file\n  file: events\n"))
        .hasMessage(
            "lagoa.yaml:3:9: lineage.file must be a file, but "
                + dir.toAbsolutePath().resolve("events")
                + " is a folder");
    assertThat(failureFor("lineage:\n  timeout-seconds: 0\n"))
        .hasMessageStartingWith("lagoa.yaml:2:20: lineage.timeout-seconds: expected a positive");
    Files.delete(dir.resolve("lagoa.yaml"));
    Map<String, String> ftp =
        Map.of("LAGOA_LINEAGE_TRANSPORT", "http", "LAGOA_LINEAGE_URL", "ftp://x");
    assertThat(failure(ftp, null))
        .hasMessageStartingWith(
            "environment variable LAGOA_LINEAGE_URL: lineage.url must be an http:// or https://");
  }

  @Test
  void lineageUrlsWithAPathAreTheEndpoint() throws IOException {
    write("lagoa.yaml", "lineage:\n  transport: http\n  url: http://localhost:5000/\n");
    assertThat(load(Map.of()).lineage().url())
        .contains(URI.create("http://localhost:5000/api/v1/lineage"));
    write("lagoa.yaml", "lineage:\n  transport: http\n  url: http://proxy:8080/ol/events\n");
    assertThat(load(Map.of()).lineage().url()).contains(URI.create("http://proxy:8080/ol/events"));
  }

  @Test
  void everyKeyMapsFromTheFile() throws IOException {
    write("secrets/token", "tok-from-file\n");
    String yaml =
        """
        warehouse: s3://bucket/lake/
        catalog:
          type: rest
          uri: https://catalog.example.com/api
          user: ana
          password: pw
          password-file:
          token-file: secrets/token
          token:
          credential: id:secret
          credential-file:
          connect-timeout-seconds: 3
          properties:
            io-impl: org.apache.iceberg.aws.s3.S3FileIO
            s3.endpoint: http://127.0.0.1:9000
        storage:
          s3:
            endpoint: http://127.0.0.1:9000
            region: eu-west-1
            path-style-access: false
            access-key-id: AKIA
            secret-access-key: sk
            secret-access-key-file:
            session-token-file: secrets/token
            session-token:
        spark:
          master: local[2]
          shuffle-partitions: 7
          accelerator: comet
          off-heap-mb: 3000
          duckdb-reads: false
          conf:
            spark.sql.adaptive.enabled: false
            spark.driver.memory: 2g
        lineage:
          transport: http
          file: events.jsonl
          url: http://marquez:5000
          api-key: k3y
          api-key-file:
          namespace: analytics
          timeout-seconds: 2
        server:
          host: 127.0.0.1
          port: 0
          max-body-bytes: 2048
          shutdown-grace-seconds: 3
          auth:
            anonymous-role: public
            token-lifetime-seconds: 120
          tls:
            keystore: secrets/token
            keystore-password: changeit
            keystore-password-file:
            certificate:
            private-key:
        """;
    write("lagoa.yaml", yaml);
    assertThat(keysIn(yaml)).isEqualTo(declaredKeys());

    LagoaConfig config = load(Map.of());
    assertThat(config.server())
        .isEqualTo(
            new ServerConfig(
                "127.0.0.1",
                0,
                2048,
                Duration.ofSeconds(3),
                Optional.of("public"),
                Duration.ofSeconds(120),
                Optional.of(
                    new ServerConfig.Tls.Keystore(
                        dir.toAbsolutePath().resolve("secrets/token").normalize(),
                        Optional.of(new Secret("changeit"))))));
    assertThat(config.source()).contains(dir.toAbsolutePath().resolve("lagoa.yaml"));
    assertThat(config.warehouse()).isEqualTo("s3://bucket/lake");
    assertThat(config.localWarehouse()).isEmpty();
    CatalogConfig catalog = config.catalog();
    assertThat(catalog.type()).isEqualTo(CatalogType.REST);
    assertThat(catalog.uri()).isEqualTo("https://catalog.example.com/api");
    assertThat(catalog.user()).contains("ana");
    assertThat(catalog.password()).contains(new Secret("pw"));
    assertThat(catalog.token()).contains(new Secret("tok-from-file"));
    assertThat(catalog.credential()).contains(new Secret("id:secret"));
    assertThat(catalog.connectTimeoutSeconds()).isEqualTo(3);
    assertThat(catalog.properties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
                "s3.endpoint", "http://127.0.0.1:9000"));
    S3Config s3 = config.storage().s3().orElseThrow();
    assertThat(s3.endpoint()).contains("http://127.0.0.1:9000");
    assertThat(s3.region()).contains("eu-west-1");
    assertThat(s3.pathStyleAccess()).isFalse();
    assertThat(s3.accessKeyId()).contains("AKIA");
    assertThat(s3.secretAccessKey()).contains(new Secret("sk"));
    assertThat(s3.sessionToken()).contains(new Secret("tok-from-file"));
    assertThat(config.spark().master()).isEqualTo("local[2]");
    assertThat(config.spark().shufflePartitions()).isEqualTo(7);
    assertThat(config.spark().accelerator()).isEqualTo(Accelerator.COMET);
    assertThat(config.spark().offHeapMb()).isEqualTo(3000);
    assertThat(config.spark().duckDbReads()).isFalse();
    assertThat(config.spark().conf())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("spark.sql.adaptive.enabled", "false", "spark.driver.memory", "2g"));
    LineageConfig lineage = config.lineage();
    assertThat(lineage.transport()).isEqualTo(LineageConfig.Transport.HTTP);
    assertThat(lineage.url()).contains(URI.create("http://marquez:5000/api/v1/lineage"));
    assertThat(lineage.file()).isEmpty(); // only the http transport's settings apply
    assertThat(lineage.apiKey()).contains(new Secret("k3y"));
    assertThat(lineage.namespace()).isEqualTo("analytics");
    assertThat(lineage.timeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void everyKeyMapsFromTheEnvironment() throws IOException {
    Path credentialFile = write("cred.txt", "  id:from-file  \n");
    Map<String, ConfigKey> byEnv =
        ConfigKeys.all().stream()
            .filter(key -> !key.isMap())
            .collect(Collectors.toMap(ConfigKey::envName, Function.identity()));
    Map<String, String> env = new HashMap<>();
    env.put("LAGOA_WAREHOUSE", "s3://bucket/env");
    env.put("LAGOA_CATALOG_TYPE", "POSTGRES");
    env.put("LAGOA_CATALOG_URI", "jdbc:postgresql://db:5432/lagoa");
    env.put("LAGOA_CATALOG_USER", "rui");
    env.put("LAGOA_CATALOG_PASSWORD_FILE", credentialFile.toString());
    env.put("LAGOA_CATALOG_TOKEN", "tok");
    env.put("LAGOA_CATALOG_CREDENTIAL_FILE", credentialFile.toString());
    env.put("LAGOA_CATALOG_CONNECT_TIMEOUT_SECONDS", "4");
    env.put("LAGOA_SPARK_MASTER", "local[1]");
    env.put("LAGOA_SPARK_SHUFFLE_PARTITIONS", "3");
    env.put("LAGOA_SPARK_ACCELERATOR", "COMET");
    env.put("LAGOA_SPARK_OFF_HEAP_MB", "2048");
    env.put("LAGOA_SPARK_DUCKDB_READS", "false");
    env.put("LAGOA_STORAGE_S3_ENDPOINT", "http://127.0.0.1:9000");
    env.put("LAGOA_STORAGE_S3_REGION", "eu-west-2");
    env.put("LAGOA_STORAGE_S3_PATH_STYLE_ACCESS", "true");
    env.put("LAGOA_STORAGE_S3_ACCESS_KEY_ID", "AKIA");
    env.put("LAGOA_STORAGE_S3_SECRET_ACCESS_KEY_FILE", credentialFile.toString());
    env.put("LAGOA_STORAGE_S3_SESSION_TOKEN", "st");
    env.put("LAGOA_LINEAGE_TRANSPORT", "FILE");
    env.put("LAGOA_LINEAGE_FILE", "out/lineage.jsonl");
    env.put("LAGOA_LINEAGE_URL", "https://lineage.example.com/custom/endpoint");
    env.put("LAGOA_LINEAGE_API_KEY_FILE", credentialFile.toString());
    env.put("LAGOA_LINEAGE_NAMESPACE", "env-ns");
    env.put("LAGOA_LINEAGE_TIMEOUT_SECONDS", "9");
    env.put("LAGOA_SERVER_HOST", "127.0.0.1");
    env.put("LAGOA_SERVER_PORT", "9181");
    env.put("LAGOA_SERVER_MAX_BODY_BYTES", "1024");
    env.put("LAGOA_SERVER_SHUTDOWN_GRACE_SECONDS", "7");
    env.put("LAGOA_SERVER_AUTH_ANONYMOUS_ROLE", "readers");
    env.put("LAGOA_SERVER_AUTH_TOKEN_LIFETIME_SECONDS", "60");
    env.put("LAGOA_SERVER_TLS_CERTIFICATE", credentialFile.toString());
    env.put("LAGOA_SERVER_TLS_PRIVATE_KEY", credentialFile.toString());
    // The remaining variables name keys whose companion is set above (only one of the pair may
    // be set); together the two maps cover every key that has a variable.
    Set<String> covered = new TreeSet<>(env.keySet());
    covered.addAll(
        List.of(
            "LAGOA_CATALOG_PASSWORD",
            "LAGOA_CATALOG_TOKEN_FILE",
            "LAGOA_CATALOG_CREDENTIAL",
            "LAGOA_STORAGE_S3_SECRET_ACCESS_KEY",
            "LAGOA_STORAGE_S3_SESSION_TOKEN_FILE",
            "LAGOA_LINEAGE_API_KEY",
            "LAGOA_SERVER_TLS_KEYSTORE",
            "LAGOA_SERVER_TLS_KEYSTORE_PASSWORD",
            "LAGOA_SERVER_TLS_KEYSTORE_PASSWORD_FILE"));
    assertThat(covered).isEqualTo(new TreeSet<>(byEnv.keySet()));

    LagoaConfig config = load(env);
    assertThat(config.spark().accelerator()).isEqualTo(Accelerator.COMET);
    assertThat(config.spark().offHeapMb()).isEqualTo(2048);
    assertThat(config.spark().duckDbReads()).isFalse();
    ServerConfig server = config.server();
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isEqualTo(9181);
    assertThat(server.maxBodyBytes()).isEqualTo(1024);
    assertThat(server.shutdownGrace()).isEqualTo(Duration.ofSeconds(7));
    assertThat(server.anonymousRole()).contains("readers");
    assertThat(server.tokenLifetime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(server.tls())
        .contains(
            new ServerConfig.Tls.Pem(
                credentialFile.toAbsolutePath(), credentialFile.toAbsolutePath()));
    assertThat(config.warehouse()).isEqualTo("s3://bucket/env");
    assertThat(config.localWarehouse()).isEmpty();
    S3Config s3 = config.storage().s3().orElseThrow();
    assertThat(s3.endpoint()).contains("http://127.0.0.1:9000");
    assertThat(s3.region()).contains("eu-west-2");
    assertThat(s3.pathStyleAccess()).isTrue();
    assertThat(s3.accessKeyId()).contains("AKIA");
    assertThat(s3.secretAccessKey()).contains(new Secret("id:from-file"));
    assertThat(s3.sessionToken()).contains(new Secret("st"));
    assertThat(config.catalog().type()).isEqualTo(CatalogType.POSTGRES);
    assertThat(config.catalog().uri()).isEqualTo("jdbc:postgresql://db:5432/lagoa");
    assertThat(config.catalog().user()).contains("rui");
    assertThat(config.catalog().password()).contains(new Secret("id:from-file"));
    assertThat(config.catalog().token()).contains(new Secret("tok"));
    assertThat(config.catalog().credential()).contains(new Secret("id:from-file"));
    assertThat(config.catalog().connectTimeoutSeconds()).isEqualTo(4);
    assertThat(config.spark().master()).isEqualTo("local[1]");
    assertThat(config.spark().shufflePartitions()).isEqualTo(3);
    LineageConfig lineage = config.lineage();
    assertThat(lineage.transport()).isEqualTo(LineageConfig.Transport.FILE);
    assertThat(lineage.file()).contains(dir.toAbsolutePath().resolve("out/lineage.jsonl"));
    assertThat(lineage.url()).isEmpty();
    assertThat(lineage.apiKey()).contains(new Secret("id:from-file"));
    assertThat(lineage.namespace()).isEqualTo("env-ns");
    assertThat(lineage.timeout()).isEqualTo(Duration.ofSeconds(9));
    Map<String, String> http = new HashMap<>(env);
    http.put("LAGOA_LINEAGE_TRANSPORT", "http");
    http.remove("LAGOA_LINEAGE_API_KEY_FILE");
    http.put("LAGOA_LINEAGE_API_KEY", "inline-key");
    LagoaConfig overHttp = load(http);
    assertThat(overHttp.lineage().url())
        .contains(URI.create("https://lineage.example.com/custom/endpoint"));
    assertThat(overHttp.lineage().apiKey()).contains(new Secret("inline-key"));

    // The other half of each pair, inline this time.
    Map<String, String> inline = new HashMap<>(env);
    inline.remove("LAGOA_CATALOG_PASSWORD_FILE");
    inline.remove("LAGOA_CATALOG_TOKEN");
    inline.remove("LAGOA_CATALOG_CREDENTIAL_FILE");
    inline.put("LAGOA_CATALOG_PASSWORD", "pw");
    inline.put("LAGOA_CATALOG_TOKEN_FILE", credentialFile.toString());
    inline.put("LAGOA_CATALOG_CREDENTIAL", "c");
    LagoaConfig other = load(inline);
    assertThat(other.catalog().password()).contains(new Secret("pw"));
    assertThat(other.catalog().token()).contains(new Secret("id:from-file"));
    assertThat(other.catalog().credential()).contains(new Secret("c"));
  }

  @Test
  void environmentWinsOverTheFile() throws IOException {
    write("lagoa.yaml", "spark:\n  master: local[2]\n  shuffle-partitions: 5\n");
    LagoaConfig config = load(Map.of("LAGOA_SPARK_MASTER", "local[3]"));
    assertThat(config.spark().master()).isEqualTo("local[3]");
    assertThat(config.spark().shufflePartitions()).isEqualTo(5);
  }

  @Test
  void theAcceleratorIsOneOfItsNamesAndOffHeapDefaultsToHalfTheHeap() throws IOException {
    LagoaConfig defaults = load(Map.of());
    assertThat(defaults.spark().accelerator()).isEqualTo(Accelerator.AUTO);
    assertThat(defaults.spark().offHeapMb())
        .isEqualTo(SparkSettings.autoOffHeapMb(Runtime.getRuntime().maxMemory()));
    assertThat(SparkSettings.autoOffHeapMb(8L << 30)).isEqualTo(4096);
    assertThat(SparkSettings.autoOffHeapMb(1L << 30)).isEqualTo(1024);
    write("lagoa.yaml", "spark:\n  accelerator: photon\n");
    assertThat(failure(Map.of(), null))
        .hasMessageStartingWith(
            "lagoa.yaml:2:16: spark.accelerator: expected one of auto, comet, none but got 'photon'");
  }

  @Test
  void badValuesInTheFileAreErrorsEvenWhenTheEnvironmentOverridesThem() throws IOException {
    write("lagoa.yaml", "spark:\n  shuffle-partitions: many\n");
    assertThat(failure(Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "2"), null))
        .hasMessageStartingWith("lagoa.yaml:2:23: spark.shuffle-partitions: expected");
  }

  @Test
  void dottedKeysWorkLikeNestedOnes() throws IOException {
    write("lagoa.yaml", "spark.master: local[2]\ncatalog.connect-timeout-seconds: 5\n");
    LagoaConfig config = load(Map.of());
    assertThat(config.spark().master()).isEqualTo("local[2]");
    assertThat(config.catalog().connectTimeoutSeconds()).isEqualTo(5);
  }

  @Test
  void relativeWarehouseIsResolvedAgainstTheConfigFilesFolder() throws IOException {
    Path file = write("project/conf/lagoa.yaml", "warehouse: ../data\n");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    LagoaConfig config = new ConfigLoader(Map.of(), elsewhere).load(file);
    assertThat(config.localWarehouse()).contains(dir.toAbsolutePath().resolve("project/data"));
    assertThat(config.catalog().uri()).endsWith("project/data/catalog.db");

    // The default warehouse sits next to the file too.
    Path bare = write("other/lagoa.yaml", "");
    assertThat(new ConfigLoader(Map.of(), elsewhere).load(bare).localWarehouse())
        .contains(dir.toAbsolutePath().resolve("other/lagoa-warehouse"));

    // LAGOA_CONFIG finds the file the same way.
    assertThat(
            new ConfigLoader(Map.of("LAGOA_CONFIG", file.toString()), elsewhere)
                .load(null)
                .localWarehouse())
        .contains(dir.toAbsolutePath().resolve("project/data"));
  }

  @Test
  void relativePathsFromTheEnvironmentAreResolvedAgainstTheCurrentFolder() throws IOException {
    Path file = write("project/lagoa.yaml", "warehouse: data\n");
    write("secret.txt", "s3cret");
    LagoaConfig config =
        new ConfigLoader(
                Map.of(
                    "LAGOA_WAREHOUSE", "here",
                    "LAGOA_CATALOG_TYPE", "postgres",
                    "LAGOA_CATALOG_URI", "jdbc:postgresql://h/db",
                    "LAGOA_CATALOG_PASSWORD_FILE", "secret.txt"),
                dir)
            .load(file);
    assertThat(config.localWarehouse()).contains(dir.toAbsolutePath().resolve("here"));
    assertThat(config.catalog().password()).contains(new Secret("s3cret"));
  }

  @Test
  void relativeSqliteDatabasesAreResolvedLikeOtherPaths() throws IOException {
    Path file = write("project/lagoa.yaml", "catalog:\n  uri: jdbc:sqlite:meta/catalog.db?x=1\n");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    assertThat(new ConfigLoader(Map.of(), elsewhere).load(file).catalog().uri())
        .isEqualTo(
            "jdbc:sqlite:" + dir.toAbsolutePath().resolve("project/meta/catalog.db") + "?x=1");
    assertThat(
            new ConfigLoader(Map.of("LAGOA_CATALOG_URI", "jdbc:sqlite:c.db"), elsewhere)
                .load(file)
                .catalog()
                .uri())
        .isEqualTo("jdbc:sqlite:" + elsewhere.toAbsolutePath().resolve("c.db"));
    assertThat(
            new ConfigLoader(Map.of("LAGOA_CATALOG_URI", "jdbc:sqlite:/abs/c.db"), elsewhere)
                .load(file)
                .catalog()
                .uri())
        .isEqualTo("jdbc:sqlite:/abs/c.db");
  }

  @Test
  void secretFilesAreRelativeToTheConfigFile() throws IOException {
    write("conf/pg-password", "from-file\n");
    Path file =
        write(
            "conf/lagoa.yaml",
            "catalog:\n  type: postgres\n  uri: jdbc:postgresql://h/db\n  password-file: pg-password\n");
    LagoaConfig config = new ConfigLoader(Map.of(), dir).load(file);
    assertThat(config.catalog().password()).contains(new Secret("from-file"));
  }

  @Test
  void secretsAreNeverInToString() throws IOException {
    write(
        "lagoa.yaml",
        "catalog:\n  type: postgres\n  uri: jdbc:postgresql://h/db\n  password: hunter2-pw\n");
    LagoaConfig config =
        load(Map.of("LAGOA_CATALOG_TOKEN", "tok-123-secret", "LAGOA_LINEAGE_API_KEY", "ol-key-1"));
    assertThat(config.toString())
        .doesNotContain("hunter2-pw")
        .doesNotContain("tok-123-secret")
        .doesNotContain("ol-key-1");
    assertThat(config.lineage().apiKey().orElseThrow().value()).isEqualTo("ol-key-1");
    assertThat(config.catalog().toString()).contains("******");
    assertThat(config.catalog().password().orElseThrow().value()).isEqualTo("hunter2-pw");

    EffectiveConfig explained =
        new ConfigLoader(
                Map.of(
                    "LAGOA_CATALOG_TOKEN", "tok-123-secret", "LAGOA_LINEAGE_API_KEY", "ol-key-1"),
                dir)
            .explain(null);
    assertThat(explained.toString())
        .doesNotContain("hunter2-pw")
        .doesNotContain("tok-123-secret")
        .doesNotContain("ol-key-1");
    assertThat(value(explained, "lineage.api-key").value()).isEqualTo("******");
    assertThat(value(explained, "catalog.password").value()).isEqualTo("******");
    assertThat(value(explained, "catalog.token").value()).isEqualTo("******");
  }

  @Test
  void passwordsInsideTheUriAreMaskedInTheExplanation() throws IOException {
    write(
        "lagoa.yaml",
        "catalog:\n  type: postgres\n  uri: jdbc:postgresql://h/db?user=a&password=in-url-secret\n");
    EffectiveConfig explained = new ConfigLoader(Map.of(), dir).explain(null);
    assertThat(value(explained, "catalog.uri").value())
        .isEqualTo("jdbc:postgresql://h/db?user=a&password=******");
    assertThat(explained.values().toString()).doesNotContain("in-url-secret");
  }

  @Test
  void interpolatesEnvironmentReferences() throws IOException {
    write(
        "lagoa.yaml", "spark:\n  master: ${env:MASTER}\n  conf:\n    spark.x: a-${env:SUFFIX}-b\n");
    LagoaConfig config = load(Map.of("MASTER", "local[2]", "SUFFIX", "z"));
    assertThat(config.spark().master()).isEqualTo("local[2]");
    assertThat(config.spark().conf()).containsEntry("spark.x", "a-z-b");
  }

  @Test
  void explainsWhereEachValueCameFrom() throws IOException {
    write("pw", "secret-value");
    write(
        "lagoa.yaml",
        "catalog:\n"
            + "  type: postgres\n"
            + "  uri: jdbc:postgresql://h/${env:DB}\n"
            + "  password-file: pw\n"
            + "spark:\n"
            + "  conf:\n"
            + "    spark.sql.adaptive.enabled: false\n");
    EffectiveConfig explained =
        new ConfigLoader(
                Map.of(
                    "DB", "lake",
                    "LAGOA_SPARK_MASTER", "local[2]",
                    "LAGOA_WAREHUOSE", "x",
                    "LAGOA_SOME_OTHER_TOOL", "y"),
                dir)
            .explain(null);
    assertThat(value(explained, "warehouse"))
        .isEqualTo(new ConfigValue("warehouse", explained.config().warehouse(), "default"));
    assertThat(value(explained, "catalog.type"))
        .isEqualTo(new ConfigValue("catalog.type", "postgres", "lagoa.yaml:2:9"));
    assertThat(value(explained, "catalog.uri"))
        .isEqualTo(
            new ConfigValue(
                "catalog.uri", "jdbc:postgresql://h/lake", "lagoa.yaml:3:8 via ${env:DB}"));
    assertThat(value(explained, "catalog.password"))
        .isEqualTo(
            new ConfigValue("catalog.password", "******", "read from catalog.password-file"));
    assertThat(value(explained, "catalog.password-file"))
        .isEqualTo(new ConfigValue("catalog.password-file", "pw", "lagoa.yaml:4:18"));
    assertThat(value(explained, "catalog.user"))
        .isEqualTo(new ConfigValue("catalog.user", null, "default"));
    assertThat(value(explained, "spark.master"))
        .isEqualTo(
            new ConfigValue("spark.master", "local[2]", "environment variable LAGOA_SPARK_MASTER"));
    assertThat(value(explained, "spark.conf[spark.sql.adaptive.enabled]"))
        .isEqualTo(
            new ConfigValue("spark.conf[spark.sql.adaptive.enabled]", "false", "lagoa.yaml:7:33"));
    assertThat(value(explained, "spark.shuffle-partitions").value()).startsWith("auto (");
    assertThat(explained.ignoredEnvironment())
        .containsExactly("LAGOA_WAREHUOSE (did you mean LAGOA_WAREHOUSE?)");
    assertThat(explained.toString()).doesNotContain("secret-value");
  }

  private static ConfigValue value(EffectiveConfig explained, String name) {
    return explained.values().stream()
        .filter(value -> value.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no value " + name + " in " + explained.values()));
  }

  // ---- errors: each names the place to fix ----

  @Test
  void unknownKeysSuggestTheClosestOne() throws IOException {
    assertThat(failureFor("warehous: x\n"))
        .hasMessage("lagoa.yaml:1:1: unknown key 'warehous' (did you mean 'warehouse'?)");
    assertThat(failureFor("spark:\n  shufle-partitions: 4\n"))
        .hasMessage(
            "lagoa.yaml:2:3: unknown key 'spark.shufle-partitions'"
                + " (did you mean 'spark.shuffle-partitions'?)");
    assertThat(failureFor("zzz: 1\n").getMessage())
        .startsWith(
            "lagoa.yaml:1:1: unknown key 'zzz' (known keys: catalog, lineage, server, spark, storage,"
                + " warehouse");
  }

  @Test
  void wrongTypesNameTheValue() throws IOException {
    assertThat(failureFor("spark:\n  shuffle-partitions: many\n"))
        .hasMessage(
            "lagoa.yaml:2:23: spark.shuffle-partitions: expected a positive integer or 'auto'"
                + " but got 'many'");
    assertThat(failureFor("catalog:\n  type: oracle\n"))
        .hasMessageContaining(
            "lagoa.yaml:2:9: catalog.type: expected one of sqlite, postgres, rest");
    assertThat(failureFor("catalog:\n  connect-timeout-seconds: 0\n"))
        .hasMessageStartingWith(
            "lagoa.yaml:2:28: catalog.connect-timeout-seconds: expected a positive integer");
    assertThat(failureFor("spark:\n  master: [a, b]\n"))
        .hasMessage(
            "lagoa.yaml:2:11: 'spark.master' must be a single value (a string), not a list");
    assertThat(failureFor("spark:\n  conf: 3\n"))
        .hasMessage("lagoa.yaml:2:9: 'spark.conf' must be a mapping of keys to values, not '3'");
    assertThat(failureFor("spark: local\n"))
        .hasMessage("lagoa.yaml:1:8: 'spark' must be a section of keys, not 'local'");
    assertThat(failureFor("- a\n- b\n"))
        .hasMessage(
            "lagoa.yaml:1:1: the top level must be a mapping of keys to values, not a list");
  }

  @Test
  void invalidYamlNamesTheLineAndColumn() throws IOException {
    ConfigException error = failureFor("warehouse: x\nspark:\n  master: local\n bad: [\n");
    assertThat(error.getMessage()).matches("lagoa\\.yaml:\\d+:\\d+: invalid YAML: .+");
    assertThat(failureFor("a: b: c\n").getMessage())
        .startsWith("lagoa.yaml:1:5: invalid YAML: mapping values are not allowed here");
  }

  @Test
  void duplicateKeysAreErrors() throws IOException {
    assertThat(failureFor("warehouse: a\nwarehouse: b\n"))
        .hasMessage(
            "lagoa.yaml:2:1: duplicate key 'warehouse' (first set at lagoa.yaml:1:1); keep one of them");
    assertThat(failureFor("spark:\n  master: a\nspark.master: b\n"))
        .hasMessageStartingWith(
            "lagoa.yaml:3:1: duplicate key 'spark.master' (first set at lagoa.yaml:2:3)");
    assertThat(failureFor("spark:\n  conf:\n    x: 1\n    x: 2\n"))
        .hasMessageStartingWith("lagoa.yaml:4:5: duplicate key 'x' under 'spark.conf'");
    assertThat(failureFor("spark:\n  conf:\n    x:\n"))
        .hasMessage("lagoa.yaml:3:5: 'x' under 'spark.conf' needs a value");
  }

  @Test
  void missingConfigFilesNameWhoPointedAtThem() {
    ConfigException explicit = failure(Map.of(), dir.resolve("nope.yaml"));
    assertThat(explicit).isInstanceOf(ExplicitConfigFileException.class);
    assertThat(explicit.getMessage())
        .startsWith("config file not found: " + dir.toAbsolutePath().resolve("nope.yaml"))
        .doesNotContain("--config");
    ConfigException fromEnv = failure(Map.of("LAGOA_CONFIG", "missing/lagoa.yaml"), null);
    assertThat(fromEnv.getMessage())
        .startsWith(
            "LAGOA_CONFIG: config file not found: "
                + dir.toAbsolutePath().resolve("missing/lagoa.yaml"));
    assertThat(failure(Map.of("LAGOA_CONFIG", dir.toString()), null).getMessage())
        .isEqualTo("LAGOA_CONFIG: config file " + dir.toAbsolutePath() + " is not a regular file");
  }

  @Test
  void badEnvironmentValuesNameTheVariable() {
    assertThat(failure(Map.of("LAGOA_SPARK_SHUFFLE_PARTITIONS", "-1"), null))
        .hasMessage(
            "environment variable LAGOA_SPARK_SHUFFLE_PARTITIONS: spark.shuffle-partitions:"
                + " expected a positive integer or 'auto' but got '-1'");
    assertThat(failure(Map.of("LAGOA_CATALOG_TYPE", "mysql"), null))
        .hasMessageStartingWith(
            "environment variable LAGOA_CATALOG_TYPE: catalog.type: expected one of");
  }

  @Test
  void unsetEnvironmentReferencesAreErrors() throws IOException {
    assertThat(failureFor("catalog:\n  user: ${env:NOPE_USER}\n"))
        .hasMessageStartingWith("lagoa.yaml:2:9: environment variable NOPE_USER is not set");
    assertThat(failureFor("spark:\n  conf:\n    a: ${env:NOPE}\n"))
        .hasMessageStartingWith("lagoa.yaml:3:8: environment variable NOPE is not set");
  }

  @Test
  void aSecretAndItsFileCannotBothBeSet() throws IOException {
    write("pw", "x");
    assertThat(
            failureFor(
                "catalog:\n  type: postgres\n  uri: jdbc:postgresql://h/db\n"
                    + "  password: a\n  password-file: pw\n"))
        .hasMessage(
            "lagoa.yaml:5:18: set either catalog.password (set at lagoa.yaml:4:13) or"
                + " catalog.password-file, not both");
  }

  @Test
  void unreadableSecretFilesSayWhy() throws IOException {
    String yaml =
        "catalog:\n  type: postgres\n  uri: jdbc:postgresql://h/db\n  password-file: %s\n";
    assertThat(failureFor(yaml.formatted("missing.txt")))
        .hasMessage(
            "lagoa.yaml:4:18: cannot read catalog.password-file: "
                + dir.toAbsolutePath().resolve("missing.txt")
                + " does not exist");
    Files.createDirectories(dir.resolve("folder"));
    assertThat(failureFor(yaml.formatted("folder")))
        .hasMessageEndingWith(dir.toAbsolutePath().resolve("folder") + " is a folder, not a file");
    write("empty.txt", "\n");
    assertThat(failureFor(yaml.formatted("empty.txt"))).hasMessageEndingWith("empty.txt is empty");
  }

  @Test
  void catalogUrisMustMatchTheType() throws IOException {
    assertThat(failureFor("catalog:\n  type: postgres\n"))
        .hasMessageStartingWith(
            "lagoa.yaml:2:9: catalog.type is postgres, so catalog.uri must be set too");
    assertThat(failureFor("catalog:\n  uri: jdbc:postgresql://h/db\n"))
        .hasMessageStartingWith(
            "lagoa.yaml:2:8: a sqlite catalog.uri must start with jdbc:sqlite:");
    assertThat(failureFor("warehouse: s3://b/p\n"))
        .hasMessageStartingWith("catalog.uri: the sqlite catalog is a file on local disk");
  }

  @Test
  void theWarehouseMustBeAFolder() throws IOException {
    write("taken", "a file");
    assertThat(failureFor("warehouse: taken\n"))
        .hasMessage(
            "lagoa.yaml:1:12: warehouse must be a folder, but "
                + dir.toAbsolutePath().resolve("taken")
                + " is a file");
  }

  @Test
  void anEmptyWarehouseIsAnError() throws IOException {
    // It would resolve to the config file's own folder and fill it with tables.
    assertThat(failureFor("warehouse: \"\"\n"))
        .hasMessage(
            "lagoa.yaml:1:12: warehouse is empty; name a folder (relative to this file) or"
                + " s3://bucket/prefix, or leave the key out for the default, ./lagoa-warehouse");
    assertThat(failureFor("warehouse: '  '\n"))
        .hasMessageStartingWith("lagoa.yaml:1:12: warehouse is empty");
    Files.delete(dir.resolve("lagoa.yaml"));
    assertThat(failure(Map.of("LAGOA_WAREHOUSE", ""), null))
        .hasMessage(
            "environment variable LAGOA_WAREHOUSE: warehouse is empty; name a folder (relative to"
                + " the current folder) or s3://bucket/prefix, or unset the variable for the"
                + " default, ./lagoa-warehouse");
  }

  @Test
  void secretsInPassThroughSettingsAreMasked() throws IOException {
    write(
        "lagoa.yaml",
        "catalog:\n"
            + "  properties:\n"
            + "    jdbc.password: props-jdbc-pw\n"
            + "    s3.secret-access-key: props-s3-key\n"
            + "    io-impl: org.apache.iceberg.aws.s3.S3FileIO\n"
            + "spark:\n"
            + "  conf:\n"
            + "    spark.hadoop.fs.s3a.secret.key: spark-s3a-key\n"
            + "    spark.hadoop.fs.s3a.session.token: spark-s3a-token\n"
            + "    spark.hadoop.fs.s3a.access.key: spark-s3a-id\n"
            + "    spark.sql.adaptive.enabled: 'false'\n"
            + "lineage:\n"
            + "  transport: http\n"
            + "  url: http://marquez:5000/api/v1/lineage?api_key=url-api-key\n");
    EffectiveConfig explained = new ConfigLoader(Map.of(), dir).explain(null);

    assertThat(value(explained, "catalog.properties[jdbc.password]").value()).isEqualTo("******");
    assertThat(value(explained, "catalog.properties[s3.secret-access-key]").value())
        .isEqualTo("******");
    assertThat(value(explained, "catalog.properties[io-impl]").value())
        .isEqualTo("org.apache.iceberg.aws.s3.S3FileIO");
    assertThat(value(explained, "spark.conf[spark.hadoop.fs.s3a.secret.key]").value())
        .isEqualTo("******");
    assertThat(value(explained, "spark.conf[spark.hadoop.fs.s3a.session.token]").value())
        .isEqualTo("******");
    assertThat(value(explained, "spark.conf[spark.sql.adaptive.enabled]").value())
        .isEqualTo("false");
    assertThat(value(explained, "lineage.url").value())
        .isEqualTo("http://marquez:5000/api/v1/lineage?api_key=******");
    // The values themselves are still there for the catalog and Spark to use.
    assertThat(explained.config().catalog().properties())
        .containsEntry("jdbc.password", "props-jdbc-pw");
    assertThat(explained.config().spark().conf())
        .containsEntry("spark.hadoop.fs.s3a.secret.key", "spark-s3a-key");
    for (String secret :
        List.of(
            "props-jdbc-pw", "props-s3-key", "spark-s3a-key", "spark-s3a-token", "url-api-key")) {
      assertThat(explained.values().toString()).doesNotContain(secret);
      assertThat(explained.config().catalog().toString()).doesNotContain(secret);
      assertThat(explained.config().spark().toString()).doesNotContain(secret);
      assertThat(explained.config().toString()).doesNotContain(secret);
    }
  }

  @Test
  void errorsThatQuoteAValueMaskItsSecrets() throws IOException {
    assertThat(failureFor("catalog:\n  uri: jdbc:postgresql://h/db?user=u&password=quoted-pw\n"))
        .hasMessage(
            "lagoa.yaml:2:8: a sqlite catalog.uri must start with jdbc:sqlite: but is"
                + " 'jdbc:postgresql://h/db?user=u&password=******'");
    assertThat(failureFor("lineage:\n  transport: http\n  url: ftp://ana:quoted-pw@marquez/api\n"))
        .hasMessageContaining("but is 'ftp://ana:******@marquez/api'")
        .hasMessageNotContaining("quoted-pw");
    assertThat(failureFor("storage:\n  s3:\n    endpoint: minio:9000?secret=quoted-pw\n"))
        .hasMessageContaining("secret=******")
        .hasMessageNotContaining("quoted-pw");
  }

  @Test
  void filesOutsideTheCurrentFolderAreNamedInFull() throws IOException {
    Path file = write("a/lagoa.yaml", "nope: 1\n");
    Path elsewhere = Files.createDirectories(dir.resolve("b"));
    assertThatThrownBy(() -> new ConfigLoader(Map.of(), elsewhere).load(file))
        .hasMessageStartingWith(file.toAbsolutePath() + ":1:1: unknown key 'nope'");
    assertThatThrownBy(() -> new ConfigLoader(Map.of(), dir).load(file))
        .hasMessageStartingWith("a/lagoa.yaml:1:1: unknown key 'nope'");
  }

  @Test
  void emptyFilesAndSectionsMeanDefaults() throws IOException {
    write("lagoa.yaml", "# only comments\ncatalog:\nspark:\n");
    LagoaConfig config = load(Map.of());
    assertThat(config.catalog().type()).isEqualTo(CatalogType.SQLITE);
    assertThat(config.source()).isPresent();
    assertThat(config.spark().conf()).isEmpty();
    assertThat(Optional.of(config.catalog().connectTimeoutSeconds())).contains(10);
  }

  /** Leaf keys a YAML text names, as dotted paths (two levels are all lagoa.yaml has). */
  /** The dotted names of the declared keys a YAML text sets (map entries are not keys). */
  static Set<String> keysIn(String yaml) {
    Set<String> keys = new TreeSet<>();
    List<String> path = new ArrayList<>();
    for (String line : yaml.split("\n")) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      int depth = (line.length() - line.stripLeading().length()) / 2;
      String name = line.trim().substring(0, line.trim().indexOf(':'));
      while (path.size() > depth) {
        path.remove(path.size() - 1);
      }
      String parent = String.join(".", path);
      if (!parent.isEmpty() && ConfigKeys.byName(parent) != null) {
        continue; // an entry of a mapping such as spark.conf
      }
      path.add(name);
      keys.add(String.join(".", path));
    }
    keys.removeIf(key -> ConfigKeys.byName(key) == null);
    return keys;
  }

  static Set<String> declaredKeys() {
    return ConfigKeys.all().stream()
        .map(ConfigKey::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}

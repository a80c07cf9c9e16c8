package io.lagoa.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.text.SecretPatterns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one masking rule: which names hold secrets, and what is masked in free text. */
class TestSecrets {
  @TempDir Path dir;

  @Test
  void namesThatHoldSecrets() {
    for (String name :
        new String[] {
          "password",
          "jdbc.password",
          "JDBC_PASSWORD",
          "sslpassword",
          "passwd",
          "pwd",
          "s3.secret-access-key",
          "spark.hadoop.fs.s3a.secret.key",
          "client_secret",
          "token",
          "catalog.token",
          "credential",
          "rest.credential",
          "private-key",
          "gcs.oauth2.private.key",
          "PRIVATE_KEY",
          "privatekey",
          "access-key",
          "fs.s3a.access.key",
          "s3.session-token",
          "SESSION_TOKEN",
          "sessionToken",
          "api-key",
          "lineage.api_key",
          "ApiKey",
          "LAGOA_CATALOG_PASSWORD",
          "AWS_SECRET_ACCESS_KEY"
        }) {
      assertThat(SecretPatterns.isSecretKey(name)).as(name).isTrue();
    }
    for (String name :
        new String[] {
          "user",
          "uri",
          "warehouse",
          "io-impl",
          "s3.access-key-id",
          "LAGOA_STORAGE_S3_ACCESS_KEY_ID",
          "catalog.password-file",
          "LAGOA_CATALOG_PASSWORD_FILE",
          "spark.hadoop.fs.s3a.aws.credentials.provider",
          "spark.sql.adaptive.enabled",
          "keystore"
        }) {
      assertThat(SecretPatterns.isSecretKey(name)).as(name).isFalse();
    }
  }

  @Test
  void masksSecretValuesUnderTheirNames() {
    assertThat(SecretPatterns.maskValue("jdbc.password", "hunter2")).isEqualTo("******");
    assertThat(SecretPatterns.maskValue("spark.hadoop.fs.s3a.secret.key", "abc/def"))
        .isEqualTo("******");
    assertThat(SecretPatterns.maskValue("jdbc.user", "ana")).isEqualTo("ana");
    assertThat(SecretPatterns.maskValue("jdbc.user", null)).isNull();
    // A value that is a URL keeps its shape but loses its password.
    assertThat(SecretPatterns.maskValue("uri", "jdbc:postgresql://h/db?user=u&password=hunter2"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&password=******");
  }

  @Test
  void masksUrlQueriesUserInfoAndPropertyListsInFreeText() {
    assertThat(
            SecretPatterns.maskText(
                "Unable to parse URL"
                    + " jdbc:postgresql://host:port/db?user=u&password=hunter2&ssl=true"))
        .isEqualTo(
            "Unable to parse URL jdbc:postgresql://host:port/db?user=u&password=******&ssl=true");
    assertThat(SecretPatterns.maskText("jdbc:sqlserver://h;user=u;Password=hunter2;db=x"))
        .isEqualTo("jdbc:sqlserver://h;user=u;Password=******;db=x");
    assertThat(SecretPatterns.maskText("at https://ana:hunter2@host:8181/v1 (rest)"))
        .isEqualTo("at https://ana:******@host:8181/v1 (rest)");
    assertThat(SecretPatterns.maskText("{user=ana, password=hunter2, sslmode=require}"))
        .isEqualTo("{user=ana, password=******, sslmode=require}");
    assertThat(SecretPatterns.maskText("http://m:5000/api?api_key=k-123&x=1 failed"))
        .isEqualTo("http://m:5000/api?api_key=******&x=1 failed");
    assertThat(SecretPatterns.maskText("'jdbc:mysql://h/db?SESSION-TOKEN=t1'"))
        .isEqualTo("'jdbc:mysql://h/db?SESSION-TOKEN=******'");
    // Nothing to mask: left exactly as it was.
    String plain = "http://host:8181/v1 and x=1, user=ana, //host:80/path@x";
    assertThat(SecretPatterns.maskText(plain)).isEqualTo(plain);
    assertThat(SecretPatterns.maskText(null)).isNull();
  }

  @Test
  void knownValuesAreReplacedWhereverTheyAppear() throws IOException {
    Files.writeString(
        dir.resolve("lagoa.yaml"),
        "catalog:\n"
            + "  type: postgres\n"
            + "  uri: jdbc:postgresql://h/db?password=in-uri-pw\n"
            + "  password: catalog-pw\n"
            + "  properties:\n"
            + "    jdbc.password: props-pw\n"
            + "    s3.secret-access-key: props-s3-key\n"
            + "    io-impl: org.apache.iceberg.aws.s3.S3FileIO\n"
            + "storage:\n"
            + "  s3:\n"
            + "    access-key-id: AKIA-ID\n"
            + "    secret-access-key: storage-key\n"
            + "spark:\n"
            + "  conf:\n"
            + "    spark.hadoop.fs.s3a.secret.key: spark-s3a-key\n"
            + "    spark.hadoop.fs.s3a.aws.credentials.provider: SimpleProvider\n"
            + "    spark.some.flag-token: true\n");
    LagoaConfig config =
        new ConfigLoader(Map.of("LAGOA_LINEAGE_API_KEY", "lineage-key"), dir).load(null);
    Secrets secrets = Secrets.of(config);

    String message =
        "failed: catalog-pw props-pw \"props-s3-key\" storage-key:spark-s3a-key in-uri-pw"
            + " [lineage-key] with AKIA-ID and SimpleProvider: true";
    assertThat(secrets.mask(message))
        .isEqualTo(
            "failed: ****** ****** \"******\" ******:****** ******"
                + " [******] with AKIA-ID and SimpleProvider: true");
    assertThat(secrets.hides(secrets.mask(message))).isTrue();
    assertThat(secrets.toString()).doesNotContain("pw");
  }

  @Test
  void theEnvironmentNamesItsSecrets() {
    Secrets secrets =
        Secrets.fromEnvironment(
            Map.of(
                "LAGOA_CATALOG_PASSWORD", "env-pw-1",
                "AWS_SECRET_ACCESS_KEY", "aws-key-1",
                "LAGOA_CATALOG_URI", "jdbc:postgresql://ana:uri-pw-1@h/db",
                "LAGOA_CATALOG_PASSWORD_FILE", "/run/secrets/pg",
                "HOME", "/home/ana"));
    assertThat(secrets.mask("env-pw-1 aws-key-1 uri-pw-1 /run/secrets/pg /home/ana"))
        .isEqualTo("****** ****** ****** /run/secrets/pg /home/ana");
    // Short values are left to the key-pattern rule: "pw" is no reason to mangle a message.
    assertThat(Secrets.fromEnvironment(Map.of("PGPASSWORD", "pw")).mask("pwd: pw"))
        .isEqualTo("pwd: pw");
  }

  @Test
  void theShellsWorkingDirectoriesAreNoPasswords() {
    Secrets secrets =
        Secrets.fromEnvironment(
            Map.of("PWD", "/home/ana/project", "OLDPWD", "/home/ana", "DB_PWD", "hunter22"));
    assertThat(secrets.mask("cannot read /home/ana/project/p1 (was in /home/ana); hunter22"))
        .isEqualTo("cannot read /home/ana/project/p1 (was in /home/ana); ******");
  }
}

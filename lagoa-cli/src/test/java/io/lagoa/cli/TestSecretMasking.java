package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.config.Secrets;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No secret reaches stdout or stderr, whichever way it was configured (lagoa.yaml, a pass-through
 * map, an environment variable, a URL) and whichever way it would have been printed ({@code lagoa
 * config}, an error line, a stack trace, Spark's {@code SET}).
 */
class TestSecretMasking {
  /** Every secret below contains this, so one check finds any of them. */
  private static final String MARK = "s3cr3t";

  private TestingWarehouse warehouse;

  @BeforeEach
  void create() {
    warehouse = TestingWarehouse.create();
  }

  @AfterEach
  void delete() {
    warehouse.close();
  }

  private static final String PASS_THROUGH =
      "catalog:\n"
          + "  properties:\n"
          + "    jdbc.password: jdbc-"
          + MARK
          + "\n"
          + "    s3.secret-access-key: props-"
          + MARK
          + "\n"
          + "    rest.credential: cred-"
          + MARK
          + "\n"
          + "spark:\n"
          + "  conf:\n"
          + "    spark.hadoop.fs.s3a.secret.key: s3a-"
          + MARK
          + "\n"
          + "    spark.hadoop.fs.s3a.session.token: token-"
          + MARK
          + "\n"
          + "    spark.hadoop.fs.s3a.aws.credentials.provider: SimpleAWSCredentialsProvider\n";

  /** The overrides a deployment sets: every secret key, and a URL with a password. */
  private static Map<String, String> secretEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("LAGOA_CATALOG_TOKEN", "env-token-" + MARK);
    env.put("LAGOA_CATALOG_CREDENTIAL", "client:env-cred-" + MARK);
    env.put("LAGOA_STORAGE_S3_ACCESS_KEY_ID", "AKIAEXAMPLE");
    env.put("LAGOA_STORAGE_S3_SECRET_ACCESS_KEY", "env-s3-" + MARK);
    env.put("LAGOA_STORAGE_S3_SESSION_TOKEN", "env-session-" + MARK);
    env.put("LAGOA_LINEAGE_API_KEY", "env-api-" + MARK);
    env.put("LAGOA_LINEAGE_URL", "http://marquez:5000/api/v1/lineage?api_key=url-api-" + MARK);
    return env;
  }

  @Test
  void lagoaConfigShowsNoSecret() {
    warehouse.writeFile("lagoa.yaml", PASS_THROUGH);
    CliRunner.Result result = new CliRunner(warehouse, secretEnvironment()).run("config");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out())
        .containsPattern("(?m)^catalog\\.properties\\[jdbc\\.password] +\\| \\*{6} +\\| lagoa")
        .containsPattern("(?m)^catalog\\.properties\\[s3\\.secret-access-key] +\\| \\*{6} ")
        .containsPattern("(?m)^catalog\\.properties\\[rest\\.credential] +\\| \\*{6} ")
        .containsPattern(
            "(?m)^spark\\.conf\\[spark\\.hadoop\\.fs\\.s3a\\.secret\\.key] +\\| \\*{6} ")
        .containsPattern(
            "(?m)^spark\\.conf\\[spark\\.hadoop\\.fs\\.s3a\\.session\\.token] +\\| \\*{6} ")
        .containsPattern(
            "(?m)^spark\\.conf\\[spark\\.hadoop\\.fs\\.s3a\\.aws\\.credentials\\.provider] +\\|"
                + " SimpleAWSCredentialsProvider ")
        .containsPattern(
            "(?m)^storage\\.s3\\.secret-access-key +\\| \\*{6} +\\| environment variable"
                + " LAGOA_STORAGE_S3_SECRET_ACCESS_KEY")
        .containsPattern("(?m)^storage\\.s3\\.access-key-id +\\| AKIAEXAMPLE ")
        .contains("api_key=******");
    assertThat(result.toString()).doesNotContain(MARK);
  }

  @Test
  void lagoaConfigJsonShowsNoSecret() throws IOException {
    warehouse.writeFile("lagoa.yaml", PASS_THROUGH);
    CliRunner.Result result = new CliRunner(warehouse, secretEnvironment()).run("config", "--json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Map<String, String> byKey = new HashMap<>();
    for (JsonNode row : new ObjectMapper().readTree(result.out())) {
      byKey.put(row.get("key").asText(), row.get("value").asText());
    }
    assertThat(byKey)
        .containsEntry("catalog.properties[jdbc.password]", "******")
        .containsEntry("catalog.properties[s3.secret-access-key]", "******")
        .containsEntry("spark.conf[spark.hadoop.fs.s3a.secret.key]", "******")
        .containsEntry("catalog.token", "******")
        .containsEntry("lineage.api-key", "******");
    assertThat(result.toString()).doesNotContain(MARK);
  }

  @Test
  void aMalformedJdbcUrlInLagoaYamlIsPrintedMasked() {
    // The PostgreSQL driver cannot parse the port and quotes the whole URL in its message.
    String uri = "jdbc:postgresql://db.example:54x32/lagoa?user=u&password=url-" + MARK;
    warehouse.writeFile("lagoa.yaml", "catalog:\n  type: postgres\n  uri: " + uri + "\n");

    for (String[] command :
        List.of(
            new String[] {"sql", "SELECT 1"},
            new String[] {"--verbose", "sql", "SELECT 1"},
            new String[] {"tables"})) {
      CliRunner.Result result = new CliRunner(warehouse).run(command);
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
      assertThat(result.err())
          .startsWith(
              "error: cannot connect to the postgres catalog at"
                  + " jdbc:postgresql://db.example:54x32/lagoa?user=u&password=****** (catalog.uri,"
                  + " from lagoa.yaml:3:8)")
          .contains(
              "Unable to parse URL"
                  + " jdbc:postgresql://db.example:54x32/lagoa?user=u&password=******");
      assertThat(result.toString()).doesNotContain(MARK);
    }
  }

  @Test
  void anUnreachablePostgresUrlWithAPasswordIsPrintedMasked() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    String uri = "jdbc:postgresql://127.0.0.1:" + port + "/lagoa?user=u&password=url-" + MARK;
    warehouse.writeFile(
        "lagoa.yaml",
        "catalog:\n  type: postgres\n  uri: "
            + uri
            + "\n"
            + "  password: inline-"
            + MARK
            + "\n"
            + "  properties:\n    jdbc.password: jdbc-"
            + MARK
            + "\n");

    CliRunner.Result result = new CliRunner(warehouse).run("--verbose", "sql", "SELECT 1");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("error: cannot connect to the postgres catalog at")
        .contains("/lagoa?user=u&password=******")
        .contains("refused");
    assertThat(result.toString()).doesNotContain(MARK);
  }

  @Test
  void aUrlPasswordInTheEnvironmentIsPrintedMasked() {
    Map<String, String> env = secretEnvironment();
    env.put("LAGOA_CATALOG_TYPE", "postgres");
    env.put("LAGOA_CATALOG_URI", "jdbc:postgresql://ana:userinfo-" + MARK + "@db.example:x/lagoa");
    env.put("LAGOA_CATALOG_PASSWORD", "env-pw-" + MARK);

    CliRunner.Result result = new CliRunner(warehouse, env).run("--verbose", "sql", "SELECT 1");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .contains("jdbc:postgresql://ana:******@db.example:x/lagoa")
        .contains("environment variable LAGOA_CATALOG_URI");
    assertThat(result.toString()).doesNotContain(MARK);
  }

  /**
   * The last line of defence: a message that quotes a configured secret in a form no pattern knows
   * (here bare, and inside a cause's message in the stack trace) is still masked.
   */
  @Test
  void configuredSecretValuesAreMaskedWhereverAnErrorQuotesThem() {
    Secrets secrets = Secrets.fromEnvironment(Map.of("LAGOA_CATALOG_PASSWORD", "bare-" + MARK));
    LagoaException error =
        new LagoaException(
            ErrorCode.CATALOG_UNREACHABLE,
            "login as ana/bare-" + MARK + " failed",
            new SQLException("FATAL: password \"bare-" + MARK + "\" rejected"));
    for (boolean verbose : new boolean[] {false, true}) {
      StringWriter err = new StringWriter();
      int exitCode = Main.report(error, verbose, new PrintWriter(err, true), secrets);

      assertThat(exitCode).isEqualTo(2);
      assertThat(err.toString()).startsWith("error: login as ana/****** failed");
      assertThat(err.toString()).doesNotContain(MARK);
    }
    StringWriter err = new StringWriter();
    Main.report(
        new IllegalStateException("bug near bare-" + MARK), false, new PrintWriter(err), secrets);
    assertThat(err.toString())
        .startsWith("internal error: java.lang.IllegalStateException: bug near ******")
        .doesNotContain(MARK);
  }

  /** Spark's own redaction misses credential and api-key; Lagoa gives it the same rule. */
  @Test
  void sparkSetShowsNoSecret() {
    warehouse.writeFile(
        "lagoa.yaml",
        "catalog:\n"
            + "  properties:\n"
            + "    rest.credential: cred-"
            + MARK
            + "\n"
            + "spark:\n"
            + "  conf:\n"
            + "    spark.myapp.api-key: api-"
            + MARK
            + "\n"
            + "    spark.hadoop.fs.s3a.secret.key: s3a-"
            + MARK
            + "\n");
    CliRunner runner = new CliRunner(warehouse);
    for (String statement : List.of("SET", "SET -v", "SET `spark.myapp.api-key`")) {
      CliRunner.Result result = runner.run("sql", statement);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.toString()).doesNotContain(MARK);
    }
    assertThat(runner.run("sql", "SET").out()).contains("spark.sql.catalog.lagoa.rest.credential");
  }

  @Test
  void aConfigErrorQuotingAUrlMasksItsPassword() {
    warehouse.writeFile(
        "lagoa.yaml", "catalog:\n  uri: jdbc:postgresql://db/lagoa?password=quoted-" + MARK + "\n");

    CliRunner.Result result = new CliRunner(warehouse).run("sql", "SELECT 1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "error: lagoa.yaml:2:8: a sqlite catalog.uri must start with jdbc:sqlite: but is"
                + " 'jdbc:postgresql://db/lagoa?password=******'\n");
    assertThat(result.toString()).doesNotContain(MARK);
  }
}

package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa admin} and {@code lagoa server} from the packaged distribution, as an operator runs
 * them: a principal and its grants, the server in the foreground, a client getting a token and
 * creating a namespace over HTTP, the audit line, and SIGTERM stopping the server cleanly.
 */
class ServerDistributionIT {
  private static final Pattern LISTENING =
      Pattern.compile("Iceberg REST catalog at (http://127\\.0\\.0\\.1:\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
  void anOperatorGrantsAccessAndServesTheCatalog() throws Exception {
    String created = lagoa("admin", "principal", "create", "etl", "--json");
    Matcher secret = Pattern.compile("\"client_secret\" ?: ?\"([^\"]+)\"").matcher(created);
    assertThat(secret.find()).as(created).isTrue();
    lagoa("admin", "role", "create", "engineers");
    lagoa("admin", "role", "grant-to", "engineers", "etl");
    lagoa("admin", "grant", "create", "--on", "catalog", "--to", "engineers");
    lagoa("admin", "grant", "read", "--on", "catalog", "--to", "engineers");

    Path output = warehouse.root().resolve("server.txt");
    ProcessBuilder builder =
        PackagedCli.command(
            warehouse,
            Map.of(),
            List.of("-Xmx512m"),
            List.of("server", "--host", "127.0.0.1", "--port", "0"));
    builder.redirectErrorStream(true).redirectOutput(output.toFile());
    Process server = builder.start();
    try {
      URI uri = awaitListening(server, output);
      assertThat(get(uri.resolve("/readyz"), null).statusCode()).isEqualTo(200);
      assertThat(get(uri.resolve("/v1/namespaces"), null).statusCode()).isEqualTo(401);

      HttpResponse<String> token =
          HTTP.send(
              HttpRequest.newBuilder(uri.resolve("/v1/oauth/tokens"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "grant_type=client_credentials&client_id=etl&client_secret="
                              + URLEncoder.encode(secret.group(1), StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
      String bearer = token.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");

      HttpResponse<String> namespace =
          HTTP.send(
              HttpRequest.newBuilder(uri.resolve("/v1/namespaces"))
                  .header("Authorization", "Bearer " + bearer)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\": [\"landing\"]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(namespace.statusCode()).as(namespace.body()).isEqualTo(200);
      assertThat(get(uri.resolve("/v1/namespaces"), bearer).body()).contains("landing");
    } finally {
      server.destroy(); // SIGTERM, as kill and Kubernetes do
      assertThat(server.waitFor(1, TimeUnit.MINUTES)).isTrue();
    }
    String log = Files.readString(output);
    assertThat(log)
        .contains("Lagoa server stopped.")
        .contains("\"action\":\"createNamespace\"")
        .doesNotContain(secret.group(1));
    assertThat(lagoa("admin", "audit", "--format", "csv")).contains("createNamespace");
  }

  private URI awaitListening(Process server, Path output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      Matcher matcher = LISTENING.matcher(Files.readString(output));
      if (matcher.find()) {
        return URI.create(matcher.group(1));
      }
      assertThat(server.isAlive()).as(Files.readString(output)).isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("lagoa server did not start: " + Files.readString(output));
  }

  private static HttpResponse<String> get(URI uri, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String lagoa(String... args) throws Exception {
    Path stdout = warehouse.root().resolve("out.txt");
    Path stderr = warehouse.root().resolve("err.txt");
    ProcessBuilder builder = PackagedCli.command(warehouse, Map.of(), List.of(), List.of(args));
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    Process process = builder.start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(stderr)).isZero();
    return Files.readString(stdout);
  }
}

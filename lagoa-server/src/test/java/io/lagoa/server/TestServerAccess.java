package io.lagoa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.access.AccessStore;
import io.lagoa.access.ClientCredentials;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import io.lagoa.audit.AuditEntry;
import io.lagoa.audit.AuditEvent;
import io.lagoa.audit.AuditTrail;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.TestingWarehouse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production server: OAuth2 client credentials, bearer tokens, grants and the audit trail,
 * through Iceberg's own REST client and raw HTTP.
 */
class TestServerAccess {
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestingWarehouse warehouse;
  private static TestingLagoaServer server;
  private static LagoaConfig config;
  private static ClientCredentials analyst;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    config = warehouse.config();
    server = TestingLagoaServer.start(config);
    try (RESTCatalog admin = client(server.admin())) {
      admin.createNamespace(Namespace.of("sales"));
      admin.createNamespace(Namespace.of("hr"));
      admin.createTable(TableIdentifier.of("sales", "orders"), SCHEMA);
      admin.createTable(TableIdentifier.of("hr", "salaries"), SCHEMA);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    try (AccessStore access = AccessStore.open(config)) {
      analyst = access.createPrincipal("ana");
      access.createRole("sales_readers");
      access.grantRole("sales_readers", "ana");
      access.grant(Privilege.READ, Securable.namespace(List.of("sales")), "sales_readers");
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    warehouse.close();
  }

  @Test
  void aPrincipalSeesAndReadsOnlyWhatItWasGranted() throws Exception {
    try (RESTCatalog ana = client(analyst)) {
      assertThat(ana.listNamespaces()).containsExactly(Namespace.of("sales"));
      assertThat(ana.loadTable(TableIdentifier.of("sales", "orders")).schema().columns())
          .hasSize(1);
      assertThatThrownBy(() -> ana.loadTable(TableIdentifier.of("hr", "salaries")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("Principal 'ana' may not read table:hr.salaries");
      assertThatThrownBy(() -> ana.dropTable(TableIdentifier.of("sales", "orders")))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("may not drop");
      assertThatThrownBy(() -> ana.createNamespace(Namespace.of("mine")))
          .isInstanceOf(ForbiddenException.class);
    }
    // the refused drop changed nothing
    try (RESTCatalog admin = client(server.admin())) {
      assertThat(admin.tableExists(TableIdentifier.of("sales", "orders"))).isTrue();
      assertThat(admin.namespaceExists(Namespace.of("mine"))).isFalse();
    }
  }

  @Test
  void requestsWithoutAValidTokenGet401() throws Exception {
    HttpResponse<String> none = send("GET", "/v1/namespaces", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("NotAuthorizedException").contains("needs a bearer token");

    String token = token(analyst.clientId(), analyst.clientSecret().value()).body();
    String accessToken = token.replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
    assertThat(send("GET", "/v1/namespaces", accessToken, null).statusCode()).isEqualTo(200);

    String forged = accessToken.substring(0, accessToken.length() - 4) + "AAAA";
    HttpResponse<String> refused = send("GET", "/v1/namespaces", forged, null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("signature").doesNotContain(forged);

    assertThat(send("GET", "/v1/namespaces", "not-a-jwt", null).body())
        .contains("not a signed JWT");
  }

  @Test
  void theTokenEndpointSpeaksOAuth2() throws Exception {
    HttpResponse<String> granted = token(analyst.clientId(), analyst.clientSecret().value());
    assertThat(granted.statusCode()).isEqualTo(200);
    assertThat(granted.body())
        .contains("\"token_type\":\"bearer\"")
        .contains("\"expires_in\":3600");
    assertThat(granted.headers().firstValue("Cache-Control")).contains("no-store");

    HttpResponse<String> wrong = token(analyst.clientId(), "not-the-secret");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body())
        .contains("\"error\":\"invalid_client\"")
        .doesNotContain("not-the-secret");

    HttpResponse<String> grant =
        send("POST", "/v1/oauth/tokens", null, "grant_type=password&username=a&password=b");
    assertThat(grant.statusCode()).isEqualTo(400);
    assertThat(grant.body()).contains("unsupported_grant_type");
  }

  @Test
  void changesAndRefusalsAreAudited() throws Exception {
    try (RESTCatalog admin = client(server.admin())) {
      admin.createNamespace(Namespace.of("audited"));
    }
    try (RESTCatalog ana = client(analyst)) {
      assertThatThrownBy(() -> ana.dropTable(TableIdentifier.of("hr", "salaries")))
          .isInstanceOf(ForbiddenException.class);
    }
    send("GET", "/v1/namespaces", "forged.token.here", null);

    Catalog catalog = LagoaCatalogs.open(config);
    List<AuditEvent> events =
        AuditTrail.of(config, catalog).recent(100).stream().map(AuditEntry::event).toList();
    ((AutoCloseable) catalog).close();
    assertThat(events)
        .anySatisfy(
            event -> {
              assertThat(event.action()).isEqualTo("createNamespace");
              assertThat(event.resource()).isEqualTo("audited");
              assertThat(event.principal()).isEqualTo(server.admin().clientId());
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.ALLOWED);
              assertThat(event.clientAddress()).isEqualTo("127.0.0.1");
            })
        .anySatisfy(
            event -> {
              assertThat(event.action()).isEqualTo("dropTable");
              assertThat(event.principal()).isEqualTo("ana");
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
              assertThat(event.httpStatus()).isEqualTo(403);
              assertThat(event.detail()).contains("may not drop");
            })
        .anySatisfy(
            event -> {
              assertThat(event.action()).isEqualTo("GET /v1/namespaces");
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
              assertThat(event.httpStatus()).isEqualTo(401);
            })
        .anySatisfy(
            event -> {
              assertThat(event.action()).isEqualTo("issueToken");
              assertThat(event.principal()).isEqualTo("ana");
            });
    assertThat(events).noneSatisfy(event -> assertThat(event.action()).isEqualTo("loadTable"));
  }

  @Test
  void anonymousRequestsActAsTheConfiguredRoleOnly() throws Exception {
    try (AccessStore access = AccessStore.open(config)) {
      access.createRole("public");
      access.grant(Privilege.READ, Securable.namespace(List.of("sales")), "public");
    }
    LagoaConfig anonymous =
        config.withServer(
            new io.lagoa.config.ServerConfig(
                "127.0.0.1",
                0,
                1 << 20,
                java.time.Duration.ofSeconds(2),
                java.util.Optional.of("public"),
                java.time.Duration.ofHours(1),
                java.util.Optional.empty()));
    try (LagoaServer open = LagoaServer.start(anonymous)) {
      HttpResponse<String> list =
          HTTP.send(
              HttpRequest.newBuilder(open.uri().resolve("/v1/namespaces")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("sales").doesNotContain("hr");
      HttpResponse<String> create =
          HTTP.send(
              HttpRequest.newBuilder(open.uri().resolve("/v1/namespaces"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\": [\"anon\"]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(create.statusCode()).isEqualTo(403);
      assertThat(create.body()).contains("Principal 'anonymous' may not create");
    }
  }

  @Test
  void anIcebergClientWithoutCredentialsIsRefused() {
    RESTCatalog anonymous = new RESTCatalog();
    assertThatThrownBy(() -> anonymous.initialize("anon", Map.of("uri", server.uri().toString())))
        .isInstanceOf(NotAuthorizedException.class);
  }

  static RESTCatalog client(ClientCredentials credentials) {
    RESTCatalog client = new RESTCatalog();
    client.initialize("lagoa", server.clientProperties(credentials));
    return client;
  }

  private static HttpResponse<String> token(String clientId, String secret) throws Exception {
    return send(
        "POST",
        "/v1/oauth/tokens",
        null,
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(secret, StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> send(String method, String path, String token, String form)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (form != null) {
      request.header("Content-Type", "application/x-www-form-urlencoded");
      request.method(method, HttpRequest.BodyPublishers.ofString(form));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}

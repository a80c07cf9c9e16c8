package io.lagoa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.server.rest.TableConfig;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableCommit;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.view.View;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API through Iceberg's own REST client and raw HTTP, on a SQLite catalog. */
class TestRestCatalogApi {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()));

  private static TestingWarehouse warehouse;
  private static LagoaServer server;
  private static RESTCatalog client;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    LagoaConfig config =
        warehouse.config(
            Map.of(
                "LAGOA_SERVER_PORT",
                "0",
                "LAGOA_SERVER_HOST",
                "127.0.0.1",
                "LAGOA_SERVER_MAX_BODY_BYTES",
                "100000"));
    Catalog catalog = LagoaCatalogs.open(config);
    server =
        LagoaServer.start(
            config,
            new ServerComponents(
                catalog,
                new AllowAllGuard(),
                new TableConfig(Map.of()),
                io.lagoa.server.rest.Audit.NONE,
                Optional.empty(),
                List.of((AutoCloseable) catalog)));
    client = new RESTCatalog();
    client.initialize("rest", Map.of("uri", server.uri().toString()));
  }

  @AfterAll
  static void stop() throws IOException {
    client.close();
    server.close();
    warehouse.close();
  }

  @Test
  void namespacesTablesAndCommitsGoThroughTheServer() {
    Namespace namespace = Namespace.of("sales", "eu");
    client.createNamespace(Namespace.of("sales"));
    // Iceberg's builder asks containsKey(null), which Map.of refuses.
    client.createNamespace(namespace, new java.util.HashMap<>(Map.of("owner", "ana")));
    assertThat(client.listNamespaces(Namespace.of("sales"))).containsExactly(namespace);
    assertThat(client.loadNamespaceMetadata(namespace)).containsEntry("owner", "ana");

    TableIdentifier orders = TableIdentifier.of(namespace, "orders");
    Table table = client.createTable(orders, SCHEMA);
    table.updateProperties().set("owner", "rui").commit();
    table.updateSchema().addColumn("amount", Types.DoubleType.get()).commit();
    Table loaded = client.loadTable(orders);
    assertThat(loaded.properties()).containsEntry("owner", "rui");
    assertThat(loaded.schema().findField("amount")).isNotNull();
    assertThat(client.listTables(namespace)).containsExactly(orders);

    assertThatThrownBy(() -> client.createTable(orders, SCHEMA))
        .isInstanceOf(AlreadyExistsException.class);

    TableIdentifier renamed = TableIdentifier.of(namespace, "orders_v2");
    client.renameTable(orders, renamed);
    assertThat(client.tableExists(orders)).isFalse();
    assertThat(client.tableExists(renamed)).isTrue();
    assertThat(client.dropTable(renamed, true)).isTrue();
    assertThatThrownBy(() -> client.loadTable(renamed)).isInstanceOf(NoSuchTableException.class);
  }

  @Test
  void aStaleCommitGets409AndLandsOnRetry() {
    client.createNamespace(Namespace.of("stale"));
    TableIdentifier id = TableIdentifier.of("stale", "t");
    client.createTable(id, SCHEMA);
    Table first = client.loadTable(id);
    Table second = client.loadTable(id);
    first.updateProperties().set("a", "1").commit();
    // The second client's base is stale: Iceberg's client gets 409, refreshes and retries.
    second.updateProperties().set("b", "2").commit();
    assertThat(client.loadTable(id).properties()).containsEntry("a", "1").containsEntry("b", "2");
  }

  @Test
  void viewsAndMultiTableTransactions() {
    client.createNamespace(Namespace.of("v"));
    TableIdentifier viewId = TableIdentifier.of("v", "recent");
    View view =
        client
            .buildView(viewId)
            .withSchema(SCHEMA)
            .withDefaultNamespace(Namespace.of("v"))
            .withQuery("spark", "SELECT 1 AS id, 'a' AS name")
            .create();
    assertThat(client.listViews(Namespace.of("v"))).containsExactly(viewId);
    assertThat(client.loadView(viewId).sqlFor("spark").sql()).isEqualTo(view.sqlFor("spark").sql());
    client.dropView(viewId);
    assertThat(client.viewExists(viewId)).isFalse();
  }

  @Test
  void multiTableTransactionsLandWholeOrNotAtAll() {
    client.createNamespace(Namespace.of("tx"));
    TableIdentifier a = TableIdentifier.of("tx", "a");
    TableIdentifier b = TableIdentifier.of("tx", "b");
    client.createTable(a, SCHEMA);
    client.createTable(b, SCHEMA);

    TableMetadata baseA = metadata(a);
    TableMetadata baseB = metadata(b);
    client.commitTransaction(
        TableCommit.create(a, baseA, withProperty(baseA, "batch", "1")),
        TableCommit.create(b, baseB, withProperty(baseB, "batch", "1")));
    assertThat(client.loadTable(a).properties()).containsEntry("batch", "1");
    assertThat(client.loadTable(b).properties()).containsEntry("batch", "1");

    // b's schema moves on meanwhile: the transaction's requirement on b's schema fails, and a is
    // not changed either
    TableMetadata staleA = metadata(a);
    TableMetadata staleB = metadata(b);
    client.loadTable(b).updateSchema().addColumn("other", Types.StringType.get()).commit();
    assertThatThrownBy(
            () ->
                client.commitTransaction(
                    TableCommit.create(a, staleA, withColumn(staleA, "added")),
                    TableCommit.create(b, staleB, withColumn(staleB, "added"))))
        .isInstanceOf(CommitFailedException.class);
    assertThat(client.loadTable(a).schema().findField("added")).isNull();
    assertThat(client.loadTable(b).schema().findField("added")).isNull();
  }

  private static TableMetadata metadata(TableIdentifier table) {
    return ((HasTableOperations) client.loadTable(table)).operations().current();
  }

  private static TableMetadata withColumn(TableMetadata base, String name) {
    List<Types.NestedField> columns = new java.util.ArrayList<>(base.schema().columns());
    int id = base.lastColumnId() + 1;
    columns.add(Types.NestedField.optional(id, name, Types.StringType.get()));
    return TableMetadata.buildFrom(base).setCurrentSchema(new Schema(columns), id).build();
  }

  private static TableMetadata withProperty(TableMetadata base, String key, String value) {
    return TableMetadata.buildFrom(base).setProperties(Map.of(key, value)).build();
  }

  @Test
  void badInputGetsTheSpecsErrorResponse() throws Exception {
    client.createNamespace(Namespace.of("bad"));
    HttpResponse<String> malformed = post("/v1/namespaces", "{\"namespace\": [\"x\"");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body())
        .contains("\"type\":\"BadRequestException\"")
        .contains("malformed JSON")
        .doesNotContain("at com.")
        .doesNotContain("at org.");

    HttpResponse<String> unknown =
        post("/v1/namespaces", "{\"namespace\": [\"x\"], \"propertys\": {}}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown field 'propertys'");

    HttpResponse<String> missing = post("/v1/namespaces/bad/tables", "{\"name\": \"t\"}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("BadRequestException").contains("schema");

    HttpResponse<String> huge =
        post("/v1/namespaces", "{\"namespace\": [\"" + "x".repeat(200_000) + "\"]}");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(huge.body()).contains("server.max-body-bytes");

    HttpResponse<String> control = post("/v1/namespaces", "{\"namespace\": [\"a\\u0007b\"]}");
    assertThat(control.statusCode()).isEqualTo(400);
    assertThat(control.body()).contains("control characters");

    HttpResponse<String> noRoute = get("/v1/nothing/here");
    assertThat(noRoute.statusCode()).isEqualTo(404);
    assertThat(noRoute.body()).contains("no endpoint GET /v1/nothing/here");

    HttpResponse<String> noTable = get("/v1/namespaces/bad/tables/missing");
    assertThat(noTable.statusCode()).isEqualTo(404);
    assertThat(noTable.body()).contains("NoSuchTableException");
    assertThat(client.listNamespaces()).doesNotContain(Namespace.of("x"));
  }

  @Test
  void paginatesListings() throws Exception {
    client.createNamespace(Namespace.of("paged"));
    for (int i = 0; i < 5; i++) {
      client.createTable(TableIdentifier.of("paged", "t" + i), SCHEMA);
    }
    HttpResponse<String> page = get("/v1/namespaces/paged/tables?pageSize=2");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("next-page-token");
    assertThat(client.listTables(Namespace.of("paged"))).hasSize(5);
  }

  @Test
  void healthReadinessAndVersion() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").body()).contains("ready");
    assertThat(get("/version").body()).contains("\"iceberg\":\"1.12.0\"");
    assertThat(get("/v1/config").body()).contains("GET /v1/{prefix}/namespaces");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.uri() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.uri() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

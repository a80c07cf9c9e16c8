package io.lagoa.server.rest;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.lagoa.access.Principal;
import io.lagoa.access.Privilege;
import io.lagoa.access.Securable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.RESTCatalogProperties.SnapshotMode;
import org.apache.iceberg.rest.requests.CommitTransactionRequest;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.RegisterViewRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.ReportMetricsRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ListNamespacesResponse;
import org.apache.iceberg.rest.responses.ListTablesResponse;
import org.apache.iceberg.rest.responses.LoadTableResponse;

/**
 * The Iceberg REST Catalog API (open-api spec of Iceberg 1.12) over a catalog: each route parses
 * its path and body, asks the {@link Guard}, and hands the call to Iceberg's own {@link
 * CatalogHandlers}, so the semantics (requirements, updates, pagination) are Iceberg's.
 */
public final class RestCatalogApi {
  /** The default namespace separator of Iceberg's clients: %1F in paths and query strings. */
  private static final String SEPARATOR = "\u001f";

  private static final String V1 = "/v1";
  private static final String NAMESPACES = V1 + "/namespaces";
  private static final String NAMESPACE = NAMESPACES + "/{namespace}";
  private static final String TABLES = NAMESPACE + "/tables";
  private static final String TABLE = TABLES + "/{table}";
  private static final String VIEWS = NAMESPACE + "/views";
  private static final String VIEW = VIEWS + "/{view}";

  /** The endpoints advertised in /v1/config, as the spec's "METHOD path" strings. */
  static final List<Endpoint> ENDPOINTS =
      List.of(
          Endpoint.V1_LIST_NAMESPACES,
          Endpoint.V1_LOAD_NAMESPACE,
          Endpoint.V1_NAMESPACE_EXISTS,
          Endpoint.V1_CREATE_NAMESPACE,
          Endpoint.V1_UPDATE_NAMESPACE,
          Endpoint.V1_DELETE_NAMESPACE,
          Endpoint.V1_LIST_TABLES,
          Endpoint.V1_LOAD_TABLE,
          Endpoint.V1_TABLE_EXISTS,
          Endpoint.V1_CREATE_TABLE,
          Endpoint.V1_UPDATE_TABLE,
          Endpoint.V1_DELETE_TABLE,
          Endpoint.V1_RENAME_TABLE,
          Endpoint.V1_REGISTER_TABLE,
          Endpoint.V1_REPORT_METRICS,
          Endpoint.V1_COMMIT_TRANSACTION,
          Endpoint.V1_LIST_VIEWS,
          Endpoint.V1_LOAD_VIEW,
          Endpoint.V1_VIEW_EXISTS,
          Endpoint.V1_CREATE_VIEW,
          Endpoint.V1_UPDATE_VIEW,
          Endpoint.V1_DELETE_VIEW,
          Endpoint.V1_RENAME_VIEW,
          Endpoint.V1_REGISTER_VIEW);

  private final Catalog catalog;
  private final SupportsNamespaces namespaces;
  private final ViewCatalog views;
  private final Guard guard;
  private final RestJson json;
  private final TableConfig tableConfig;
  private final Audit audit;
  private final long maxBodyBytes;
  private final String warehouseLocation;

  public RestCatalogApi(
      Catalog catalog,
      Guard guard,
      RestJson json,
      TableConfig tableConfig,
      Audit audit,
      long maxBodyBytes,
      String warehouseLocation) {
    if (!(catalog instanceof SupportsNamespaces supportsNamespaces)
        || !(catalog instanceof ViewCatalog viewCatalog)) {
      throw new IllegalArgumentException(
          "Cannot serve " + catalog.name() + ": it must support namespaces and views");
    }
    this.catalog = catalog;
    this.namespaces = supportsNamespaces;
    this.views = viewCatalog;
    this.guard = guard;
    this.json = json;
    this.tableConfig = tableConfig;
    this.audit = audit;
    this.maxBodyBytes = maxBodyBytes;
    this.warehouseLocation = warehouseLocation;
  }

  public void register(Javalin app) {
    app.get(V1 + "/config", this::config);

    app.get(NAMESPACES, this::listNamespaces);
    app.post(NAMESPACES, this::createNamespace);
    app.get(NAMESPACE, this::loadNamespace);
    app.head(NAMESPACE, this::namespaceExists);
    app.delete(NAMESPACE, this::dropNamespace);
    app.post(NAMESPACE + "/properties", this::updateNamespace);

    app.get(TABLES, this::listTables);
    app.post(TABLES, this::createTable);
    app.get(TABLE, this::loadTable);
    app.head(TABLE, this::tableExists);
    app.post(TABLE, this::updateTable);
    app.delete(TABLE, this::dropTable);
    app.post(TABLE + "/metrics", this::reportMetrics);
    app.post(NAMESPACE + "/register", this::registerTable);
    app.post(V1 + "/tables/rename", this::renameTable);
    app.post(V1 + "/transactions/commit", this::commitTransaction);

    app.get(VIEWS, this::listViews);
    app.post(VIEWS, this::createView);
    app.get(VIEW, this::loadView);
    app.head(VIEW, this::viewExists);
    app.post(VIEW, this::updateView);
    app.delete(VIEW, this::dropView);
    app.post(V1 + "/views/rename", this::renameView);
    app.post(NAMESPACE + "/register-view", this::registerView);
  }

  // ---- config ----

  private void config(Context ctx) {
    guard.authenticate(ctx);
    String warehouse = ctx.queryParam("warehouse");
    if (warehouse != null
        && !warehouse.isBlank()
        && !warehouse.equals(catalog.name())
        && !sameLocation(warehouse, warehouseLocation)) {
      throw new BadRequestException(
          "Cannot serve warehouse '%s': this server serves the catalog '%s' on the warehouse %s"
              + " (leave warehouse unset, or use that name or location)",
          warehouse, catalog.name(), warehouseLocation);
    }
    respond(ctx, ConfigResponse.builder().withEndpoints(ENDPOINTS).build());
  }

  /** Two spellings of one place: file:/a, file:///a/ and /a are the same folder. */
  static boolean sameLocation(String a, String b) {
    return normalizeLocation(a).equals(normalizeLocation(b));
  }

  private static String normalizeLocation(String location) {
    String text = location.strip().replaceAll("/+$", "");
    if (text.startsWith("file:")) {
      text = text.substring("file:".length()).replaceFirst("^/+", "/");
    }
    return text;
  }

  // ---- namespaces ----

  private void listNamespaces(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    String parentText = ctx.queryParam("parent");
    Namespace parent =
        parentText == null || parentText.isEmpty()
            ? Namespace.empty()
            : Namespace.of(parentText.split(SEPARATOR, -1));
    if (!parent.isEmpty()) {
      requireVisible(principal, namespaceSecurable(parent));
    }
    String pageSize = pageSize(ctx);
    ListNamespacesResponse all =
        pageSize == null
            ? CatalogHandlers.listNamespaces(namespaces, parent)
            : CatalogHandlers.listNamespaces(
                namespaces, parent, ctx.queryParam("pageToken"), pageSize);
    List<Namespace> visible =
        all.namespaces().stream()
            .filter(namespace -> guard.canSee(principal, namespaceSecurable(namespace)))
            .toList();
    respond(
        ctx,
        ListNamespacesResponse.builder()
            .addAll(visible)
            .nextPageToken(all.nextPageToken())
            .build());
  }

  private void createNamespace(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    CreateNamespaceRequest request = body(ctx, CreateNamespaceRequest.class);
    Namespace namespace = request.namespace();
    if (namespace == null || namespace.isEmpty()) {
      throw new BadRequestException(
          "Cannot create a namespace without a name: 'namespace' is %s",
          namespace == null ? "missing" : "empty");
    }
    checkLevels(namespace);
    audit.note(ctx, principal, "createNamespace", namespace.toString());
    guard.require(principal, Privilege.CREATE, parentSecurable(namespace));
    respond(ctx, CatalogHandlers.createNamespace(namespaces, request));
  }

  private void loadNamespace(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    requireVisible(principal, namespaceSecurable(namespace));
    respond(ctx, CatalogHandlers.loadNamespace(namespaces, namespace));
  }

  private void namespaceExists(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    requireVisible(principal, namespaceSecurable(namespace));
    CatalogHandlers.namespaceExists(namespaces, namespace);
    ctx.status(204);
  }

  private void dropNamespace(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    audit.note(ctx, principal, "dropNamespace", namespace.toString());
    guard.require(principal, Privilege.DROP, namespaceSecurable(namespace));
    CatalogHandlers.dropNamespace(namespaces, namespace);
    ctx.status(204);
  }

  private void updateNamespace(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    UpdateNamespacePropertiesRequest request = body(ctx, UpdateNamespacePropertiesRequest.class);
    audit.note(ctx, principal, "updateNamespaceProperties", namespace.toString());
    guard.require(principal, Privilege.WRITE, namespaceSecurable(namespace));
    respond(ctx, CatalogHandlers.updateNamespaceProperties(namespaces, namespace, request));
  }

  // ---- tables ----

  private void listTables(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    requireVisible(principal, namespaceSecurable(namespace));
    String pageSize = pageSize(ctx);
    ListTablesResponse all =
        pageSize == null
            ? CatalogHandlers.listTables(catalog, namespace)
            : CatalogHandlers.listTables(catalog, namespace, ctx.queryParam("pageToken"), pageSize);
    respond(ctx, visibleOnly(principal, all));
  }

  private void createTable(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    CreateTableRequest request = body(ctx, CreateTableRequest.class);
    validate(request::validate);
    checkName(request.name(), "table");
    audit.note(
        ctx,
        principal,
        request.stageCreate() ? "stageCreateTable" : "createTable",
        TableIdentifier.of(namespace, request.name()).toString());
    guard.require(principal, Privilege.CREATE, namespaceSecurable(namespace));
    LoadTableResponse response =
        request.stageCreate()
            ? CatalogHandlers.stageTableCreate(catalog, namespace, request)
            : CatalogHandlers.createTable(catalog, namespace, request);
    respond(ctx, tableConfig.withConfig(response));
  }

  private void loadTable(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier table = table(ctx, "table");
    guard.require(principal, Privilege.READ, tableSecurable(table));
    LoadTableResponse response = CatalogHandlers.loadTable(catalog, table, snapshotMode(ctx));
    respond(ctx, tableConfig.withConfig(response));
  }

  private void tableExists(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier table = table(ctx, "table");
    requireVisible(principal, tableSecurable(table));
    CatalogHandlers.tableExists(catalog, table);
    ctx.status(204);
  }

  private void updateTable(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier table = table(ctx, "table");
    UpdateTableRequest request = body(ctx, UpdateTableRequest.class);
    audit.note(ctx, principal, "updateTable", table.toString());
    // A commit that creates the table (a staged create) needs CREATE on its namespace.
    if (isCreate(request)) {
      guard.require(principal, Privilege.CREATE, namespaceSecurable(table.namespace()));
    } else {
      guard.require(principal, Privilege.WRITE, tableSecurable(table));
    }
    respond(ctx, tableConfig.withConfig(CatalogHandlers.updateTable(catalog, table, request)));
  }

  private void dropTable(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier table = table(ctx, "table");
    boolean purge = Boolean.parseBoolean(ctx.queryParam("purgeRequested"));
    audit.note(ctx, principal, purge ? "purgeTable" : "dropTable", table.toString());
    guard.require(principal, Privilege.DROP, tableSecurable(table));
    if (purge) {
      CatalogHandlers.purgeTable(catalog, table);
    } else {
      CatalogHandlers.dropTable(catalog, table);
    }
    ctx.status(204);
  }

  private void reportMetrics(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier table = table(ctx, "table");
    body(ctx, ReportMetricsRequest.class);
    requireVisible(principal, tableSecurable(table));
    ctx.status(204);
  }

  private void registerTable(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    RegisterTableRequest request = body(ctx, RegisterTableRequest.class);
    validate(request::validate);
    checkName(request.name(), "table");
    audit.note(
        ctx, principal, "registerTable", TableIdentifier.of(namespace, request.name()).toString());
    guard.require(principal, Privilege.CREATE, namespaceSecurable(namespace));
    respond(
        ctx, tableConfig.withConfig(CatalogHandlers.registerTable(catalog, namespace, request)));
  }

  private void renameTable(Context ctx) {
    CatalogHandlers.renameTable(catalog, authorizedRename(ctx, "table", "renameTable"));
    ctx.status(204);
  }

  private void commitTransaction(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    CommitTransactionRequest request = body(ctx, CommitTransactionRequest.class);
    validate(request::validate);
    List<String> tables = new ArrayList<>();
    for (UpdateTableRequest change : request.tableChanges()) {
      tables.add(String.valueOf(change.identifier()));
    }
    audit.note(ctx, principal, "commitTransaction", String.join(", ", tables));
    for (UpdateTableRequest change : request.tableChanges()) {
      if (change.identifier() == null) {
        throw new BadRequestException(
            "Cannot commit a transaction: a table change has no identifier");
      }
      guard.require(principal, Privilege.WRITE, tableSecurable(change.identifier()));
    }
    new TransactionCommit(catalog).commit(request);
    ctx.status(204);
  }

  // ---- views ----

  private void listViews(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    requireVisible(principal, namespaceSecurable(namespace));
    String pageSize = pageSize(ctx);
    ListTablesResponse all =
        pageSize == null
            ? CatalogHandlers.listViews(views, namespace)
            : CatalogHandlers.listViews(views, namespace, ctx.queryParam("pageToken"), pageSize);
    respond(ctx, visibleOnly(principal, all));
  }

  private void createView(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    CreateViewRequest request = body(ctx, CreateViewRequest.class);
    validate(request::validate);
    checkName(request.name(), "view");
    audit.note(
        ctx, principal, "createView", TableIdentifier.of(namespace, request.name()).toString());
    guard.require(principal, Privilege.CREATE, namespaceSecurable(namespace));
    respond(ctx, CatalogHandlers.createView(views, namespace, request));
  }

  private void loadView(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier view = table(ctx, "view");
    guard.require(principal, Privilege.READ, tableSecurable(view));
    respond(ctx, CatalogHandlers.loadView(views, view));
  }

  private void viewExists(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier view = table(ctx, "view");
    requireVisible(principal, tableSecurable(view));
    CatalogHandlers.viewExists(views, view);
    ctx.status(204);
  }

  private void updateView(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier view = table(ctx, "view");
    UpdateTableRequest request = body(ctx, UpdateTableRequest.class);
    audit.note(ctx, principal, "updateView", view.toString());
    guard.require(principal, Privilege.WRITE, tableSecurable(view));
    respond(ctx, CatalogHandlers.updateView(views, view, request));
  }

  private void dropView(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    TableIdentifier view = table(ctx, "view");
    audit.note(ctx, principal, "dropView", view.toString());
    guard.require(principal, Privilege.DROP, tableSecurable(view));
    CatalogHandlers.dropView(views, view);
    ctx.status(204);
  }

  private void renameView(Context ctx) {
    CatalogHandlers.renameView(views, authorizedRename(ctx, "view", "renameView"));
    ctx.status(204);
  }

  private void registerView(Context ctx) {
    Principal principal = guard.authenticate(ctx);
    Namespace namespace = namespace(ctx);
    RegisterViewRequest request = body(ctx, RegisterViewRequest.class);
    validate(request::validate);
    checkName(request.name(), "view");
    audit.note(
        ctx, principal, "registerView", TableIdentifier.of(namespace, request.name()).toString());
    guard.require(principal, Privilege.CREATE, namespaceSecurable(namespace));
    respond(ctx, CatalogHandlers.registerView(views, namespace, request));
  }

  // ---- helpers ----

  /**
   * The rename request of a table or view, noted in the audit as {@code action}, once allowed: it
   * needs DROP on the source and CREATE in the destination's namespace.
   */
  private RenameTableRequest authorizedRename(Context ctx, String kind, String action) {
    Principal principal = guard.authenticate(ctx);
    RenameTableRequest request = body(ctx, RenameTableRequest.class);
    validate(request::validate);
    checkName(request.destination().name(), kind);
    audit.note(ctx, principal, action, request.source() + " -> " + request.destination());
    guard.require(principal, Privilege.DROP, tableSecurable(request.source()));
    guard.require(
        principal, Privilege.CREATE, namespaceSecurable(request.destination().namespace()));
    return request;
  }

  private void respond(Context ctx, Object body) {
    ctx.contentType("application/json");
    ctx.result(json.write(body));
  }

  private <T> T body(Context ctx, Class<T> type) {
    return json.read(new BoundedInputStream(ctx.bodyInputStream(), maxBodyBytes), type);
  }

  /**
   * Runs a request's own checks; Iceberg words a missing field "Invalid schema: null", which is
   * said here as what it is.
   */
  private static void validate(Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException | NullPointerException e) {
      String message = String.valueOf(e.getMessage());
      java.util.regex.Matcher missing =
          java.util.regex.Pattern.compile("^Invalid ([\\w ]+): null$").matcher(message);
      throw new BadRequestBodyException(
          missing.matches()
              ? "invalid request body: the required field '"
                  + missing.group(1).replace(' ', '-')
                  + "' is missing"
              : "invalid request body: " + message);
    }
  }

  private ListTablesResponse visibleOnly(Principal principal, ListTablesResponse all) {
    List<TableIdentifier> visible =
        all.identifiers().stream()
            .filter(identifier -> guard.canSee(principal, tableSecurable(identifier)))
            .toList();
    return ListTablesResponse.builder().addAll(visible).nextPageToken(all.nextPageToken()).build();
  }

  /** Someone who may not see an object gets 403 whether or not it exists: nothing leaks. */
  private void requireVisible(Principal principal, Securable securable) {
    if (!guard.canSee(principal, securable)) {
      guard.require(principal, Privilege.READ, securable);
    }
  }

  private static String pageSize(Context ctx) {
    String size = ctx.queryParam("pageSize");
    if (size == null) {
      return null;
    }
    try {
      if (Integer.parseInt(size) > 0) {
        return size;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw new BadRequestException("Invalid pageSize '%s': expected a positive integer", size);
  }

  private static SnapshotMode snapshotMode(Context ctx) {
    String mode = ctx.queryParam(RESTCatalogProperties.SNAPSHOTS_QUERY_PARAMETER);
    if (mode == null) {
      return SnapshotMode.ALL;
    }
    try {
      return SnapshotMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("Invalid snapshots '%s': expected all or refs", mode);
    }
  }

  private static Namespace namespace(Context ctx) {
    String text = ctx.pathParam("namespace");
    Namespace namespace = Namespace.of(text.split(SEPARATOR, -1));
    checkLevels(namespace);
    return namespace;
  }

  private static TableIdentifier table(Context ctx, String parameter) {
    String name = ctx.pathParam(parameter);
    checkName(name, parameter);
    return TableIdentifier.of(namespace(ctx), name);
  }

  private static void checkLevels(Namespace namespace) {
    for (String level : namespace.levels()) {
      checkName(level, "namespace level");
    }
  }

  /** Names must be non-blank and free of control characters (they end up in paths and SQL). */
  private static void checkName(String name, String what) {
    if (name == null || name.isBlank()) {
      throw new BadRequestException("Invalid %s name: it is empty", what);
    }
    if (name.length() > 255) {
      throw new BadRequestException(
          "Invalid %s name '%s...': longer than 255 characters", what, name.substring(0, 40));
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new BadRequestException(
          "Invalid %s name '%s': it contains control characters",
          what, name.replaceAll("\\p{Cntrl}", "?"));
    }
  }

  private static boolean isCreate(UpdateTableRequest request) {
    return request.requirements().stream()
        .anyMatch(
            requirement ->
                requirement
                    instanceof org.apache.iceberg.UpdateRequirement.AssertTableDoesNotExist);
  }

  /** The namespace, or the catalog for the empty namespace (the root of listings). */
  static Securable namespaceSecurable(Namespace namespace) {
    return namespace.isEmpty()
        ? Securable.catalog()
        : Securable.namespace(Arrays.asList(namespace.levels()));
  }

  private static Securable parentSecurable(Namespace namespace) {
    String[] levels = namespace.levels();
    return namespaceSecurable(Namespace.of(Arrays.copyOf(levels, levels.length - 1)));
  }

  static Securable tableSecurable(TableIdentifier table) {
    return Securable.table(Arrays.asList(table.namespace().levels()), table.name());
  }
}

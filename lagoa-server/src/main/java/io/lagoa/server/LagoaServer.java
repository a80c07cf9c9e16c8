package io.lagoa.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.lagoa.access.ClientCredentials;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.ServerConfig;
import io.lagoa.server.rest.HttpStatusException;
import io.lagoa.server.rest.PayloadTooLargeException;
import io.lagoa.server.rest.RestCatalogApi;
import io.lagoa.server.rest.RestErrors;
import io.lagoa.server.rest.RestJson;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.ServiceUnavailableException;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.util.ThreadPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lagoa server}: one port serving the Iceberg REST catalog under {@code /v1} over the
 * configured catalog, health at {@code /healthz} and {@code /readyz}, and {@code /version}. Closing
 * it drains: new requests get 503, requests in flight get the configured grace to finish.
 */
public final class LagoaServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LagoaServer.class);
  static final String REQUEST_ID = "lagoa.request-id";

  /** Set once an error response is written, so Javalin's own status pages leave it alone. */
  private static final String ERROR_WRITTEN = "lagoa.error-written";

  private final ServerConfig config;
  private final Javalin app;
  private final List<AutoCloseable> resources;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private final Catalog catalog;

  private LagoaServer(
      ServerConfig config, Javalin app, Catalog catalog, List<AutoCloseable> resources) {
    this.config = config;
    this.app = app;
    this.catalog = catalog;
    this.resources = resources;
  }

  /** Starts a server for a configuration, with the access control its catalog database holds. */
  public static LagoaServer start(LagoaConfig config) {
    return start(config, ServerComponents.open(config));
  }

  /** Starts a server on already opened components (tests use this for other guards). */
  public static LagoaServer start(LagoaConfig config, ServerComponents components) {
    // Iceberg's worker pool registers a JVM shutdown hook when first used; first used during a
    // shutdown (the audit trail's last publish on SIGTERM) it fails. Start it now.
    ThreadPools.getWorkerPool();
    ServerConfig server = config.server();
    RestJson json = new RestJson();
    List<AutoCloseable> resources = new ArrayList<>(components.resources());
    Catalog catalog = components.catalog();
    RestCatalogApi api =
        new RestCatalogApi(
            catalog,
            components.guard(),
            json,
            components.tableConfig(),
            components.audit(),
            server.maxBodyBytes(),
            config.warehouse());
    Javalin app = Javalin.create(javalin -> configure(javalin, server));
    LagoaServer lagoa = new LagoaServer(server, app, catalog, resources);
    lagoa.routes(app, api, json, components);
    try {
      app.start(server.host(), server.port());
    } catch (RuntimeException e) {
      lagoa.closeResources();
      throw new ServerStartException(
          "cannot listen on "
              + server.host()
              + ":"
              + server.port()
              + ": "
              + io.lagoa.error.LagoaException.rootMessage(e),
          e);
    }
    LOG.info("Lagoa server listening on {}", lagoa.uri());
    return lagoa;
  }

  private static void configure(io.javalin.config.JavalinConfig javalin, ServerConfig server) {
    javalin.showJavalinBanner = false;
    javalin.http.maxRequestSize = server.maxBodyBytes();
    javalin.http.prefer405over404 = true;
    javalin.http.defaultContentType = "application/json";
    javalin.router.treatMultipleSlashesAsSingleSlash = false;
    server.tls().ifPresent(tls -> Tls.configure(javalin, server, tls));
  }

  private void routes(Javalin app, RestCatalogApi api, RestJson json, ServerComponents components) {
    app.before(
        ctx -> {
          ctx.attribute(REQUEST_ID, UUID.randomUUID().toString());
          ctx.header("X-Request-Id", ctx.<String>attribute(REQUEST_ID));
          inFlight.incrementAndGet();
          ctx.attribute("lagoa.counted", Boolean.TRUE);
          if (draining && !ctx.path().equals("/healthz")) {
            throw new ServiceUnavailableException("the server is shutting down; retry on another");
          }
          checkBodySize(ctx);
        });
    app.after(
        ctx -> {
          finish(ctx);
          components.audit().complete(ctx);
        });
    app.get("/healthz", ctx -> ctx.result(json.write(Map.of("status", "ok"))));
    app.get("/readyz", this::ready);
    app.get("/version", ctx -> ctx.result(json.write(Versions.describe())));
    components.tokenEndpoint().ifPresent(endpoint -> endpoint.register(app, json));
    api.register(app);
    app.exception(
        Exception.class,
        (error, ctx) -> {
          String requestId = ctx.attribute(REQUEST_ID);
          ErrorResponse response = RestErrors.response(error, requestId);
          components.audit().failed(ctx, response.message());
          if (response.code() == 500) {
            LOG.error("Request {} {} {} failed", requestId, ctx.method(), ctx.path(), error);
          }
          writeError(ctx, json, response);
        });
    statusPage(
        app,
        json,
        404,
        ctx ->
            new HttpStatusException(
                404,
                "NoSuchEndpointException",
                "no endpoint " + ctx.method() + " " + ctx.path() + " (see /v1/config)"));
    statusPage(
        app,
        json,
        405,
        ctx ->
            new HttpStatusException(
                405,
                "MethodNotAllowedException",
                ctx.method() + " is not allowed on " + ctx.path()));
    statusPage(app, json, 413, ctx -> new PayloadTooLargeException(config.maxBodyBytes()));
  }

  /**
   * The spec's error response for a status Javalin answers by itself (no route, wrong method, a
   * body it refused to read), unless a handler already wrote one.
   */
  private static void statusPage(
      Javalin app, RestJson json, int status, Function<Context, HttpStatusException> error) {
    app.error(
        status,
        ctx -> {
          if (ctx.attribute(ERROR_WRITTEN) == null) {
            writeError(ctx, json, RestErrors.response(error.apply(ctx), ctx.attribute(REQUEST_ID)));
          }
        });
  }

  private void finish(Context ctx) {
    if (ctx.attribute("lagoa.counted") != null) {
      inFlight.decrementAndGet();
      ctx.attribute("lagoa.counted", null);
    }
  }

  private static void writeError(Context ctx, RestJson json, ErrorResponse response) {
    ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
    ctx.status(response.code());
    ctx.contentType("application/json");
    if (ctx.method() != HandlerType.HEAD) {
      ctx.result(json.write(response));
    }
  }

  /** A body over the limit is refused before it is read, whether or not it declares its size. */
  private void checkBodySize(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > config.maxBodyBytes()) {
      throw new PayloadTooLargeException(config.maxBodyBytes());
    }
  }

  private void ready(Context ctx) {
    if (draining) {
      ctx.status(503).result("{\"status\":\"draining\"}").contentType("application/json");
      return;
    }
    try {
      if (catalog instanceof SupportsNamespaces namespaces) {
        namespaces.namespaceExists(Namespace.of("lagoa_system"));
      }
      ctx.result("{\"status\":\"ready\"}").contentType("application/json");
    } catch (RuntimeException e) {
      ctx.status(503)
          .contentType("application/json")
          .result("{\"status\":\"catalog unreachable\"}");
      LOG.warn("Not ready: the catalog does not answer: {}", e.getMessage());
    }
  }

  public int port() {
    return app.port();
  }

  public URI uri() {
    String scheme = config.tls().isPresent() ? "https" : "http";
    String host =
        config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
    return URI.create(scheme + "://" + host + ":" + port());
  }

  /**
   * What an Iceberg REST client needs to use this server as a principal: its URI, and the client
   * credentials for the server's token endpoint.
   */
  public Map<String, String> clientProperties(ClientCredentials credentials) {
    return Map.of(
        "uri",
        uri().toString(),
        "rest.auth.type",
        "oauth2",
        "credential",
        credentials.credential().value(),
        "oauth2-server-uri",
        uri().resolve(OAuthTokenEndpoint.PATH).toString());
  }

  /** Drains, then stops: requests in flight get up to the configured grace to finish. */
  @Override
  public void close() {
    draining = true;
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(20));
    }
    if (inFlight.get() > 0) {
      LOG.warn("Stopping with {} requests still in flight after the grace", inFlight.get());
    }
    app.stop();
    closeResources();
    LOG.info("Lagoa server stopped");
  }

  private void closeResources() {
    for (AutoCloseable resource : reversed(resources)) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("Cannot close {}: {}", resource, e.getMessage());
      }
    }
  }

  private static List<AutoCloseable> reversed(List<AutoCloseable> list) {
    List<AutoCloseable> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private static void sleep(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

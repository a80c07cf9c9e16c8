package io.lagoa.server;

import io.javalin.Javalin;
import io.lagoa.server.rest.RestJson;

/** The OAuth2 token endpoint, {@code POST /v1/oauth/tokens}, when the server issues tokens. */
public interface TokenEndpoint {
  void register(Javalin app, RestJson json);
}

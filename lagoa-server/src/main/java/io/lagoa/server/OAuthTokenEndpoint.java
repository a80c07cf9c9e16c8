package io.lagoa.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.lagoa.access.AccessControl;
import io.lagoa.access.AuthenticationException;
import io.lagoa.access.IssuedToken;
import io.lagoa.access.Principal;
import io.lagoa.server.rest.RestJson;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.rest.responses.OAuthTokenResponse;

/**
 * {@code POST /v1/oauth/tokens}: OAuth2 client credentials (RFC 6749 4.4) in the form body or as
 * HTTP Basic, and token exchange (RFC 8693) of a still valid token for a fresh one, which Iceberg's
 * clients use to refresh before expiry. Errors use OAuth2's own shape, {@code {"error",
 * "error_description"}}, as Iceberg's clients expect from this endpoint.
 */
final class OAuthTokenEndpoint implements TokenEndpoint {
  static final String PATH = "/v1/oauth/tokens";
  private static final String CLIENT_CREDENTIALS = "client_credentials";
  private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

  private static final RestJson JSON = new RestJson();

  private final AccessControl access;
  private final Duration lifetime;
  private final RequestAudit audit;

  OAuthTokenEndpoint(AccessControl access, Duration lifetime, RequestAudit audit) {
    this.access = access;
    this.lifetime = lifetime;
    this.audit = audit;
  }

  @Override
  public void register(Javalin app, RestJson json) {
    app.post(PATH, ctx -> token(ctx, json));
  }

  private void token(Context ctx, RestJson json) {
    Map<String, String> form = form(ctx);
    String grantType = form.getOrDefault("grant_type", "");
    Principal principal;
    try {
      switch (grantType) {
        case CLIENT_CREDENTIALS -> {
          String[] basic = basicCredentials(ctx);
          String clientId = basic != null ? basic[0] : form.get("client_id");
          String secret = basic != null ? basic[1] : form.get("client_secret");
          audit.noteToken(ctx, clientId);
          principal = access.authenticate(clientId, secret);
        }
        case TOKEN_EXCHANGE -> {
          audit.noteToken(ctx, null);
          principal = access.verify(form.get("subject_token"));
        }
        case "" -> {
          oauthError(ctx, 400, "invalid_request", "the form field grant_type is missing");
          return;
        }
        default -> {
          oauthError(
              ctx,
              400,
              "unsupported_grant_type",
              "grant_type '"
                  + grantType
                  + "' is not supported; use client_credentials (or token exchange to refresh)");
          return;
        }
      }
    } catch (AuthenticationException e) {
      ctx.attribute(RequestAudit.DETAIL, e.getMessage());
      oauthError(ctx, 401, "invalid_client", e.getMessage());
      return;
    }
    ctx.attribute(RequestAudit.PRINCIPAL, principal);
    IssuedToken token = access.issueToken(principal, lifetime);
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("application/json");
    ctx.result(
        json.write(
            OAuthTokenResponse.builder()
                .withToken(token.token())
                .withTokenType("bearer")
                .withIssuedTokenType(ACCESS_TOKEN_TYPE)
                .setExpirationInSeconds((int) token.lifetime().toSeconds())
                .build()));
  }

  private static void oauthError(Context ctx, int status, String error, String description) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("error_description", description);
    ctx.status(status).contentType("application/json").result(JSON.write(body));
  }

  private static String[] basicCredentials(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return null;
      }
      return new String[] {
        URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
      };
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The form body; a JSON or empty body yields no fields, and the grant type check says so. */
  private static Map<String, String> form(Context ctx) {
    Map<String, String> form = new LinkedHashMap<>();
    String contentType = ctx.contentType();
    if (contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")) {
      return form;
    }
    for (String pair : ctx.body().split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      form.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return form;
  }
}

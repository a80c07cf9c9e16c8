package io.lagoa.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingTrino.Column;
import io.lagoa.testing.TestingTrino.QueryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Trino's client protocol over HTTP, as its CLI and JDBC driver speak it: POST the statement to
 * {@code /v1/statement}, then GET each {@code nextUri} until there is none, collecting columns,
 * rows and the error. Hand-written on java.net.http and Jackson so that no Trino jar reaches the
 * test class path (trino-jdbc would bring its own shaded Jackson, OkHttp and Guava for what is a
 * loop).
 */
final class TrinoClient {
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI server;
  private final String user;

  TrinoClient(URI server, String user) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.server = server;
    this.user = user;
  }

  QueryResult execute(String sql) {
    HttpRequest first =
        request(server.resolve("/v1/statement"))
            .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
            .build();
    JsonNode response = send(first, sql);
    List<Column> columns = null;
    List<List<Object>> rows = new ArrayList<>();
    long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
    while (true) {
      if (columns == null && response.hasNonNull("columns")) {
        columns = columns(response.get("columns"));
      }
      if (response.hasNonNull("data")) {
        for (JsonNode row : response.get("data")) {
          rows.add(row(row, columns, sql));
        }
      }
      if (response.hasNonNull("error")) {
        throw error(sql, response);
      }
      JsonNode next = response.get("nextUri");
      if (next == null || next.isNull()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        cancel(URI.create(next.asText()));
        throw new IllegalStateException(
            "Trino did not finish within " + QUERY_TIMEOUT + " (cancelled): " + sql);
      }
      response = send(request(URI.create(next.asText())).GET().build(), sql);
    }
    String updateType = text(response, "updateType");
    Long updateCount =
        response.hasNonNull("updateCount") ? response.get("updateCount").asLong() : null;
    return new QueryResult(
        columns == null ? List.of() : columns,
        Collections.unmodifiableList(rows),
        updateType,
        updateCount);
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("X-Trino-User", user)
        .header("X-Trino-Source", "lagoa-testing")
        .header("Content-Type", "text/plain; charset=utf-8");
  }

  /** Sends, retrying what the protocol says to retry (429, 502, 503, 504) a few times. */
  private JsonNode send(HttpRequest request, String sql) {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot reach Trino at " + request.uri() + " for: " + sql, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Trino ran: " + sql, e);
      }
      int status = response.statusCode();
      if (status == 200) {
        try {
          return JSON.readTree(response.body());
        } catch (IOException e) {
          throw new UncheckedIOException("Trino answered with no JSON: " + response.body(), e);
        }
      }
      boolean retry = status == 429 || status == 502 || status == 503 || status == 504;
      if (!retry || attempt >= 20) {
        throw new IllegalStateException(
            "Trino answered HTTP "
                + status
                + " to "
                + request.method()
                + " "
                + request.uri()
                + ": "
                + response.body()
                + "\n  for: "
                + sql);
      }
      try {
        Thread.sleep(100L * (attempt + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Trino ran: " + sql, e);
      }
    }
  }

  private void cancel(URI next) {
    try {
      http.send(request(next).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the server is gone or the query ended: nothing to cancel
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Column> columns(JsonNode columns) {
    List<Column> result = new ArrayList<>();
    for (JsonNode column : columns) {
      JsonNode signature = column.get("typeSignature");
      String rawType =
          signature != null && signature.hasNonNull("rawType")
              ? signature.get("rawType").asText()
              : column.get("type").asText();
      result.add(new Column(column.get("name").asText(), column.get("type").asText(), rawType));
    }
    return List.copyOf(result);
  }

  private static List<Object> row(JsonNode row, List<Column> columns, String sql) {
    if (columns == null || columns.size() != row.size()) {
      throw new IllegalStateException("Trino sent a row that does not match its columns: " + sql);
    }
    List<Object> values = new ArrayList<>(row.size());
    Iterator<Column> column = columns.iterator();
    for (JsonNode value : row) {
      values.add(value(value, column.next().rawType()));
    }
    return Collections.unmodifiableList(values);
  }

  /**
   * A value as Java: tinyint to bigint as Byte, Short, Integer, Long; real and double as Float and
   * Double (NaN and infinities too); decimal as BigDecimal; boolean; everything else as Trino sends
   * it (varchar, date, timestamp and the like as their text, arrays as lists, maps as maps).
   */
  private static Object value(JsonNode value, String rawType) {
    if (value == null || value.isNull()) {
      return null;
    }
    return switch (rawType) {
      case "tinyint" -> (byte) value.asInt();
      case "smallint" -> (short) value.asInt();
      case "integer" -> value.asInt();
      case "bigint" -> value.asLong();
      case "real" -> value.isNumber() ? value.floatValue() : Float.parseFloat(value.asText());
      case "double" -> value.isNumber() ? value.doubleValue() : Double.parseDouble(value.asText());
      case "decimal" -> new BigDecimal(value.asText());
      case "boolean" -> value.asBoolean();
      default -> JSON.convertValue(value, Object.class);
    };
  }

  private static TrinoQueryException error(String sql, JsonNode response) {
    JsonNode error = response.get("error");
    String errorType = text(error, "errorType");
    String stack = null;
    if (!"USER_ERROR".equals(errorType) && error.hasNonNull("failureInfo")) {
      StringBuilder lines = new StringBuilder();
      for (JsonNode cause = error.get("failureInfo");
          cause != null && !cause.isNull();
          cause = cause.get("cause")) {
        lines
            .append("    ")
            .append(text(cause, "type"))
            .append(": ")
            .append(text(cause, "message"))
            .append('\n');
        int shown = 0;
        for (JsonNode frame : cause.path("stack")) {
          if (shown++ == 8) {
            lines.append("      ...\n");
            break;
          }
          lines.append("      at ").append(frame.asText()).append('\n');
        }
      }
      stack = lines.toString();
    }
    return new TrinoQueryException(
        sql,
        text(response, "id"),
        text(error, "message"),
        text(error, "errorName"),
        errorType,
        error.path("errorCode").asInt(),
        stack);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}

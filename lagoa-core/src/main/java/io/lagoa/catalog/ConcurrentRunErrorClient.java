package io.lagoa.catalog;

import io.lagoa.pipeline.ConcurrentRunException;
import java.io.IOException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.rest.ErrorHandler;
import org.apache.iceberg.rest.ParserContext;
import org.apache.iceberg.rest.RESTClient;
import org.apache.iceberg.rest.RESTRequest;
import org.apache.iceberg.rest.RESTResponse;
import org.apache.iceberg.rest.auth.AuthSession;
import org.apache.iceberg.rest.responses.ErrorResponse;

/**
 * A REST client that turns the server's refusal of a pipeline batch (error type {@link
 * ConcurrentRunException#REST_ERROR_TYPE}) back into a {@link ConcurrentRunException}; every other
 * response, and every error, goes to Iceberg's own handlers unchanged.
 *
 * <p>Why a type and not a status: Iceberg's client retries a commit answered with 409 (up to the
 * table's 20 retries, backing off to a minute between them) and would re-send the same refused
 * batch each time; the server answers 400, which no client retries, and Iceberg's handler would
 * make that a {@code BadRequestException("Malformed request: ...")} that no longer says what
 * happened. The error type is the one part of the response made for this.
 */
final class ConcurrentRunErrorClient implements RESTClient {
  private final RESTClient delegate;

  ConcurrentRunErrorClient(RESTClient delegate) {
    this.delegate = delegate;
  }

  /** Iceberg's handler, which sees every error but a concurrent run's. */
  static Consumer<ErrorResponse> translating(Consumer<ErrorResponse> handler) {
    return new ErrorHandler() {
      @Override
      public ErrorResponse parseResponse(int code, String json) {
        if (handler instanceof ErrorHandler parser) {
          return parser.parseResponse(code, json);
        }
        // what Iceberg's HTTP client does for a handler that cannot parse
        return ErrorResponse.builder().responseCode(code).withMessage(json).build();
      }

      @Override
      public void accept(ErrorResponse error) {
        if (error != null
            && ConcurrentRunException.REST_ERROR_TYPE.equals(error.type())
            && error.message() != null) {
          throw ConcurrentRunException.refusedByServer(error.message());
        }
        handler.accept(error);
      }
    };
  }

  @Override
  public void head(String path, Map<String, String> headers, Consumer<ErrorResponse> errors) {
    delegate.head(path, headers, translating(errors));
  }

  @Override
  public <T extends RESTResponse> T delete(
      String path,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors) {
    return delegate.delete(path, responseType, headers, translating(errors));
  }

  @Override
  public <T extends RESTResponse> T delete(
      String path,
      Map<String, String> queryParams,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors) {
    return delegate.delete(path, queryParams, responseType, headers, translating(errors));
  }

  @Override
  public <T extends RESTResponse> T get(
      String path,
      Map<String, String> queryParams,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors) {
    return delegate.get(path, queryParams, responseType, headers, translating(errors));
  }

  @Override
  public <T extends RESTResponse> T get(
      String path,
      Map<String, String> queryParams,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors,
      ParserContext parserContext) {
    return delegate.get(
        path, queryParams, responseType, headers, translating(errors), parserContext);
  }

  @Override
  public <T extends RESTResponse> T get(
      String path,
      Map<String, String> queryParams,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors,
      Consumer<Map<String, String>> responseHeaders) {
    return delegate.get(
        path, queryParams, responseType, headers, translating(errors), responseHeaders);
  }

  @Override
  public <T extends RESTResponse> T post(
      String path,
      RESTRequest body,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors) {
    return delegate.post(path, body, responseType, headers, translating(errors));
  }

  @Override
  public <T extends RESTResponse> T post(
      String path,
      RESTRequest body,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors,
      Consumer<Map<String, String>> responseHeaders) {
    return delegate.post(path, body, responseType, headers, translating(errors), responseHeaders);
  }

  @Override
  public <T extends RESTResponse> T post(
      String path,
      RESTRequest body,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors,
      Consumer<Map<String, String>> responseHeaders,
      ParserContext parserContext) {
    return delegate.post(
        path, body, responseType, headers, translating(errors), responseHeaders, parserContext);
  }

  @Override
  public <T extends RESTResponse> T postForm(
      String path,
      Map<String, String> formData,
      Class<T> responseType,
      Map<String, String> headers,
      Consumer<ErrorResponse> errors) {
    return delegate.postForm(path, formData, responseType, headers, translating(errors));
  }

  /** Each authentication session gets its own client from Iceberg; it is translated too. */
  @Override
  public RESTClient withAuthSession(AuthSession session) {
    return new ConcurrentRunErrorClient(delegate.withAuthSession(session));
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}

package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.ConcurrentRunException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.rest.ErrorHandlers;
import org.apache.iceberg.rest.RESTClient;
import org.apache.iceberg.rest.RESTRequest;
import org.apache.iceberg.rest.RESTResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.junit.jupiter.api.Test;

/** The server's refusal of a pipeline batch comes back as itself; other errors as Iceberg's. */
class TestConcurrentRunErrorClient {
  private static final ConcurrentRunException REFUSED =
      new ConcurrentRunException("bronze.events", "11", "12");

  @Test
  void theRefusalsTypeBecomesAConcurrentRunException() {
    RESTClient client = new ConcurrentRunErrorClient(answering(400, "ConcurrentRunException"));

    assertThatThrownBy(() -> commit(client))
        .isInstanceOfSatisfying(
            ConcurrentRunException.class, e -> assertThat(e.table()).isEqualTo("bronze.events"))
        .hasMessage(REFUSED.getMessage());
  }

  @Test
  void otherErrorsReachIcebergsHandlerUnchanged() {
    assertThatThrownBy(
            () -> commit(new ConcurrentRunErrorClient(answering(400, "ValidationException"))))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("Malformed request: " + REFUSED.getMessage());
    assertThatThrownBy(
            () -> commit(new ConcurrentRunErrorClient(answering(409, "CommitFailedException"))))
        .isInstanceOf(CommitFailedException.class);
  }

  @Test
  void aMessageItDidNotWordKeepsTheMessageWithoutATable() {
    ConcurrentRunException e = ConcurrentRunException.refusedByServer("something else");
    assertThat(e.getMessage()).isEqualTo("something else");
    assertThat(e.table()).isEmpty();
  }

  private static void commit(RESTClient client) {
    client.post(
        "v1/namespaces/bronze/tables/events",
        null,
        RESTResponse.class,
        Map.of(),
        ErrorHandlers.tableCommitHandler());
  }

  /** A client whose every call fails with one error response, as Iceberg's HTTP client reports. */
  private static RESTClient answering(int status, String type) {
    ErrorResponse error =
        ErrorResponse.builder()
            .responseCode(status)
            .withType(type)
            .withMessage(REFUSED.getMessage())
            .build();
    return new RESTClient() {
      private <T extends RESTResponse> T fail(Consumer<ErrorResponse> errors) {
        errors.accept(error);
        throw new AssertionError("the error handler did not throw");
      }

      @Override
      public void head(String path, Map<String, String> headers, Consumer<ErrorResponse> errors) {
        fail(errors);
      }

      @Override
      public <T extends RESTResponse> T delete(
          String path,
          Class<T> responseType,
          Map<String, String> headers,
          Consumer<ErrorResponse> errors) {
        return fail(errors);
      }

      @Override
      public <T extends RESTResponse> T get(
          String path,
          Map<String, String> queryParams,
          Class<T> responseType,
          Map<String, String> headers,
          Consumer<ErrorResponse> errors) {
        return fail(errors);
      }

      @Override
      public <T extends RESTResponse> T post(
          String path,
          RESTRequest body,
          Class<T> responseType,
          Map<String, String> headers,
          Consumer<ErrorResponse> errors) {
        return fail(errors);
      }

      @Override
      public <T extends RESTResponse> T postForm(
          String path,
          Map<String, String> formData,
          Class<T> responseType,
          Map<String, String> headers,
          Consumer<ErrorResponse> errors) {
        return fail(errors);
      }

      @Override
      public void close() {}
    };
  }
}

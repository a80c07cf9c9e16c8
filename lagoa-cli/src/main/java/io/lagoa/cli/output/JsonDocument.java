package io.lagoa.cli.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Prints one JSON value (usually a map in insertion order) for commands whose result is a single
 * object rather than rows, such as {@code lagoa table show --json}. Times are ISO-8601 in UTC.
 */
public final class JsonDocument {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private JsonDocument() {}

  public static void print(Object value, PrintWriter out) {
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
    out.flush();
  }

  /** One JSON value on one line, for a stream of them (JSON lines). */
  public static String compact(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

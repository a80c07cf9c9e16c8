package io.lagoa.server.rest;

import java.io.IOException;
import java.io.InputStream;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.shaded.com.fasterxml.jackson.annotation.JsonAutoDetect;
import org.apache.iceberg.shaded.com.fasterxml.jackson.annotation.PropertyAccessor;
import org.apache.iceberg.shaded.com.fasterxml.jackson.core.JsonFactory;
import org.apache.iceberg.shaded.com.fasterxml.jackson.core.JsonFactoryBuilder;
import org.apache.iceberg.shaded.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.iceberg.shaded.com.fasterxml.jackson.core.StreamReadConstraints;
import org.apache.iceberg.shaded.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.iceberg.shaded.com.fasterxml.jackson.databind.JsonMappingException;
import org.apache.iceberg.shaded.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.iceberg.shaded.com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.apache.iceberg.shaded.com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The REST catalog's JSON, configured as Iceberg's own client and test server configure theirs
 * (kebab-case fields, Iceberg's serializers for metadata and requests). The Jackson classes are the
 * ones shaded inside iceberg-spark-runtime: {@link RESTSerializers#registerAll} takes that mapper.
 *
 * <p>Unlike Iceberg's client mapper, unknown fields are an error: a typo in a request must not be
 * ignored silently.
 */
public final class RestJson {
  private final ObjectMapper mapper;

  public RestJson() {
    JsonFactory factory =
        new JsonFactoryBuilder()
            .configure(JsonFactory.Feature.INTERN_FIELD_NAMES, false)
            .configure(JsonFactory.Feature.FAIL_ON_SYMBOL_HASH_OVERFLOW, false)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build();
    mapper = new ObjectMapper(factory);
    mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(mapper);
  }

  public String write(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "Cannot write the response as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads a request body; malformed JSON, a wrong type or an unknown field is a {@link
   * BadRequestBodyException} naming the field and what was wrong, never Jackson's stack.
   */
  public <T> T read(InputStream body, Class<T> type) {
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw new BadRequestBodyException("the request body is empty; expected a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new BadRequestBodyException(
          "unknown field '"
              + e.getPropertyName()
              + "'"
              + where(e)
              + (e.getKnownPropertyIds() == null || e.getKnownPropertyIds().isEmpty()
                  ? ""
                  : " (known fields: " + known(e) + ")"));
    } catch (JsonMappingException e) {
      rethrowStatus(e);
      if (e.getCause() instanceof JsonProcessingException parse
          && !(parse instanceof JsonMappingException)) {
        throw malformed(parse);
      }
      throw new BadRequestBodyException(
          "invalid request body" + where(e) + ": " + shorten(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (HttpStatusException e) {
      throw e;
    } catch (IOException e) {
      if (e.getCause() instanceof HttpStatusException status) {
        throw status;
      }
      throw new BadRequestBodyException("cannot read the request body: " + e.getMessage());
    } catch (IllegalArgumentException | NullPointerException e) {
      // Iceberg's parsers check required fields with Preconditions.
      throw new BadRequestBodyException("invalid request body: " + e.getMessage());
    }
  }

  private static BadRequestBodyException malformed(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return new BadRequestBodyException(
        "malformed JSON" + where + ": " + shorten(e.getOriginalMessage()));
  }

  /** A limit hit while Jackson was reading arrives wrapped; it keeps its own status. */
  private static void rethrowStatus(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpStatusException status) {
        throw status;
      }
    }
  }

  private static String known(UnrecognizedPropertyException e) {
    return String.join(
        ", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList());
  }

  private static String where(JsonMappingException e) {
    String path = e.getPathReference();
    if (path == null || e.getPath().isEmpty()) {
      return "";
    }
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    return field.isEmpty() ? "" : " at '" + field + "'";
  }

  /** Jackson's messages end with a source excerpt and class names; keep the first sentence. */
  private static String shorten(String message) {
    if (message == null) {
      return "unreadable value";
    }
    int newline = message.indexOf('\n');
    String first = newline < 0 ? message : message.substring(0, newline);
    return first
        .replaceAll(" ?\\(start marker at \\[Source: [^]]*\\]\\)", "")
        .replaceAll(" ?\\[Source: [^]]*\\]", "")
        .replaceAll("\\(class [^)]*\\)", "")
        .replaceAll("`[a-z.]+\\.([A-Za-z]+)`", "$1");
  }
}

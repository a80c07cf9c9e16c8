package io.lagoa.pipeline;

import io.lagoa.text.EditDistance;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Checks a source call's arguments before anything runs, so validate reports them in place. */
public final class SourceArguments {
  public static final Set<String> KAFKA_FORMATS = Set.of("json", "text", "binary");
  public static final Set<String> FILE_FORMATS = Set.of("json", "csv", "parquet", "text");
  public static final Set<String> SCHEMA_EVOLUTION = Set.of("add", "rescue");

  private SourceArguments() {}

  /** A problem with a call, at its place. */
  public record Problem(SourcePosition position, String message) {}

  public static Optional<Problem> check(SourceCall call, DatasetKind datasetKind) {
    String function = call.kind().function();
    List<String> known = SourceCall.knownArguments(call.kind());
    for (SourceCall.Argument argument : call.arguments().values()) {
      if (!known.contains(argument.name())) {
        return problem(argument.namePosition(), function + " has no argument " + argument.name()
            + suggestion(argument.name(), known) + "; it takes " + String.join(", ", known));
      }
    }
    for (String required : SourceCall.requiredArguments(call.kind())) {
      if (call.argument(required).isEmpty() || call.argument(required).get().isBlank()) {
        return problem(call.position(), function + " needs " + required + " => '...'"
            + (required.equals("path") ? " (the folder to read, e.g. read_files('/landing/sales'))"
                : ""));
      }
    }
    if (call.kind() == SourceCall.SourceKind.KAFKA) {
      Optional<Problem> format = oneOf(call, "format", KAFKA_FORMATS);
      if (format.isPresent()) {
        return format;
      }
      String starting = call.argument("starting_offsets").orElse("latest").strip();
      if (!starting.equalsIgnoreCase("earliest") && !starting.equalsIgnoreCase("latest")
          && !starting.startsWith("{")) {
        return problem(call.positionOf("starting_offsets"), "starting_offsets must be 'earliest',"
            + " 'latest' or offsets per partition as JSON ({\"topic\":{\"0\":42}}), not '"
            + starting + "'");
      }
      if (call.argument("schema").isPresent()
          && !call.argument("format").orElse("json").equalsIgnoreCase("json")) {
        return problem(call.positionOf("schema"), "schema applies to format => 'json' only");
      }
    } else {
      Optional<Problem> format = oneOf(call, "format", FILE_FORMATS);
      if (format.isPresent()) {
        return format;
      }
      if (call.argument("format").isEmpty()) {
        return problem(call.position(), "read_files needs format => 'json', 'csv', 'parquet' or"
            + " 'text'");
      }
    }
    Optional<Problem> evolution = oneOf(call, "schema_evolution", SCHEMA_EVOLUTION);
    if (evolution.isPresent()) {
      return evolution;
    }
    for (String number : List.of("max_records_per_batch", "max_record_bytes",
        "max_files_per_batch")) {
      Optional<String> value = call.argument(number);
      if (value.isPresent()) {
        long parsed;
        try {
          parsed = Long.parseLong(value.get().strip());
        } catch (NumberFormatException e) {
          parsed = -1;
        }
        if (parsed <= 0) {
          return problem(call.positionOf(number), number + " must be a whole number above 0, not "
              + value.get());
        }
      }
    }
    Optional<String> dataLoss = call.argument("fail_on_data_loss");
    if (dataLoss.isPresent() && !Set.of("TRUE", "FALSE", "true", "false")
        .contains(dataLoss.get().strip())) {
      return problem(call.positionOf("fail_on_data_loss"), "fail_on_data_loss must be TRUE or"
          + " FALSE, not " + dataLoss.get());
    }
    if (call.streaming() && datasetKind != DatasetKind.STREAMING_TABLE) {
      return problem(call.position(), "STREAM " + function + "(...) reads only new data, which"
          + " only a streaming table keeps track of; use CREATE STREAMING TABLE, or read without"
          + " STREAM to read all of it on every run");
    }
    return Optional.empty();
  }

  private static Optional<Problem> oneOf(SourceCall call, String name, Set<String> allowed) {
    Optional<String> value = call.argument(name);
    if (value.isPresent() && !allowed.contains(value.get().strip().toLowerCase(Locale.ROOT))) {
      return problem(call.positionOf(name), name + " must be one of "
          + String.join(", ", new java.util.TreeSet<>(allowed)) + ", not '" + value.get() + "'");
    }
    return Optional.empty();
  }

  private static String suggestion(String name, List<String> known) {
    return EditDistance.closest(name, known).map(best -> " (did you mean " + best + "?)").orElse("");
  }

  private static Optional<Problem> problem(SourcePosition position, String message) {
    return Optional.of(new Problem(position, message));
  }
}

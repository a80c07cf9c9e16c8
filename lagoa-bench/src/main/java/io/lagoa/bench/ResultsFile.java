package io.lagoa.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and writes results.json. */
public final class ResultsFile {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ResultsFile() {}

  public static String toJson(BenchResults results) {
    try {
      return JSON.writeValueAsString(results);
    } catch (JsonProcessingException e) {
      throw new LagoaException(ErrorCode.INTERNAL_ERROR, "cannot write results as JSON", e);
    }
  }

  public static void write(BenchResults results, Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, toJson(results) + "\n");
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot write " + file + ": " + LagoaException.rootMessage(e), e);
    }
  }

  /** Reads a results file; says which file and what is wrong with it when it cannot. */
  public static BenchResults read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read results file "
              + file
              + ": it does not exist (a benchmark run writes results.json into its"
              + " output folder)");
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read results file " + file + ": " + LagoaException.rootMessage(e),
          e);
    }
    BenchResults results;
    try {
      results = JSON.readValue(text, BenchResults.class);
    } catch (JsonProcessingException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read results file "
              + file
              + ": not a Lagoa benchmark results file ("
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " at line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr())
              + ")",
          e);
    }
    if (results == null
        || results.configurations().isEmpty()
        || results.formatVersion() != BenchResults.FORMAT_VERSION) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot read results file "
              + file
              + ": not a Lagoa benchmark results file (expected format_version "
              + BenchResults.FORMAT_VERSION
              + " and a configurations list)");
    }
    return results;
  }
}

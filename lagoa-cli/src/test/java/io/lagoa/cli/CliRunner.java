package io.lagoa.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs lagoa command lines in-process against one warehouse and keeps what they printed. */
final class CliRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestingWarehouse warehouse;
  private final Map<String, String> env;

  CliRunner(TestingWarehouse warehouse) {
    this(warehouse, Map.of());
  }

  CliRunner(TestingWarehouse warehouse, Map<String, String> extraEnv) {
    this.warehouse = warehouse;
    this.env = warehouse.environment(extraEnv);
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.run(
            args, env, warehouse.root(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exitCode, out.toString(), err.toString());
  }

  /** What one command line printed. */
  record Result(int exitCode, String out, String err) {
    /** Standard output read as JSON: a map, a list or a value, as the caller expects. */
    <T> T json() {
      try {
        return JSON.readValue(out, new TypeReference<T>() {});
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}

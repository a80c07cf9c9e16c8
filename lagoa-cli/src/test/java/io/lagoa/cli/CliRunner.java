package io.lagoa.cli;

import io.lagoa.testing.TestingWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs lagoa command lines in-process against one warehouse and keeps what they printed. */
final class CliRunner {
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
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}

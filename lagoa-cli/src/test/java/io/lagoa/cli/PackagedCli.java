package io.lagoa.cli;

import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The packaged CLI (the distribution the build makes) started as {@code ./lagoa} would start it, in
 * its own JVM, on a test warehouse: what the integration tests kill, signal and time.
 */
final class PackagedCli {
  private PackagedCli() {}

  /** The command line: java with the distribution's JVM options, then lagoa's arguments. */
  static ProcessBuilder command(
      TestingWarehouse warehouse,
      Map<String, String> extraEnv,
      List<String> jvmOptions,
      List<String> args)
      throws IOException {
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    String flags = Files.readString(distribution.resolve("jvm.options")).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(flags.split("\\s+")));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(distribution.resolve("lib") + "/*");
    command.add("io.lagoa.cli.Main");
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(warehouse.root().toFile());
    builder.environment().remove("LAGOA_CONFIG");
    builder.environment().putAll(warehouse.environment(extraEnv));
    return builder;
  }

  /** Starts lagoa with stdout and stderr in files of the warehouse's folder. */
  static Process start(TestingWarehouse warehouse, String stdout, String stderr, List<String> args)
      throws IOException {
    ProcessBuilder builder = command(warehouse, Map.of(), List.of("-Xmx1g"), args);
    builder.redirectOutput(warehouse.root().resolve(stdout).toFile());
    builder.redirectError(warehouse.root().resolve(stderr).toFile());
    return builder.start();
  }
}

package io.lagoa.cli;

import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged CLI (the distribution the build makes) started as {@code ./lagoa} would start it, in
 * its own JVM, on a test warehouse: what the integration tests kill, signal and time.
 */
final class PackagedCli {
  private PackagedCli() {}

  private static List<String> classArchive;

  /**
   * JVM options that make a child JVM start in less CPU time without changing what it does: a class
   * data archive of the classes a CLI run loads (Spark's alone are thousands), written once per
   * test JVM by one small run of the distribution, and for the short commands whose cost is their
   * start (sql on a few rows, pipeline status) C1 only, as C2 would not pay off before they end.
   * Pipeline runs, servers and the demo compute, so they keep C2. A run that could not write the
   * archive leaves it out; a stale or unreadable archive is ignored by the JVM.
   */
  static List<String> fastStartOptions(List<String> args) {
    List<String> options = new ArrayList<>(classArchiveOptions());
    boolean shortCommand =
        !args.isEmpty()
            && (args.get(0).equals("sql")
                || (args.size() > 1 && args.subList(0, 2).equals(List.of("pipeline", "status"))));
    if (shortCommand) {
      options.add("-XX:TieredStopAtLevel=1");
    }
    return options;
  }

  private static synchronized List<String> classArchiveOptions() {
    if (classArchive == null) {
      Path archive = writeClassArchive();
      classArchive =
          archive == null
              ? List.of()
              : List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off");
    }
    return classArchive;
  }

  private static Path writeClassArchive() {
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    Path archive = distribution.resolveSibling("lagoa-classes.jsa");
    try (TestingWarehouse warehouse = TestingWarehouse.create()) {
      Files.deleteIfExists(archive);
      ProcessBuilder builder =
          command(
              warehouse,
              Map.of(),
              List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:ArchiveClassesAtExit=" + archive),
              List.of(
                  "sql",
                  "CREATE NAMESPACE IF NOT EXISTS lagoa.cds;"
                      + " CREATE TABLE cds.t (id BIGINT, v BIGINT) USING iceberg;"
                      + " INSERT INTO cds.t SELECT id, id * 10 FROM range(0, 10);"
                      + " SELECT count(*), sum(v) FROM cds.t",
                  "--format",
                  "csv"),
              false);
      builder.redirectErrorStream(true);
      builder.redirectOutput(warehouse.root().resolve("archive.txt").toFile());
      Process process = builder.start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        return null;
      }
      return process.exitValue() == 0 && Files.isRegularFile(archive) ? archive : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The command line: java with the distribution's JVM options, then lagoa's arguments. */
  static ProcessBuilder command(
      TestingWarehouse warehouse,
      Map<String, String> extraEnv,
      List<String> jvmOptions,
      List<String> args)
      throws IOException {
    return command(warehouse, extraEnv, jvmOptions, args, true);
  }

  private static ProcessBuilder command(
      TestingWarehouse warehouse,
      Map<String, String> extraEnv,
      List<String> jvmOptions,
      List<String> args,
      boolean fast)
      throws IOException {
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    String flags = Files.readString(distribution.resolve("jvm.options")).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(flags.split("\\s+")));
    if (fast) {
      command.addAll(fastStartOptions(args));
    }
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

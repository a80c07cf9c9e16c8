package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a Java main class in a new JVM with this JVM's class path and the flags Spark needs, so a
 * matrix combination gets its own heap size and processor count. Its output goes to a log file.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** The command line: java, flags, -Xmx, processors, class path, main class and arguments. */
  public static List<String> command(
      String memory, Integer processors, String mainClass, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String inheritedHeap = null;
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("-Xmx")) {
        inheritedHeap = flag;
      } else if (flag.startsWith("--add-opens")
          || flag.startsWith("--add-exports")
          || flag.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || flag.startsWith("-XX:SharedArchiveFile")
          || flag.startsWith("-Xlog:cds")
          || flag.startsWith("-Djdk.reflect")
          || flag.startsWith("-Dio.netty")
          || flag.startsWith("-Djava.io.tmpdir")) {
        command.add(flag);
      }
    }
    if (memory != null) {
      command.add("-Xmx" + memory);
    } else if (inheritedHeap != null) {
      command.add(inheritedHeap);
    }
    if (processors != null) {
      // GC and JIT threads follow the processor count too, not only Spark's task slots.
      command.add("-XX:ActiveProcessorCount=" + processors);
    }
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    return command;
  }

  /** Runs the command to its end; on failure, the error quotes the end of the log. */
  public static void run(
      List<String> command,
      Map<String, String> environment,
      Path workingDir,
      Path log,
      String what) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(key -> key.startsWith("LAGOA_"));
    builder.environment().putAll(environment);
    builder.directory(workingDir.toFile());
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    Process process;
    try {
      Files.createDirectories(log.getParent());
      process = builder.start();
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "cannot start a JVM for " + what + ": " + LagoaException.rootMessage(e),
          e);
    }
    try {
      int exit = process.waitFor();
      if (exit != 0) {
        throw new LagoaException(
            ErrorCode.IO_ERROR,
            "cannot run "
                + what
                + ": its JVM exited with "
                + exit
                + "; the end of "
                + log
                + ":\n"
                + tail(log, 15));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LagoaException(ErrorCode.INTERNAL_ERROR, "interrupted while running " + what, e);
    }
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      List<String> kept = new ArrayList<>();
      for (String line : all) {
        if (!line.startsWith("\tat ")) {
          kept.add(line);
        }
      }
      return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }
}

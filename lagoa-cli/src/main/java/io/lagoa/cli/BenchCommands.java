package io.lagoa.cli;

import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.io.Folders;
import io.lagoa.spark.SparkSql;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** What the {@code lagoa bench} commands do and print alike around their service's run. */
final class BenchCommands {
  private BenchCommands() {}

  /** Starts Spark and says how long that took, so it is not mistaken for the bench's time. */
  static SparkSql startSpark(Cli cli) {
    long start = System.nanoTime();
    SparkSql sql = cli.sql();
    PrintWriter err = cli.err();
    err.println("Spark started in " + Values.seconds(System.nanoTime() - start));
    err.flush();
    return sql;
  }

  /** The machine's load around the run, from a bench result's environment. */
  static String loadLine(Map<String, String> environment) {
    return "Load average "
        + environment.get("load_average_start")
        + " at the start, "
        + environment.get("load_average_end")
        + " at the end; "
        + environment.get("cores")
        + " cores.";
  }

  /** A bench's own message ("Cannot ...") worded to follow ours ("cannot ..."). */
  static String lowerFirst(String message) {
    return message.isEmpty()
        ? message
        : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }

  /** A temporary folder for the pipeline a bench writes; remove it with {@link #delete}. */
  static Path pipelineFolder(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "cannot write the bench's pipeline folder: " + e.getMessage(), e);
    }
  }

  /** Removes a {@link #pipelineFolder}; what cannot be removed stays for the OS to clean. */
  static void delete(Path folder) {
    try {
      Folders.deleteRecursively(folder);
    } catch (IOException e) {
      // a temporary folder; nothing to report
    }
  }
}

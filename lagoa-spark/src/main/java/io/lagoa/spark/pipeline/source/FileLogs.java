package io.lagoa.spark.pipeline.source;

import java.util.Set;
import org.apache.iceberg.io.FileIO;

/** What maintenance needs to know of the logs of ingested files ({@link FileLog}). */
public final class FileLogs {
  private FileLogs() {}

  /**
   * Adds the log at {@code location} and its parents to {@code kept}, stopping at one already there
   * (chains share their older part).
   */
  public static void addChain(FileIO io, String location, Set<String> kept) {
    for (String next = location; next != null && kept.add(next); ) {
      next = FileLog.read(io, next).parent();
    }
  }
}

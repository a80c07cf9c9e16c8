package io.lagoa.cli;

import io.lagoa.backup.BackupListener;
import io.lagoa.cli.output.StatusLine;
import io.lagoa.cli.output.Values;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Progress of a backup, verification or restore on standard error: on a terminal, a live line per
 * table with the files and bytes so far; elsewhere (cron, a pipe) nothing, so logs hold only the
 * summary.
 */
final class BackupProgress implements BackupListener, AutoCloseable {
  private final StatusLine line;
  private String table = "";
  private long files;
  private long bytes;

  private BackupProgress(StatusLine line) {
    this.line = line;
  }

  static BackupProgress on(PrintWriter err, Map<String, String> env, boolean quiet) {
    String term = env.get("TERM");
    boolean terminal = !quiet && System.console() != null && term != null && !term.equals("dumb");
    return new BackupProgress(terminal ? new StatusLine(err, true) : null);
  }

  @Override
  public synchronized void table(String name, int index, int count) {
    if (line == null) {
      return;
    }
    line.finish("");
    table = "[" + index + "/" + count + "] " + name;
    files = 0;
    bytes = 0;
    line.start(table);
  }

  @Override
  public synchronized void file(String path, long size) {
    if (line == null) {
      return;
    }
    files++;
    bytes += size;
    line.update(table + ": " + files + (files == 1 ? " file, " : " files, ") + Values.bytes(bytes));
  }

  @Override
  public synchronized void close() {
    if (line != null) {
      line.finish("");
      line.close();
    }
  }
}

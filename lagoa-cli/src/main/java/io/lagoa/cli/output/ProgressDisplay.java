package io.lagoa.cli.output;

import io.lagoa.spark.JobProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress bar on the terminal for work that takes longer than a second: Spark tasks
 * done out of tasks known. Shown only on an interactive terminal, so scripts and logs stay clean.
 *
 * <p>Drawn here rather than with the progressbar library: that library renders from its own thread
 * and moves the cursor up to redraw stacked bars, which overwrote the result lines printed right
 * after a statement finished. This line is drawn and erased under one lock, before results.
 */
public final class ProgressDisplay {
  private static final long DELAY_MILLIS = 1000;
  private static final int WIDTH = 30;

  private final String label;
  private final JobProgress progress;
  private final PrintStream terminal;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService timer;
  private boolean drawn;
  private boolean closed;

  private ProgressDisplay(String label, JobProgress progress, PrintStream terminal) {
    this.label = label;
    this.progress = progress;
    this.terminal = terminal;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-progress");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleAtFixedRate(this::draw, DELAY_MILLIS, 250, TimeUnit.MILLISECONDS);
  }

  /** A running display; closing it erases the bar. */
  public interface Handle extends AutoCloseable {
    @Override
    void close();
  }

  /** Starts a display, or a no-op one when there is no terminal to draw on. */
  public static Handle start(String label, JobProgress progress) {
    if (System.console() == null) {
      return () -> {};
    }
    ProgressDisplay display = new ProgressDisplay(label, progress, System.err);
    return display::close;
  }

  private synchronized void draw() {
    JobProgress.Snapshot snapshot = progress.snapshot();
    if (closed || snapshot.totalTasks() == 0) {
      return;
    }
    terminal.print("\r\033[K" + line(label, snapshot, System.nanoTime() - started));
    terminal.flush();
    drawn = true;
  }

  /** The bar's text, e.g. {@code query [=========> ] 61% 22/36 tasks, stage 2, 0:07}. */
  static String line(String label, JobProgress.Snapshot snapshot, long elapsedNanos) {
    int total = Math.max(1, snapshot.totalTasks());
    int done = Math.min(snapshot.doneTasks(), total);
    int filled = done * WIDTH / total;
    String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(elapsedNanos);
    return String.format(
        Locale.ROOT,
        "%s [%s] %3d%% %d/%d tasks, stage %d, %d:%02d",
        label,
        bar,
        done * 100 / total,
        done,
        total,
        snapshot.finishedStages() + 1,
        seconds / 60,
        seconds % 60);
  }

  private synchronized void close() {
    closed = true;
    timer.shutdownNow();
    if (drawn) {
      terminal.print("\r\033[K");
      terminal.flush();
    }
  }
}

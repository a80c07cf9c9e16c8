package io.lagoa.cli.output;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A line that says what is running. On a terminal it carries a spinner and the seconds so far,
 * redrawn in place, and ends with the final time; elsewhere (a pipe, a log, a test) it is printed
 * once when the task starts, so logs stay clean.
 */
public final class StatusLine implements AutoCloseable {
  private static final String FRAMES = "|/-\\";
  private static final String CLEAR_TO_END = "\u001b[K";

  private final PrintWriter out;
  private final boolean interactive;
  private final ScheduledExecutorService ticker;
  private ScheduledFuture<?> ticking;
  private String line;
  private long started;
  private int frame;

  public StatusLine(PrintWriter out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
    this.ticker =
        interactive
            ? Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "lagoa-progress");
                  thread.setDaemon(true);
                  return thread;
                })
            : null;
  }

  public boolean interactive() {
    return interactive;
  }

  /** Starts a task line, e.g. {@code [2/8] bronze: ...}. */
  public synchronized void start(String text) {
    line = text;
    started = System.nanoTime();
    frame = 0;
    if (interactive) {
      draw();
      ticking = ticker.scheduleAtFixedRate(this::tick, 200, 200, TimeUnit.MILLISECONDS);
    } else {
      out.println(text);
      out.flush();
    }
  }

  /**
   * Replaces the running task's text, e.g. with a count so far; on a terminal the next redraw shows
   * it, elsewhere nothing is printed.
   */
  public synchronized void update(String text) {
    if (line != null) {
      line = text;
    }
  }

  /**
   * Ends the task line. On a terminal the line is redrawn with {@code suffix} (e.g. the time)
   * instead of the spinner; elsewhere nothing is printed, the caller reports the end its own way.
   */
  public synchronized void finish(String suffix) {
    if (interactive && line != null) {
      stopTicking();
      out.print("\r" + line + "  " + suffix + CLEAR_TO_END);
      out.println();
      out.flush();
    }
    line = null;
  }

  private synchronized void tick() {
    if (line != null) {
      frame++;
      draw();
    }
  }

  private void draw() {
    long elapsed = System.nanoTime() - started;
    out.print(
        "\r"
            + line
            + "  "
            + FRAMES.charAt(frame % FRAMES.length())
            + " "
            + Values.seconds(elapsed)
            + CLEAR_TO_END);
    out.flush();
  }

  private void stopTicking() {
    if (ticking != null) {
      ticking.cancel(false);
      ticking = null;
    }
  }

  @Override
  public synchronized void close() {
    stopTicking();
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}

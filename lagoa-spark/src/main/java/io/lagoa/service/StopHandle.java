package io.lagoa.service;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a continuous pipeline run to stop after the batch it is running commits. Safe to call from
 * any thread (a signal handler, a server's request thread).
 */
public final class StopHandle {
  private final AtomicBoolean requested = new AtomicBoolean();

  /**
   * Asks the run to stop.
   *
   * @return whether a stop had been asked for already
   */
  public boolean stop() {
    return requested.getAndSet(true);
  }

  public boolean stopRequested() {
    return requested.get();
  }
}

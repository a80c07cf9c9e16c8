package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Passes a run's events on only when the run did something (wrote, or failed): a continuous run
 * checks for new data every second, and an idle check is not worth a lineage event. The events are
 * held until the run ends, then replayed; {@link #clock()} tells the listener behind it the time
 * each event happened, not the time it is replayed.
 */
public final class BusyRunsListener implements PipelineListener {
  private final ReplayClock clock = new ReplayClock();
  private final List<Consumer<PipelineListener>> held = new ArrayList<>();
  private final List<Instant> times = new ArrayList<>();
  private PipelineListener target = PipelineListener.NONE;

  /** Where busy runs' events go; built with {@link #clock()}. */
  public void target(PipelineListener listener) {
    this.target = listener;
  }

  /** The clock to give the listener behind this one. */
  public Clock clock() {
    return clock;
  }

  private synchronized void hold(Consumer<PipelineListener> event) {
    held.add(event);
    times.add(Instant.now());
  }

  @Override
  public void runStarted(String runId, int flows) {
    hold(listener -> listener.runStarted(runId, flows));
  }

  @Override
  public void flowStarted(Dataset dataset, String action) {
    hold(listener -> listener.flowStarted(dataset, action));
  }

  @Override
  public void flowFinished(FlowResult result) {
    hold(listener -> listener.flowFinished(result));
  }

  @Override
  public void restored(String message) {
    hold(listener -> listener.restored(message));
  }

  @Override
  public synchronized void runFinished(RunResult result) {
    boolean idle =
        result.status() == RunResult.Status.SUCCEEDED
            && result.flows().stream().allMatch(flow -> flow.status() == FlowStatus.UP_TO_DATE);
    if (!idle) {
      for (int i = 0; i < held.size(); i++) {
        clock.at = times.get(i);
        held.get(i).accept(target);
      }
      clock.at = Instant.now();
      target.runFinished(result);
    }
    clock.at = null;
    held.clear();
    times.clear();
  }

  /** The time of the event being replayed; the real time otherwise. */
  private static final class ReplayClock extends Clock {
    private volatile Instant at;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      Instant replayed = at;
      return replayed != null ? replayed : Instant.now();
    }
  }
}

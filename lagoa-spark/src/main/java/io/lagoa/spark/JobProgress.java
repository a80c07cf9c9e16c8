package io.lagoa.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Counts finished and total tasks of the stages Spark is running, so a caller can draw a progress
 * bar for long statements. {@link #snapshot()} is cheap to poll.
 *
 * <p>Owned by whoever attached it (a {@code Lakehouse}, for the session it started), which detaches
 * it when done; nothing is kept in a static. It counts every stage of the SparkContext, which
 * sessions in one JVM share.
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
  private final SparkContext context;
  private final Map<Integer, StageCount> stages = new ConcurrentHashMap<>();
  private final AtomicInteger finishedStages = new AtomicInteger();

  private JobProgress(SparkContext context) {
    this.context = context;
  }

  /** A new tracker, listening to the context until {@link #close()}. */
  public static JobProgress attach(SparkContext context) {
    JobProgress progress = new JobProgress(context);
    context.addSparkListener(progress);
    return progress;
  }

  /** Tasks done and known so far across the running stages, and stages finished since start. */
  public record Snapshot(int doneTasks, int totalTasks, int runningStages, int finishedStages) {}

  public Snapshot snapshot() {
    int done = 0;
    int total = 0;
    for (StageCount stage : stages.values()) {
      done += stage.done.get();
      total += stage.total;
    }
    return new Snapshot(done, total, stages.size(), finishedStages.get());
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    stages.put(event.stageInfo().stageId(), new StageCount(event.stageInfo().numTasks()));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    StageCount stage = stages.get(event.stageId());
    if (stage != null) {
      stage.done.incrementAndGet();
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    if (stages.remove(event.stageInfo().stageId()) != null) {
      finishedStages.incrementAndGet();
    }
  }

  /** Stops listening; a stopped context has no listeners left to remove from. */
  @Override
  public void close() {
    if (!context.isStopped()) {
      context.removeSparkListener(this);
    }
  }

  private static final class StageCount {
    final int total;
    final AtomicInteger done = new AtomicInteger();

    StageCount(int total) {
      this.total = total;
    }
  }
}

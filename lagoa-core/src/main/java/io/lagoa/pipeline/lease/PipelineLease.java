package io.lagoa.pipeline.lease;

import io.lagoa.pipeline.InterruptedRun;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.TableState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held pipeline lease (see {@link PipelineLeases}): renewed in the background every third of its
 * lifetime until closed, and the run journal of its holder. When a renewal finds the lease taken
 * over by someone else, {@link #lost()} turns true and the runs' journal notes are refused, so the
 * holder stops before writing.
 */
public final class PipelineLease implements RunJournal, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineLease.class);

  private final PipelineLeases leases;
  private final String pipeline;
  private final PipelineLeases.Holder holder;
  private final Optional<InterruptedRun> interrupted;
  private final Optional<PipelineLeases.Holder> takenFrom;
  private final ScheduledExecutorService renewals;
  private volatile boolean lost;

  PipelineLease(
      PipelineLeases leases,
      String pipeline,
      PipelineLeases.Holder holder,
      Optional<InterruptedRun> interrupted,
      Optional<PipelineLeases.Holder> takenFrom) {
    this.leases = leases;
    this.pipeline = pipeline;
    this.holder = holder;
    this.interrupted = interrupted;
    this.takenFrom = takenFrom;
    this.renewals =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-lease-" + pipeline);
              thread.setDaemon(true);
              return thread;
            });
    long period = Math.max(1, leases.ttl().toMillis() / 3);
    renewals.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  public String pipeline() {
    return pipeline;
  }

  /** The run the previous holder left unfinished, to be put back before this holder runs. */
  public Optional<InterruptedRun> interrupted() {
    return interrupted;
  }

  /** The live holder this lease was taken from by force, if it was. */
  public Optional<PipelineLeases.Holder> takenFrom() {
    return takenFrom;
  }

  /** Whether someone else took the lease over; the holder must stop. */
  public boolean lost() {
    return lost;
  }

  /** The interrupted run's tables were put back: it is no longer pending. */
  public void recovered(InterruptedRun run) {
    leases.end(pipeline, holder, run.runId());
  }

  @Override
  public void begin(String runId, Instant startedAt, Map<String, TableState> tables) {
    if (lost || !leases.begin(pipeline, holder, runId, startedAt, tables)) {
      lost = true;
      throw new IllegalStateException(
          "the lease of pipeline "
              + pipeline
              + " was taken over by"
              + " another runner; this runner stops without writing");
    }
  }

  @Override
  public void end(String runId) {
    leases.end(pipeline, holder, runId);
  }

  private void renew() {
    try {
      if (!leases.renew(pipeline, holder)) {
        lost = true;
        LOG.warn("the lease of pipeline {} was taken over by another runner", pipeline);
        renewals.shutdown();
      }
    } catch (RuntimeException e) {
      // a database hiccup: the next renewal tries again, well before the lease expires
      LOG.warn("cannot renew the lease of pipeline {}: {}", pipeline, e.getMessage());
    }
  }

  @Override
  public void close() {
    renewals.shutdownNow();
    if (!lost) {
      try {
        leases.release(pipeline, holder);
      } catch (RuntimeException e) {
        LOG.warn("cannot release the lease of pipeline {}: {}", pipeline, e.getMessage());
      }
    }
  }
}

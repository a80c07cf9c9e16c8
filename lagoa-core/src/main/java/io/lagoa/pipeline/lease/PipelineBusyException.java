package io.lagoa.pipeline.lease;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Another live runner holds the pipeline's lease. */
public final class PipelineBusyException extends LagoaException {
  private static final long serialVersionUID = 1L;
  private final transient PipelineLeases.LeaseInfo lease;

  PipelineBusyException(PipelineLeases.LeaseInfo lease, Instant now) {
    super(
        ErrorCode.PIPELINE_BUSY,
        "pipeline "
            + lease.pipeline()
            + " is already running on "
            + lease.holder()
            + " since "
            + lease.acquiredAt().truncatedTo(ChronoUnit.SECONDS)
            + " (its lease was renewed "
            + Duration.between(lease.renewedAt(), now).toSeconds()
            + " s ago and expires in "
            + Math.max(0, Duration.between(now, lease.expiresAt()).toSeconds())
            + " s unless renewed); wait for that run to end, or take over the lease of a holder"
            + " that is gone");
    this.lease = lease;
  }

  public PipelineLeases.LeaseInfo lease() {
    return lease;
  }
}

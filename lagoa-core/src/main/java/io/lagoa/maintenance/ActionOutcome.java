package io.lagoa.maintenance;

import java.time.Duration;
import java.util.Optional;

/**
 * What one planned action did.
 *
 * @param result what changed, e.g. "rewrote 12 files into 1"; empty when it did not run
 * @param error why it failed; the table is as it was before the action
 */
public record ActionOutcome(
    PlannedAction planned, boolean ran, String result, Duration took, Optional<String> error) {}

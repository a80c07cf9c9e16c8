package io.lagoa.maintenance;

/**
 * A snapshot a pipeline still needs, so expiry must keep it and everything after it.
 *
 * @param why what needs it, for the plan's reason
 */
public record RetainedPosition(long snapshotId, long timestampMillis, String why) {}

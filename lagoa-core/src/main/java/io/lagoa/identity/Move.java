package io.lagoa.identity;

import java.time.Instant;

/**
 * A record moved to another person by a split: one row of {@code <graph>_moves}. The graph's own
 * table is updated in place, so a reader that streams only appended rows learns of the move here
 * (e.g. to stage the record again under its new person). Merges are not moves: they are {@link
 * SameAs} links.
 *
 * @param personId the person the record belongs to now
 * @param fromPersonId the person it was taken from
 * @param reason why, in words (a split's reason)
 */
public record Move(
    RecordRef ref,
    String personId,
    String fromPersonId,
    Instant movedAt,
    String reason,
    String runId) {}

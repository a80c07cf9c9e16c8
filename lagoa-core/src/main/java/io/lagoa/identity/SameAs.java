package io.lagoa.identity;

import java.time.Instant;

/**
 * A merge: the person {@code mergedId} is the same as {@code survivorId}, which kept its id.
 *
 * @param key the key that joined them
 * @param reason how, in words: the records and the rule
 */
public record SameAs(
    String mergedId,
    String survivorId,
    Instant mergedAt,
    String key,
    String reason,
    String runId) {}

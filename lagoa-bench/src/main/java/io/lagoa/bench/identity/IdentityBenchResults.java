package io.lagoa.bench.identity;

/**
 * What {@code lagoa bench identity} measured.
 *
 * @param records leads generated (first run plus increment)
 * @param incrementRecords of which the second run resolved incrementally
 * @param truePersons persons the generator made
 * @param foundPersons persons in the graph at the end
 * @param precision pairwise precision of the final graph against the truth
 * @param recall pairwise recall
 * @param exactPersons share of true persons found exactly (all their records, nothing else)
 * @param firstRunNanos the pipeline run that built the graph from the first records
 * @param incrementNanos the pipeline run that resolved the increment against the graph
 * @param engineNanos the reference: the matching engine alone on all records, in memory (no Spark,
 *     no tables), in the same process
 * @param firstSummary the first run's identity summary
 * @param incrementSummary the second run's
 * @param keyCeiling the recall of a matcher joining every pair of records that share a normalized
 *     key, directly or through the person's other records: what key-based matching can reach
 * @param missedPairs the true pairs the graph missed, per reason ({@link MissedPairs})
 */
public record IdentityBenchResults(
    long records,
    long incrementRecords,
    long truePersons,
    long foundPersons,
    double precision,
    double recall,
    double f1,
    double exactPersons,
    long firstRunNanos,
    long incrementNanos,
    long engineNanos,
    String firstSummary,
    String incrementSummary,
    double keyCeiling,
    java.util.Map<String, Long> missedPairs) {}
